//! The calls whose IAM action is not `<prefix>:<OperationName>`, kept as data: every row names the page
//! that documents it. The botocore data already derives `iam_action` from the signing name (with
//! CloudWatch's `monitoring` → `cloudwatch` and a few S3 renames); this table is applied on top of
//! it, so a row here wins, and it is the one place to look for "why does samwise say this call needs
//! that action".
//!
//! A row's `operation` may end in `*` (a prefix); the first matching row wins, so specific rows come
//! before prefix rows of the same service.

/// What a call needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Every one of these actions.
    All(&'static [&'static str]),
    /// One of these sets of actions (the first is the one suggested).
    AnyOf(&'static [&'static [&'static str]]),
    /// No IAM permission at all.
    Nothing,
    /// The action depends on something the call does not show (an HTTP verb the model does not
    /// carry, ...): the call is not checked.
    Unknown,
}

pub struct Exception {
    /// botocore service name (`s3`).
    pub service: &'static str,
    /// API operation name (`HeadObject`), or a prefix ending in `*`.
    pub operation: &'static str,
    pub needs: Needs,
    pub source: &'static str,
}

macro_rules! row {
    ($svc:literal, $op:literal, $needs:expr, $src:expr) => {
        Exception { service: $svc, operation: $op, needs: $needs, source: $src }
    };
}

pub static EXCEPTIONS: &[Exception] = &[
    // Amazon S3: several operations are authorised by an action with another name.
    row!(
        "s3",
        "ListObjects",
        Needs::All(&["s3:ListBucket"]),
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html"
    ),
    row!(
        "s3",
        "ListObjectsV2",
        Needs::All(&["s3:ListBucket"]),
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html"
    ),
    row!(
        "s3",
        "HeadObject",
        Needs::All(&["s3:GetObject"]),
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html"
    ),
    row!(
        "s3",
        "HeadBucket",
        Needs::All(&["s3:ListBucket"]),
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html"
    ),
    row!(
        "s3",
        "ListObjectVersions",
        Needs::All(&["s3:ListBucketVersions"]),
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html"
    ),
    row!(
        "s3",
        "SelectObjectContent",
        Needs::All(&["s3:GetObject"]),
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_SelectObjectContent.html"
    ),
    row!(
        "s3",
        "ListBuckets",
        Needs::All(&["s3:ListAllMyBuckets"]),
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html"
    ),
    row!(
        "s3",
        "DeleteObjects",
        Needs::All(&["s3:DeleteObject"]),
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html"
    ),
    row!(
        "s3",
        "CopyObject",
        Needs::All(&["s3:GetObject", "s3:PutObject"]),
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html"
    ),
    // Unversioned buckets need the first pair, versioned buckets the second; the template does not say
    // which the bucket is, so either pair satisfies the check.
    row!(
        "s3",
        "GetObjectAttributes",
        Needs::AnyOf(&[
            &["s3:GetObject", "s3:GetObjectAttributes"],
            &["s3:GetObjectVersion", "s3:GetObjectVersionAttributes"]
        ]),
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html"
    ),
    // Amazon DynamoDB: transactions are authorised by the actions of the operations inside them
    // (which the call's literal arguments rarely show), PartiQL statements by the statement's kind.
    row!(
        "dynamodb",
        "TransactWriteItems",
        Needs::Unknown,
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html"
    ),
    row!(
        "dynamodb",
        "TransactGetItems",
        Needs::All(&["dynamodb:GetItem"]),
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html"
    ),
    row!(
        "dynamodb",
        "ExecuteStatement",
        Needs::Unknown,
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html"
    ),
    row!(
        "dynamodb",
        "BatchExecuteStatement",
        Needs::Unknown,
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html"
    ),
    row!(
        "dynamodb",
        "ExecuteTransaction",
        Needs::Unknown,
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html"
    ),
    // AWS Lambda: Invoke is authorised by InvokeFunction.
    row!(
        "lambda",
        "Invoke",
        Needs::All(&["lambda:InvokeFunction"]),
        "https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html"
    ),
    row!(
        "lambda",
        "InvokeWithResponseStream",
        Needs::All(&["lambda:InvokeFunction"]),
        "https://docs.aws.amazon.com/lambda/latest/dg/API_InvokeWithResponseStream.html"
    ),
    // Amazon Bedrock: the Converse API is authorised by the InvokeModel actions.
    row!(
        "bedrock-runtime",
        "Converse",
        Needs::All(&["bedrock:InvokeModel"]),
        "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html"
    ),
    row!(
        "bedrock-runtime",
        "ConverseStream",
        Needs::All(&["bedrock:InvokeModelWithResponseStream"]),
        "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html"
    ),
    // AWS STS: GetCallerIdentity needs no permission.
    row!(
        "sts",
        "GetCallerIdentity",
        Needs::Nothing,
        "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"
    ),
    // API Gateway's management APIs are authorised by HTTP-verb actions (`apigateway:GET` on the
    // resource path). The verb of each operation is in the botocore model's `http.method`, which the
    // embedded data does not carry; the name prefixes below map to one verb in every operation of both
    // APIs, everything else is left unchecked.
    row!(
        "apigateway",
        "Get*",
        Needs::All(&["apigateway:GET"]),
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html"
    ),
    row!(
        "apigateway",
        "Create*",
        Needs::All(&["apigateway:POST"]),
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html"
    ),
    row!(
        "apigateway",
        "Update*",
        Needs::All(&["apigateway:PATCH"]),
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html"
    ),
    row!(
        "apigateway",
        "Delete*",
        Needs::All(&["apigateway:DELETE"]),
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html"
    ),
    row!(
        "apigateway",
        "*",
        Needs::Unknown,
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html"
    ),
    row!(
        "apigatewayv2",
        "Get*",
        Needs::All(&["apigateway:GET"]),
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html"
    ),
    row!(
        "apigatewayv2",
        "Create*",
        Needs::All(&["apigateway:POST"]),
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html"
    ),
    row!(
        "apigatewayv2",
        "Update*",
        Needs::All(&["apigateway:PATCH"]),
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html"
    ),
    row!(
        "apigatewayv2",
        "Delete*",
        Needs::All(&["apigateway:DELETE"]),
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html"
    ),
    row!(
        "apigatewayv2",
        "*",
        Needs::Unknown,
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html"
    ),
    // WebSocket connection management (`PostToConnection`, ...) is one action.
    row!(
        "apigatewaymanagementapi",
        "*",
        Needs::All(&["execute-api:ManageConnections"]),
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-control-access-iam.html"
    ),
];

/// IAM prefixes that differ from the signing name the data derived `iam_action` from (CloudWatch's is
/// already renamed by the generator; the row stays for data generated before it was).
pub static PREFIX_RENAMES: &[(&str, &str, &str)] = &[
    (
        "monitoring",
        "cloudwatch",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html",
    ),
    // The IoT data plane (`iot-data`: Publish, GetThingShadow, ...) signs as `iotdata`; its actions are `iot:`.
    ("iotdata", "iot", "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsiot.html"),
];

/// The row for a call, if any.
pub fn lookup(service: &str, operation: &str) -> Option<&'static Exception> {
    EXCEPTIONS.iter().find(|e| {
        e.service == service
            && match e.operation.strip_suffix('*') {
                Some(prefix) => operation.starts_with(prefix),
                None => e.operation == operation,
            }
    })
}
