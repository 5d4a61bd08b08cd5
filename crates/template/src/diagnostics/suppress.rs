//! In-file suppression: `Metadata: { samwise: { ignore: [SW2001, ...] } }` at the template's top
//! level silences those codes everywhere; under a resource, within that resource only.

use samwise_syntax::{Diagnostic, NodeId, TextRange};

use crate::model::Template;

fn ignored_codes(t: &Template, metadata: Option<NodeId>) -> Vec<String> {
    let tree = &t.tree;
    let Some(list) = metadata.and_then(|m| tree.get_value(m, "samwise")).and_then(|s| tree.get_value(s, "ignore"))
    else {
        return Vec::new();
    };
    let mut codes: Vec<String> = tree.items(list).iter().filter_map(|&i| tree.as_str(i)).map(str::to_owned).collect();
    if let Some(one) = tree.as_str(list) {
        codes.push(one.to_owned());
    }
    codes
}

pub(super) fn apply(t: &Template, out: &mut Vec<Diagnostic>) {
    let global = ignored_codes(t, t.section("Metadata"));
    let scoped: Vec<(TextRange, Vec<String>)> = t
        .resources
        .iter()
        .filter_map(|r| {
            let v = r.value?;
            let codes = ignored_codes(t, t.tree.get_value(v, "Metadata"));
            (!codes.is_empty()).then(|| {
                (t.tree.entry_range(&samwise_syntax::Entry { key: r.key, value: Some(v), colon: None }), codes)
            })
        })
        .collect();
    out.retain(|d| {
        let code = d.code;
        if global.iter().any(|c| c == code) {
            return false;
        }
        !scoped.iter().any(|(range, codes)| range.contains_range(d.range) && codes.iter().any(|c| c == code))
    });
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::fixture::check_fixture;

    #[test]
    fn suppressed_at_template_and_resource_level() {
        check_fixture(
            r#"
AWSTemplateFormatVersion: "2010-09-09"
Metadata:
  samwise:
    ignore: [SW3009]
Parameters:
  Unused: { Type: String }
Resources:
  A:
    Type: AWS::SNS::Topic
    Metadata: { samwise: { ignore: [SW3001] } }
    Properties: { TopicName: !Ref Nope }
  B:
    Type: AWS::SNS::Topic
    Properties: { TopicName: !Ref Nope }
#                                 ^^^^ error SW3001: Ref names 'Nope', which is not a parameter, a resource or a pseudo parameter; define it under Parameters (or Resources)
"#,
            "SW30",
        );
    }
}
