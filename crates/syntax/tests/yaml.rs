//! Snapshot tests of the YAML parser: one node per line with byte ranges, then the diagnostics.
//! Update the expectations with `UPDATE_EXPECT=1 cargo test -p samwise-syntax`.

use expect_test::{Expect, expect};
use samwise_syntax::{Format, dump, parse};

fn check(text: &str, expect: Expect) {
    expect.assert_eq(&dump(&parse(text, Format::Yaml)));
}

#[test]
fn block_mapping_with_tags_and_sequences() {
    check(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: !Ref H\n      Layers:\n      - !GetAtt L.Arn\n      - x\n",
        expect![[r#"
            map 0..136
              key "Resources" 0..9
                map 13..136
                  key "Fn" 13..15
                    map 21..136
                      key "Type" 21..25
                        str "AWS::Serverless::Function" 27..52
                      key "Properties" 57..67
                        map 75..136
                          key "Handler" 75..82
                            str "H" 89..90 !Ref
                          key "Layers" 97..103
                            seq 111..136
                              str "L.Arn" 121..126 !GetAtt
                              str "x" 135..136
        "#]],
    );
}

#[test]
fn half_typed_key_under_properties_keeps_the_structure() {
    check(
        "Fn:\n  Properties:\n    Handler: app.handler\n    Runt\n    CodeUri: src/\n",
        expect![[r#"
            map 0..69
              key "Fn" 0..2
                map 6..69
                  key "Properties" 6..16
                    map 22..69
                      key "Handler" 22..29
                        str "app.handler" 31..42
                      key "Runt" 47..51 (no colon)
                        (none)
                      key "CodeUri" 56..63
                        str "src/" 65..69
            error SW1001 47..51 expected ':' after 'Runt': every line here is a `key: value` pair
        "#]],
    );
}

#[test]
fn empty_line_under_a_key_is_an_empty_value() {
    check(
        "Fn:\n  Properties:\n    \nOther: 1\n",
        expect![[r#"
        map 0..31
          key "Fn" 0..2
            map 6..17
              key "Properties" 6..16
                (none)
          key "Other" 23..28
            str "1" 30..31
    "#]],
    );
}

#[test]
fn key_with_nothing_after_the_colon_at_end_of_text() {
    check(
        "Resources:",
        expect![[r#"
        map 0..10
          key "Resources" 0..9
            (none)
    "#]],
    );
}

#[test]
fn flow_collections_with_tags_and_json_style() {
    check(
        "A: !If [IsProd, !Ref Big, !Ref \"AWS::NoValue\"]\nB: { \"Fn::GetAtt\": [Res, Arn], k: v }\nC: !Join\n  - ''\n  - [a, b]\n",
        expect![[r#"
            map 0..111
              key "A" 0..1
                seq flow 7..46 !If
                  str "IsProd" 8..14
                  str "Big" 21..24 !Ref
                  dq "AWS::NoValue" 31..45 !Ref
              key "B" 47..48
                map flow 50..84
                  key "Fn::GetAtt" 52..64
                    seq flow 66..76
                      str "Res" 67..70
                      str "Arn" 72..75
                  key "k" 78..79
                    str "v" 81..82
              key "C" 85..86
                seq 96..111 !Join
                  sq "" 98..100
                  seq flow 105..111
                    str "a" 106..107
                    str "b" 109..110
        "#]],
    );
}

#[test]
fn block_scalars_literal_folded_and_chomping() {
    check(
        "A: !Sub |\n  echo ${Bucket}\n    indented\n\n  last\nB: >-\n  folded\n  text\n\n  para\nC: |+\n  keep\n\nD: |2\n    two extra\n",
        expect![[r#"
            map 0..111
              key "A" 0..1
                lit "echo ${Bucket}\n  indented\n\nlast\n" 8..47 !Sub
              key "B" 48..49
                fold "folded text\npara" 51..77
              key "C" 78..79
                lit "keep\n\n" 81..90
              key "D" 92..93
                lit "  two extra\n" 95..111
        "#]],
    );
}

#[test]
fn multi_line_plain_and_quoted_scalars() {
    check(
        "A: one\n  two\n\n  three\nB: \"x\\ty \\u00e9\n  z\"\nC: 'it''s'\n",
        expect![[r#"
            map 0..53
              key "A" 0..1
                str "one two\nthree" 3..21
              key "B" 22..23
                dq "x\ty é z" 25..42
              key "C" 43..44
                sq "it's" 46..53
        "#]],
    );
}

#[test]
fn anchors_aliases_and_merge_keys() {
    check(
        "Base: &base\n  Runtime: python3.12\nFn:\n  <<: *base\n  Handler: a.b\nX: *nope\n",
        expect![[r#"
            map 0..73
              key "Base" 0..4
                map 14..33 &
                  key "Runtime" 14..21
                    str "python3.12" 23..33
              key "Fn" 34..36
                map 40..64
                  key "<<" 40..42
                    alias *base 44..49 -> Some(3)
                  key "Handler" 52..59
                    str "a.b" 61..64
              key "X" 65..66
                alias *nope 68..73 -> None
            error SW1004 68..73 alias '*nope' refers to no anchor defined before it (define `&nope` first)
        "#]],
    );
}

#[test]
fn comments_bom_crlf_and_document_marker() {
    check(
        "\u{feff}%YAML 1.2\r\n--- # start\r\n# c\r\nA: 1 # one\r\nB: \"x\" # two\r\n",
        expect![[r#"
        map 32..50
          key "A" 32..33
            str "1" 35..36
          key "B" 44..45
            dq "x" 47..50
    "#]],
    );
}

#[test]
fn unclosed_flow_sequence_recovers_at_the_next_key() {
    check(
        "A: [a, b\nB: 2\n",
        expect![[r#"
        map 0..13
          key "A" 0..1
            seq flow 3..8
              str "a" 4..5
              str "b" 7..8
          key "B" 9..10
            str "2" 12..13
        error SW1001 3..4 this '[' is never closed: add ']'
    "#]],
    );
}

#[test]
fn duplicate_keys_are_reported_on_the_second() {
    check(
        "A: 1\nB: 2\nA: 3\n",
        expect![[r#"
        map 0..14
          key "A" 0..1
            str "1" 3..4
          key "B" 5..6
            str "2" 8..9
          key "A" 10..11
            str "3" 13..14
        error SW1002 10..11 duplicate key 'A': CloudFormation keeps only one of them; remove or rename one
    "#]],
    );
}

#[test]
fn over_indented_line_is_reported_and_skipped() {
    check(
        "A:\n  b: 1\n    c: 2\n  d: 3\n",
        expect![[r#"
        map 0..25
          key "A" 0..1
            map 5..25
              key "b" 5..6
                str "1" 8..9
              key "d" 21..22
                str "3" 24..25
        error SW1001 14..18 unexpected indentation: this line is indented 4 spaces, the keys around it 2
    "#]],
    );
}

#[test]
fn sequences_of_compact_mappings_and_nested_sequences() {
    check(
        "- Key: a\n  Value: b\n- - x\n  - y\n-\n- !Ref Z\n",
        expect![[r#"
        seq 0..42
          map 2..19
            key "Key" 2..5
              str "a" 7..8
            key "Value" 11..16
              str "b" 18..19
          seq 22..31
            str "x" 24..25
            str "y" 30..31
          str "" 33..33
          str "Z" 41..42 !Ref
    "#]],
    );
}

#[test]
fn unterminated_quote_ends_with_its_line() {
    check(
        "A: \"abc\nB: 1\n",
        expect![[r#"
        map 0..12
          key "A" 0..1
            dq "abc" 3..7
          key "B" 8..9
            str "1" 11..12
        error SW1001 3..7 unterminated string: add the closing "
    "#]],
    );
}

#[test]
fn tabs_in_indentation_and_a_second_document() {
    check(
        "A:\n\tb: 1\n---\nB: 2\n",
        expect![[r#"
        map 0..8
          key "A" 0..1
            map 4..8
              key "b" 4..5
                str "1" 7..8
        error SW1001 3..4 tab character in indentation: YAML indents with spaces only
        error SW1001 9..12 a template holds one YAML document; the text after this marker is ignored
    "#]],
    );
}

#[test]
fn mapping_on_the_same_line_as_its_key_is_an_error() {
    check(
        "A: b: c\nD: e\n",
        expect![[r#"
        map 0..12
          key "A" 0..1
            str "b: c" 3..7
          key "D" 8..9
            str "e" 11..12
        error SW1001 4..5 a mapping cannot start on the same line as its key; put it on the next line, indented
    "#]],
    );
}

#[test]
fn empty_and_comment_only_documents_have_no_root() {
    check("", expect![[r#""#]]);
    check("# nothing\n\n", expect![[r#""#]]);
}

#[test]
fn deep_nesting_is_bounded() {
    let flow = format!("A: {}{}\nB: 1\n", "[".repeat(10_000), "]".repeat(10_000));
    let tree = parse(&flow, Format::Yaml);
    assert!(tree.diagnostics().iter().any(|d| d.code == "SW1003"), "{:?}", tree.diagnostics());
    let root = tree.root().unwrap();
    assert_eq!(tree.as_str(tree.get_value(root, "B").unwrap()), Some("1"));

    let mut block = String::new();
    for i in 0..10_000 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    let tree = parse(&block, Format::Yaml);
    assert!(tree.diagnostics().iter().any(|d| d.code == "SW1003"));

    let dashes = format!("{}x\n", "- ".repeat(10_000));
    let tree = parse(&dashes, Format::Yaml);
    assert!(tree.diagnostics().iter().any(|d| d.code == "SW1003"));
}

#[test]
fn alias_bomb_parses_in_linear_time() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..30 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
    }
    let start = std::time::Instant::now();
    let tree = parse(&text, Format::Yaml);
    // Aliases stay references: the tree holds only what was written.
    assert!(tree.len() < 400, "{}", tree.len());
    assert!(tree.has_aliases());
    assert!(start.elapsed().as_secs() < 5);
}

#[test]
fn path_at_finds_the_innermost_node() {
    let text = "A:\n  B: [x, yz]\n";
    let tree = parse(text, Format::Yaml);
    let at = text.find("yz").unwrap() as u32 + 1;
    let path = tree.path_at(at);
    let last = *path.last().unwrap();
    assert_eq!(tree.as_str(last), Some("yz"));
    assert_eq!(path.len(), 4);
}

#[test]
fn tag_on_the_line_below_its_key_and_flow_content_at_the_key_indentation() {
    check(
        "A:\n  !Join [\"\", [a, !Ref B]]\nR: [\n!Sub x\n]\nC: 1\n",
        expect![[r#"
        map 0..47
          key "A" 0..1
            seq flow 11..28 !Join
              dq "" 12..14
              seq flow 16..27
                str "a" 17..18
                str "B" 25..26 !Ref
          key "R" 29..30
            seq flow 32..42
              str "x" 39..40 !Sub
          key "C" 43..44
            str "1" 46..47
    "#]],
    );
}

#[test]
fn a_lone_cr_before_a_multi_byte_character_does_not_split_it() {
    // Found by the LSP editing fuzz: line folding and escaped breaks skipped two bytes after any `\r`.
    for text in ["a: \"x\ré\"\n", "a: 'x\r😀'\n", "a: \"x\\\ré\"\n", "a: |\r é\n", "a: >\rb\r中\n"] {
        dump(&parse(text, Format::Yaml));
    }
}
