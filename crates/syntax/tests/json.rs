//! Snapshot tests of the JSON parser (same rendering as the YAML tests).

use expect_test::{Expect, expect};
use samwise_syntax::{Format, dump, parse};

fn check(text: &str, expect: Expect) {
    expect.assert_eq(&dump(&parse(text, Format::Json)));
}

#[test]
fn objects_arrays_strings_and_numbers() {
    check(
        r#"{"A": {"Ref": "B"}, "N": [1, -2.5e3, true, null], "S": "a\"\u00e9"}"#,
        expect![[r#"
        map flow 0..67
          key "A" 1..4
            map flow 6..18
              key "Ref" 7..12
                dq "B" 14..17
          key "N" 20..23
            seq flow 25..48
              str "1" 26..27
              str "-2.5e3" 29..35
              str "true" 37..41
              str "null" 43..47
          key "S" 50..53
            dq "a\"é" 55..66
    "#]],
    );
}

#[test]
fn missing_comma_trailing_comma_and_comments_recover() {
    check(
        "{\n \"A\": 1\n \"B\": [1, 2,],\n // c\n \"C\": x\n}",
        expect![[r#"
        map flow 0..40
          key "A" 3..6
            str "1" 8..9
          key "B" 11..14
            seq flow 16..23
              str "1" 17..18
              str "2" 20..21
          key "C" 32..35
            str "x" 37..38
        error SW1001 11..12 missing ',' between entries
        error SW1001 21..22 trailing comma: JSON does not allow a ',' before ']'
        error SW1001 26..30 comments are not allowed in JSON templates
        error SW1001 37..38 'x' is not a JSON value: strings need double quotes
    "#]],
    );
}

#[test]
fn unclosed_object_and_duplicate_keys() {
    check(
        "{\"A\": 1, \"A\": {\"B\": [",
        expect![[r#"
        map flow 0..21
          key "A" 1..4
            str "1" 6..7
          key "A" 9..12
            map flow 14..21
              key "B" 15..18
                seq flow 20..21
        error SW1001 20..21 this '[' is never closed: add ']'
        error SW1001 14..15 this '{' is never closed: add '}'
        error SW1001 0..1 this '{' is never closed: add '}'
        error SW1002 9..12 duplicate key 'A': CloudFormation keeps only one of them; remove or rename one
    "#]],
    );
}

#[test]
fn deep_nesting_is_bounded() {
    let text = format!("{{\"A\": {}{}, \"B\": 1}}", "[".repeat(10_000), "]".repeat(10_000));
    let tree = parse(&text, Format::Json);
    assert!(tree.diagnostics().iter().any(|d| d.code == "SW1003"));
    let root = tree.root().unwrap();
    assert_eq!(tree.as_str(tree.get_value(root, "B").unwrap()), Some("1"));
}
