import os
import boto3
from boto3.dynamodb.conditions import Key

ssm = boto3.client("ssm")
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
s3 = boto3.client('s3', region_name="us-east-1")


def handler(event, context):
    value = ssm.get_parameter(Name="/app/key", WithDecryption=True)["Parameter"]["Value"]
    table.put_item(Item={"pk": event["id"], "value": value})
    s3.put_object(Bucket=os.environ.get("BUCKET"), Key=f"{event['id']}.txt", Body=b"x")
    items = table.query(KeyConditionExpression=Key("pk").eq("a"))
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl="u", MessageBody="b", DelaySeconds=1000)
    return {"statusCode": 200, "body": str(items)}
