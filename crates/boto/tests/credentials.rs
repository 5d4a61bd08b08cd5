//! Credential hygiene fixtures (SW7001-SW7003): each shape with code that triggers it and code that
//! must stay silent, plus the quick fix applied to the text. Keys here are made up; none is real.

mod common;

use common::{annotate, models};
use expect_test::expect;
use samwise_boto::PyFile;

/// The text after applying the first fix of the first diagnostic with `code`.
fn apply_fix(text: &str, code: &str) -> String {
    let diags = PyFile::parse(text).diagnostics(models());
    let d = diags.iter().find(|d| d.code == code).expect("a diagnostic with that code");
    let mut edits = d.fixes[0].edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_owned();
    for e in edits {
        out.replace_range(e.range.as_range(), &e.new_text);
    }
    out
}

#[test]
fn credential_keyword_arguments_sw7001() {
    let text = "import boto3\ns3 = boto3.client('s3', region_name='eu-west-1', aws_access_key_id='mykeyid', aws_secret_access_key='mysecret')\nsession = boto3.Session(aws_access_key_id='k', aws_secret_access_key='s', aws_session_token='t')\ns2 = boto3.session.Session(aws_access_key_id='k')\nt = session.resource('dynamodb', aws_session_token='tok')\nok = boto3.client('s3', aws_access_key_id=os.environ['KEY'], aws_secret_access_key='')\n";
    expect![[r#"
        import boto3
        s3 = boto3.client('s3', region_name='eu-west-1', aws_access_key_id='mykeyid', aws_secret_access_key='mysecret')
                                                                         # ^^^^^^^^^ warning SW7001: hard-coded AWS credential in 'aws_access_key_id'; omit it so boto3 uses the default credential chain (environment, profile, role) [fix: Remove the credentials (use the default credential chain)]
                                                                                                          # ^^^^^^^^^^ warning SW7001: hard-coded AWS credential in 'aws_secret_access_key'; omit it so boto3 uses the default credential chain (environment, profile, role) [fix: Remove the credentials (use the default credential chain)]
        session = boto3.Session(aws_access_key_id='k', aws_secret_access_key='s', aws_session_token='t')
                                                # ^^^ warning SW7001: hard-coded AWS credential in 'aws_access_key_id'; omit it so boto3 uses the default credential chain (environment, profile, role) [fix: Remove the credentials (use the default credential chain)]
                                                                           # ^^^ warning SW7001: hard-coded AWS credential in 'aws_secret_access_key'; omit it so boto3 uses the default credential chain (environment, profile, role) [fix: Remove the credentials (use the default credential chain)]
                                                                                                  # ^^^ warning SW7001: hard-coded AWS credential in 'aws_session_token'; omit it so boto3 uses the default credential chain (environment, profile, role) [fix: Remove the credentials (use the default credential chain)]
        s2 = boto3.session.Session(aws_access_key_id='k')
                                                   # ^^^ warning SW7001: hard-coded AWS credential in 'aws_access_key_id'; omit it so boto3 uses the default credential chain (environment, profile, role) [fix: Remove the credentials (use the default credential chain)]
        t = session.resource('dynamodb', aws_session_token='tok')
                                                         # ^^^^^ warning SW7001: hard-coded AWS credential in 'aws_session_token'; omit it so boto3 uses the default credential chain (environment, profile, role) [fix: Remove the credentials (use the default credential chain)]
        ok = boto3.client('s3', aws_access_key_id=os.environ['KEY'], aws_secret_access_key='')
    "#]].assert_eq(&annotate(text));
}

#[test]
fn fix_removes_the_credential_arguments() {
    let cases = [
        "import boto3\ns3 = boto3.client('s3', aws_access_key_id='k', aws_secret_access_key='s', region_name='eu-west-1')\n",
        "import boto3\ns3 = boto3.client('s3', region_name='eu-west-1', aws_access_key_id='k', aws_secret_access_key='s',)\n",
        "import boto3\ns = boto3.Session(aws_access_key_id='k', aws_secret_access_key='s',)\n",
        "import boto3\ns3 = boto3.client(\n    's3',\n    aws_access_key_id='k',  # from the console\n    aws_secret_access_key='s',\n    region_name='eu-west-1',\n)\n",
    ];
    let fixed: Vec<String> = cases.iter().map(|c| apply_fix(c, "SW7001")).collect();
    expect![[r#"
        import boto3
        s3 = boto3.client('s3', region_name='eu-west-1')
        ---
        import boto3
        s3 = boto3.client('s3', region_name='eu-west-1',)
        ---
        import boto3
        s = boto3.Session()
        ---
        import boto3
        s3 = boto3.client(
            's3',
            region_name='eu-west-1',
        )
    "#]]
    .assert_eq(&fixed.join("---\n"));
    for f in &fixed {
        let left: Vec<_> =
            PyFile::parse(f).diagnostics(models()).into_iter().filter(|d| d.code.starts_with("SW7")).collect();
        assert!(left.is_empty(), "{f}: {left:?}");
    }
}

#[test]
fn access_key_id_anywhere_sw7002_and_secret_next_to_it_sw7003() {
    let text = "import boto3\nKEY_ID = 'AKIAZ7Q3EXAMPLE1ABCD'\nSECRET = 'q8Hf3kL0pZ/x+T2mN9vB4cR7sW1yE6uJ0aD5gK3h'\nCONFIG = {'id': 'ASIAZ7Q3R5T7V9X1B3D5', 'secret': 'Zq8Hf3kL0pZ/x+T2mN9vB4cR7sW1yE6uJ0aD5gK3'}\nmsg = f'key AKIAZ7Q3R5T7V9X1B3D6 in text'\nregion = 'eu-west-1'\nunrelated = 'q8Hf3kL0pZ/x+T2mN9vB4cR7sW1yE6uJ0aD5gK3h'\n";
    expect![[r#"
        import boto3
        KEY_ID = 'AKIAZ7Q3EXAMPLE1ABCD'
               # ^^^^^^^^^^^^^^^^^^^^^^ warning SW7002: hard-coded AWS access key id (AKIA…); read credentials from the environment, a profile or a role instead
        SECRET = 'q8Hf3kL0pZ/x+T2mN9vB4cR7sW1yE6uJ0aD5gK3h'
               # ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning SW7003: hard-coded AWS secret access key (40 characters next to an access key id); read credentials from the environment, a profile or a role instead
        CONFIG = {'id': 'ASIAZ7Q3R5T7V9X1B3D5', 'secret': 'Zq8Hf3kL0pZ/x+T2mN9vB4cR7sW1yE6uJ0aD5gK3'}
                      # ^^^^^^^^^^^^^^^^^^^^^^ warning SW7002: hard-coded AWS access key id (ASIA…); read credentials from the environment, a profile or a role instead
                                                        # ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning SW7003: hard-coded AWS secret access key (40 characters next to an access key id); read credentials from the environment, a profile or a role instead
        msg = f'key AKIAZ7Q3R5T7V9X1B3D6 in text'
            # ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning SW7002: hard-coded AWS access key id (AKIA…); read credentials from the environment, a profile or a role instead
        region = 'eu-west-1'
        unrelated = 'q8Hf3kL0pZ/x+T2mN9vB4cR7sW1yE6uJ0aD5gK3h'
    "#]].assert_eq(&annotate(text));
}

#[test]
fn credentials_from_the_environment_are_fine() {
    let text = r#"import os
import boto3

session = boto3.Session(profile_name=os.environ.get("AWS_PROFILE", "default"))
s3 = session.client("s3")
sts = boto3.client(
    "sts",
    aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
    aws_session_token=os.environ.get("AWS_SESSION_TOKEN"),
)
creds = sts.assume_role(RoleArn=os.environ["ROLE_ARN"], RoleSessionName="handler")["Credentials"]
ddb = boto3.resource(
    "dynamodb",
    aws_access_key_id=creds["AccessKeyId"],
    aws_secret_access_key=creds["SecretAccessKey"],
    aws_session_token=creds["SessionToken"],
)
# AWS's documentation placeholders are not keys.
EXAMPLE_ID = "AKIAIOSFODNN7EXAMPLE"
EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def handler(event, context):
    bucket = os.environ["BUCKET"]
    return s3.get_object(Bucket=bucket, Key=event["key"])
"#;
    let diags: Vec<_> =
        PyFile::parse(text).diagnostics(models()).into_iter().filter(|d| d.code.starts_with("SW7")).collect();
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn example_project_handler_has_no_finding() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/parameter-store/src/app.py");
    let text = std::fs::read_to_string(path).expect("the example handler exists");
    let diags: Vec<_> =
        PyFile::parse(&text).diagnostics(models()).into_iter().filter(|d| d.code.starts_with("SW7")).collect();
    assert!(diags.is_empty(), "{diags:?}");
}
