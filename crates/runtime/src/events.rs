//! Sample events for `generate-event SERVICE EVENT`, with the service and event names the SAM CLI
//! uses. The JSON lives in `crates/runtime/events/` and is embedded in the binary.

/// `(service, event, description, json)` for every sample.
pub const SAMPLES: &[(&str, &str, &str, &str)] = &[
    (
        "apigateway",
        "aws-proxy",
        "API Gateway REST API proxy integration request",
        include_str!("../events/apigateway-aws-proxy.json"),
    ),
    (
        "apigateway",
        "http-api-proxy",
        "API Gateway HTTP API (payload format 2.0) request",
        include_str!("../events/apigateway-http-api-proxy.json"),
    ),
    ("s3", "put", "S3 object created (PUT) notification", include_str!("../events/s3-put.json")),
    (
        "sqs",
        "receive-message",
        "SQS messages delivered to a function",
        include_str!("../events/sqs-receive-message.json"),
    ),
    ("sns", "notification", "SNS notification", include_str!("../events/sns-notification.json")),
    (
        "eventbridge",
        "event",
        "EventBridge event from a custom source",
        include_str!("../events/eventbridge-event.json"),
    ),
    (
        "dynamodb",
        "update",
        "DynamoDB stream records (insert and modify)",
        include_str!("../events/dynamodb-update.json"),
    ),
    (
        "cloudwatch",
        "scheduled-event",
        "EventBridge (CloudWatch Events) schedule",
        include_str!("../events/cloudwatch-scheduled-event.json"),
    ),
];

/// The sample for `service` and `event`, if there is one.
pub fn sample(service: &str, event: &str) -> Option<&'static str> {
    SAMPLES.iter().find(|(s, e, _, _)| *s == service && *e == event).map(|(_, _, _, json)| *json)
}

/// One line per sample, `service event  description`, for help and error messages.
pub fn listing() -> String {
    SAMPLES.iter().map(|(s, e, d, _)| format!("  {s} {e:<18} {d}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_is_json() {
        for (service, event, _, json) in SAMPLES {
            let value: serde_json::Value =
                serde_json::from_str(json).unwrap_or_else(|e| panic!("{service} {event}: {e}"));
            assert!(value.is_object(), "{service} {event}");
        }
        assert!(sample("s3", "put").unwrap().contains("ObjectCreated:Put"));
        assert!(sample("s3", "delete").is_none());
        assert!(listing().contains("cloudwatch scheduled-event"));
    }
}
