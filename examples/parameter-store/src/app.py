"""Greets the caller with a prefix from Parameter Store and a message template from S3."""

import json
import logging
import os

import boto3

# A named logger: its records reach the handler Lambda installs on the root logger, and LOG_LEVEL=DEBUG
# does not turn on boto3's own debug logging.
logger = logging.getLogger("greeting")
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

# Clients are created once per execution environment and reused across invocations.
ssm = boto3.client("ssm")
s3 = boto3.client("s3")


def lambda_handler(event, context):
    name = event.get("name", "world")  # BP: entry

    parameter = ssm.get_parameter(Name=os.environ["PARAMETER_NAME"])
    prefix = parameter["Parameter"]["Value"]
    logger.debug("greeting prefix from %s: %s", os.environ["PARAMETER_NAME"], prefix)

    obj = s3.get_object(Bucket=os.environ["BUCKET_NAME"], Key=os.environ["OBJECT_KEY"])
    template = obj["Body"].read().decode("utf-8")

    message = template.format(prefix=prefix, name=name).strip()
    print(f"greeted {name} (request {context.aws_request_id})")
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"message": message, "prefix": prefix}),
    }
