//! Every feature at every cursor position of broken, half-typed and non-ASCII code: no panics, and
//! ranges that stay inside the document on character boundaries.

mod common;

use samwise_boto::PyFile;

const BROKEN: &[&str] = &[
    "import boto3\nssm = boto3.client('ssm')\ndef h(e, c):\n    ssm.get_parameter(Name='ü/ñ', \n    if (:\n        s3 = boto3.resource(\"s3\").\n",
    "import boto3\nc = boto3.client(\"ss\ndef f(:\n  c.get_parameter(Name=\"x\", Filters=[{\"Ke\n",
    "from boto3 import client as mk\nx = mk('dynamodb')\nx.put_item(TableName='t', Item={'id': {'S': '日本'}, **extra}, [1, 2]\nx.query(\n",
    "import boto3\nclass A:\n    c = boto3.client('sqs')\n    def f(self):\n        self.c.send_message(QueueUrl=1, MessageBody=b'', MessageAttributes={'k': {'DataType': }})\n        r = self.c.receive_message(QueueUrl='u')['Messages'][0]['\n",
    "",
    "boto3.client('s3').get_object(Bucket='b', Key='k')['Body'].read(",
];

#[test]
fn all_features_at_every_offset_of_broken_code() {
    let models = common::models();
    for text in BROKEN {
        let file = PyFile::parse(text);
        let len = text.len() as u32;
        let ok = |r: samwise_boto::TextRange| {
            r.start <= r.end
                && r.end <= len
                && text.is_char_boundary(r.start as usize)
                && text.is_char_boundary(r.end as usize)
        };
        for d in file.diagnostics(models) {
            assert!(ok(d.range), "{d:?} in {text:?}");
            for f in &d.fixes {
                assert!(f.edits.iter().all(|e| ok(e.range)), "{f:?}");
            }
        }
        for c in file.calls(models) {
            assert!(ok(c.range) && ok(c.method_range));
        }
        for offset in (0..=len).filter(|o| text.is_char_boundary(*o as usize)) {
            for item in file.completions(models, offset) {
                assert!(ok(item.replace_range), "{item:?} at {offset} in {text:?}");
            }
            if let Some(h) = file.hover(models, offset) {
                assert!(ok(h.range));
            }
            if let Some(s) = file.signature_help(models, offset) {
                assert!(s.parameters.iter().all(|(r, _)| r.end as usize <= s.label.len()));
            }
        }
    }
}
