//! From a boto3 call to what IAM checks: the action(s) it needs ([`requirement`]) and, when the
//! call's literal arguments name it, the ARN of the resource it touches ([`call_resource`]).

use samwise_data::botocore::BotocoreModels;

use crate::exceptions::{self, Needs};
use crate::policy::Pat;

/// The alternatives a call needs: it is permitted when every action of one alternative is. Empty
/// means "needs nothing"; `None` means the action cannot be told (the call is not checked).
pub(crate) fn requirement(models: &BotocoreModels, service: &str, operation: &str) -> Option<Vec<Vec<String>>> {
    let owned = |set: &[&str]| set.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    if let Some(e) = exceptions::lookup(service, operation) {
        return match e.needs {
            Needs::All(set) => Some(vec![owned(set)]),
            Needs::AnyOf(sets) => Some(sets.iter().map(|s| owned(s)).collect()),
            Needs::Nothing => Some(Vec::new()),
            Needs::Unknown => None,
        };
    }
    let model = models.service(models.canonical_name(service)?)?;
    let op = model.operation_by_api_name(operation)?;
    let action = match op.iam_action.split_once(':') {
        Some((prefix, name)) => match exceptions::PREFIX_RENAMES.iter().find(|(from, _, _)| *from == prefix) {
            Some((_, to, _)) => format!("{to}:{name}"),
            None => op.iam_action.clone(),
        },
        None => return None,
    };
    Some(vec![vec![action]])
}

/// The IAM actions a call needs, for hover: the first alternative (the one a fix would grant).
pub fn actions_for(models: &BotocoreModels, service: &str, operation: &str) -> Vec<String> {
    requirement(models, service, operation).and_then(|alts| alts.into_iter().next()).unwrap_or_default()
}

/// One piece of a resource ARN built from a call: literal text, a pseudo parameter, or unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Lit(String),
    Partition,
    Region,
    Account,
}

/// A resource ARN computed from a call's literal arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn(pub Vec<Part>);

impl Arn {
    fn of(parts: &[&str]) -> Arn {
        Arn(parts
            .iter()
            .map(|p| match *p {
                "${AWS::Partition}" => Part::Partition,
                "${AWS::Region}" => Part::Region,
                "${AWS::AccountId}" => Part::Account,
                lit => Part::Lit(lit.to_owned()),
            })
            .collect())
    }

    /// The pattern IAM would compare: pseudo parameters may be anything.
    pub fn pattern(&self) -> Pat {
        let text = self
            .0
            .iter()
            .map(|p| match p {
                Part::Lit(s) => s.clone(),
                _ => crate::policy::SEGMENT.to_string(),
            })
            .collect();
        Pat { text, exact: self.0.iter().all(|p| matches!(p, Part::Lit(_))) }
    }

    /// The ARN as the text of a `!Sub` (pseudo parameters as `${AWS::...}`, `$` in literals escaped).
    pub fn sub_text(&self) -> String {
        self.0
            .iter()
            .map(|p| match p {
                Part::Lit(s) => s.replace("${", "${!"),
                Part::Partition => "${AWS::Partition}".into(),
                Part::Region => "${AWS::Region}".into(),
                Part::Account => "${AWS::AccountId}".into(),
            })
            .collect()
    }
}

const P: &str = "${AWS::Partition}";
const R: &str = "${AWS::Region}";
const A: &str = "${AWS::AccountId}";

/// The resource a call touches, when its literal arguments say (`None`: any resource as far as the
/// check can tell). `args` are the call's keyword arguments, `None` when not a plain literal.
pub fn call_resource(service: &str, action: &str, args: &[(String, Option<String>)]) -> Option<Arn> {
    let arg = |name: &str| args.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_deref());
    // A literal argument, or `None` when it is missing or not a literal.
    let lit = |name: &str| arg(name).flatten().filter(|v| !v.is_empty());
    let (_, name) = action.split_once(':')?;
    match service {
        "ssm" if name.contains("Parameter") && !name.contains("Parameters") => {
            let n = lit("Name")?;
            if n.starts_with("arn:") {
                return Some(Arn::of(&[n]));
            }
            // A `name:version` or `name:label` selector: the ARN is the parameter's, without it.
            let n = n.split(':').next()?;
            let path = format!("parameter/{}", n.strip_prefix('/').unwrap_or(n));
            Some(Arn::of(&["arn:", P, ":ssm:", R, ":", A, ":", &path]))
        }
        "s3" => {
            let bucket = lit("Bucket")?;
            if bucket.contains([':', '/']) {
                // An access point or Outposts ARN: another resource type.
                return None;
            }
            if name.contains("Object") {
                let key = match arg("Key") {
                    Some(Some(k)) => k,
                    Some(None) => "*",
                    None => return None,
                };
                Some(Arn::of(&["arn:", P, &format!(":s3:::{bucket}/{key}")]))
            } else if name.contains("Bucket") {
                Some(Arn::of(&["arn:", P, &format!(":s3:::{bucket}")]))
            } else {
                None
            }
        }
        "dynamodb" => {
            let table = lit("TableName")?;
            let index = match arg("IndexName") {
                Some(Some(i)) => format!("/index/{i}"),
                Some(None) => "/index/*".into(),
                None => String::new(),
            };
            Some(Arn::of(&["arn:", P, ":dynamodb:", R, ":", A, &format!(":table/{table}{index}")]))
        }
        "sqs" => {
            // https://sqs.<region>.amazonaws.com/<account>/<name>
            let url = lit("QueueUrl")?;
            let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
            let mut segs = rest.split('/');
            let host = segs.next()?;
            let (account, queue) = (segs.next()?, segs.next()?);
            if segs.next().is_some() || account.is_empty() || queue.is_empty() {
                return None;
            }
            let region = host.strip_prefix("sqs.").and_then(|h| h.split('.').next()).filter(|r| r.contains('-'));
            let region = region.unwrap_or(R);
            Some(Arn::of(&["arn:", P, ":sqs:", region, ":", account, ":", queue]))
        }
        "sns" => lit("TopicArn").or_else(|| lit("TargetArn")).filter(|a| a.starts_with("arn:")).map(|a| Arn::of(&[a])),
        "lambda" => {
            if arg("Qualifier").is_some() {
                return None;
            }
            let f = lit("FunctionName")?;
            if f.starts_with("arn:") {
                // A qualified ARN (`function:name:alias`) is another resource; only plain ones.
                return (f.split(':').count() == 7).then(|| Arn::of(&[f]));
            }
            if f.contains(':') {
                return None;
            }
            Some(Arn::of(&["arn:", P, ":lambda:", R, ":", A, ":function:", f]))
        }
        "secretsmanager" => {
            let id = lit("SecretId")?;
            if id.starts_with("arn:") {
                // Secrets Manager also accepts a partial ARN (without the random suffix).
                return Some(Arn::of(&[id, "*"]));
            }
            // Secrets Manager appends a hyphen and six random characters to the name in the ARN.
            Some(Arn::of(&["arn:", P, ":secretsmanager:", R, ":", A, ":secret:", id, "-??????"]))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn models() -> BotocoreModels {
        BotocoreModels::embedded().unwrap()
    }

    #[test]
    fn exceptions_apply() {
        let m = models();
        let actions = |s, o| actions_for(&m, s, o).join(" ");
        assert_eq!(actions("ssm", "GetParameter"), "ssm:GetParameter");
        assert_eq!(actions("ssm", "GetParametersByPath"), "ssm:GetParametersByPath");
        assert_eq!(actions("s3", "ListObjectsV2"), "s3:ListBucket");
        assert_eq!(actions("s3", "HeadObject"), "s3:GetObject");
        assert_eq!(actions("s3", "HeadBucket"), "s3:ListBucket");
        assert_eq!(actions("s3", "GetObjectAttributes"), "s3:GetObject s3:GetObjectAttributes");
        assert_eq!(actions("lambda", "Invoke"), "lambda:InvokeFunction");
        assert_eq!(actions("cloudwatch", "PutMetricData"), "cloudwatch:PutMetricData");
        assert_eq!(actions("dynamodb", "PutItem"), "dynamodb:PutItem");
        assert_eq!(actions("apigateway", "GetRestApis"), "apigateway:GET");
        assert_eq!(actions("apigatewaymanagementapi", "PostToConnection"), "execute-api:ManageConnections");
        assert_eq!(actions("sts", "GetCallerIdentity"), "");
        assert_eq!(actions("iot-data", "Publish"), "iot:Publish");
        assert_eq!(actions("dynamodb", "TransactGetItems"), "dynamodb:GetItem");
        assert_eq!(requirement(&m, "dynamodb", "TransactWriteItems"), None);
        assert_eq!(requirement(&m, "apigateway", "TagResource"), None);
        assert_eq!(requirement(&m, "sts", "GetCallerIdentity"), Some(vec![]));
        assert_eq!(requirement(&m, "nope", "Nope"), None);
    }

    #[test]
    fn every_exception_cites_a_source() {
        for e in crate::exceptions::EXCEPTIONS {
            assert!(e.source.starts_with("https://docs.aws.amazon.com/"), "{} {}", e.service, e.operation);
        }
        for (from, _, source) in crate::exceptions::PREFIX_RENAMES {
            assert!(source.starts_with("https://docs.aws.amazon.com/"), "{from}");
        }
    }

    fn res(service: &str, action: &str, args: &[(&str, Option<&str>)]) -> String {
        let args: Vec<(String, Option<String>)> =
            args.iter().map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned))).collect();
        call_resource(service, action, &args).map_or("-".into(), |a| crate::policy::display(&a.pattern().text))
    }

    #[test]
    fn resources_from_literal_arguments() {
        let sqs_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/q";
        type Case<'a> = (&'a str, &'a str, &'a [(&'a str, Option<&'a str>)], &'a str);
        let cases: &[Case] = &[
            ("ssm", "ssm:GetParameter", &[("Name", Some("/app/x"))], "arn:*:ssm:*:*:parameter/app/x"),
            ("ssm", "ssm:GetParameter", &[("Name", Some("x:3"))], "arn:*:ssm:*:*:parameter/x"),
            ("ssm", "ssm:GetParameter", &[("Name", None)], "-"),
            ("ssm", "ssm:GetParametersByPath", &[("Path", Some("/app"))], "-"),
            ("s3", "s3:GetObject", &[("Bucket", Some("b")), ("Key", Some("k/1"))], "arn:*:s3:::b/k/1"),
            ("s3", "s3:GetObject", &[("Bucket", Some("b")), ("Key", None)], "arn:*:s3:::b/*"),
            ("s3", "s3:ListBucket", &[("Bucket", Some("b"))], "arn:*:s3:::b"),
            (
                "dynamodb",
                "dynamodb:Query",
                &[("TableName", Some("t")), ("IndexName", Some("i"))],
                "arn:*:dynamodb:*:*:table/t/index/i",
            ),
            ("sqs", "sqs:SendMessage", &[("QueueUrl", Some(sqs_url))], "arn:*:sqs:eu-west-1:123456789012:q"),
            ("lambda", "lambda:InvokeFunction", &[("FunctionName", Some("f"))], "arn:*:lambda:*:*:function:f"),
            ("lambda", "lambda:InvokeFunction", &[("FunctionName", Some("f")), ("Qualifier", Some("live"))], "-"),
            ("sns", "sns:Publish", &[("TopicArn", Some("arn:aws:sns:us-east-1:1:t"))], "arn:aws:sns:us-east-1:1:t"),
            (
                "secretsmanager",
                "secretsmanager:GetSecretValue",
                &[("SecretId", Some("db"))],
                "arn:*:secretsmanager:*:*:secret:db-??????",
            ),
            (
                "secretsmanager",
                "secretsmanager:GetSecretValue",
                &[("SecretId", Some("arn:aws:secretsmanager:us-east-1:1:secret:db"))],
                "arn:aws:secretsmanager:us-east-1:1:secret:db*",
            ),
        ];
        for (service, action, args, expected) in cases {
            assert_eq!(res(service, action, args), *expected, "{action} {args:?}");
        }
    }
}
