//! The completion context: what kind of thing belongs at the cursor, decided from the structural
//! [`Cursor`] (path, key or value) and the value text typed so far on the line.
//!
//! The order of the checks matters: an intrinsic function argument (`!Ref `, `${`, `!FindInMap [`)
//! wins over the schema of the property it sits in, and the SAM-specific properties (`Policies`,
//! `Handler`, `CodeUri`) win over their plain schema.

use samwise_syntax::{Format, TextRange};
use samwise_template::intrinsics::long_name_of_tag;

use super::cursor::{At, Cursor};
use super::schema::Seg;

/// Whose schema a key or value belongs to: a resource's `Properties`, or a SAM `Globals` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Owner {
    /// The logical id, for a resource (not for Globals).
    pub resource: Option<String>,
    pub type_name: String,
    /// The path below `Properties` (or below the Globals section).
    pub rel: Vec<Seg>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Context {
    Section,
    ResourceAttribute,
    ResourceType,
    ParameterAttribute,
    ParameterType,
    OutputAttribute,
    GlobalsSection,
    /// Fixed values (`DeletionPolicy`, `Transform`, `AWSTemplateFormatVersion`).
    Fixed(&'static [&'static str]),
    SchemaKey(Owner),
    SchemaValue(Owner),
    /// A YAML short-form function tag being typed (`!Re`).
    ShortIntrinsic,
    /// A long-form function name typed as a key (`Fn::Ge`), where a value is expected.
    LongIntrinsic,
    RefTarget,
    /// `!GetAtt Res.Attr` or the list form: `resource` is set once the resource part is written.
    GetAtt {
        resource: Option<String>,
    },
    /// `${...}` inside a `Fn::Sub` string; `resource` is set after `${Res.`.
    SubVariable {
        resource: Option<String>,
    },
    FindInMap {
        level: usize,
        map: Option<String>,
        top: Option<String>,
    },
    ConditionName,
    DependsOn,
    PolicyTemplate,
    PolicyParameter {
        template: String,
    },
    Handler {
        resource: Option<String>,
    },
    CodeUri,
}

/// A context with the range the chosen item replaces.
#[derive(Debug, Clone)]
pub(crate) struct Classified {
    pub context: Context,
    pub range: TextRange,
}

/// Characters of the word a completion replaces in most contexts (`AWS::S3::Bucket`, `Fn::Sub`).
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-' | '.' | '!' | '/')
}

/// The range of the word around `offset`, for characters accepted by `word`.
pub(crate) fn word_range(text: &str, offset: u32, word: impl Fn(char) -> bool) -> TextRange {
    let off = offset as usize;
    let start = text[..off].char_indices().rev().take_while(|&(_, c)| word(c)).last().map_or(off, |(i, _)| i);
    let end = text[off..].char_indices().find(|&(_, c)| !word(c)).map_or(text.len(), |(i, _)| off + i);
    TextRange::new(start as u32, end as u32)
}

/// `type_of` gives the resource type of a logical id (from the template model).
pub(crate) fn classify(text: &str, c: &Cursor, type_of: &dyn Fn(&str) -> Option<String>) -> Option<Classified> {
    let plain = |ctx: Context| {
        let range = word_range(text, c.offset, is_word);
        Some(Classified { context: ctx, range })
    };
    if c.at == At::Value
        && let Some(found) = intrinsic_argument(text, c)
    {
        return Some(found);
    }
    let p = &c.path;
    let key = |i: usize| p.get(i).and_then(Seg::key);
    match c.at {
        At::Key => match (p.len(), key(0)) {
            (0, _) => plain(Context::Section),
            (2, Some("Resources")) => plain(Context::ResourceAttribute),
            (2, Some("Parameters")) => plain(Context::ParameterAttribute),
            (2, Some("Outputs")) => plain(Context::OutputAttribute),
            (1, Some("Globals")) => plain(Context::GlobalsSection),
            (1, _) | (2, _) if key(0) != Some("Globals") => None,
            _ => match owner(c, type_of) {
                Some(o) => {
                    if let [Seg::Key(pol), Seg::Item(_), Seg::Key(t)] = o.rel.as_slice()
                        && pol == "Policies"
                    {
                        return plain(Context::PolicyParameter { template: t.clone() });
                    }
                    if let [Seg::Key(pol), Seg::Item(_)] = o.rel.as_slice()
                        && pol == "Policies"
                    {
                        return plain(Context::PolicyTemplate);
                    }
                    plain(Context::SchemaKey(o))
                }
                None if key(0) == Some("Conditions") => plain(Context::LongIntrinsic),
                None => None,
            },
        },
        At::Value => {
            let last = c.last_key();
            match (p.len(), key(0), last) {
                (1, Some("AWSTemplateFormatVersion"), _) => plain(Context::Fixed(&["2010-09-09"])),
                (1, Some("Transform"), _) | (2, Some("Transform"), None) => {
                    plain(Context::Fixed(&["AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"]))
                }
                (3, Some("Resources"), Some("Type")) => plain(Context::ResourceType),
                (3, Some("Resources"), Some("DependsOn")) | (4, Some("Resources"), None)
                    if key(2) == Some("DependsOn") =>
                {
                    plain(Context::DependsOn)
                }
                (3, Some("Resources" | "Outputs"), Some("Condition")) => plain(Context::ConditionName),
                (3, Some("Resources"), Some("DeletionPolicy" | "UpdateReplacePolicy")) => {
                    plain(Context::Fixed(&["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"]))
                }
                (3, Some("Parameters"), Some("Type")) => plain(Context::ParameterType),
                _ => match owner(c, type_of) {
                    Some(o) => {
                        let rel: Vec<Option<&str>> = o.rel.iter().map(Seg::key).collect();
                        match rel.as_slice() {
                            [Some("Handler")] if is_function(&o.type_name) => {
                                plain(Context::Handler { resource: o.resource.clone() })
                            }
                            [Some("CodeUri" | "ContentUri" | "DefinitionUri" | "CodeUri.Path")] => {
                                let range = word_range(text, c.offset, |ch| {
                                    ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '.' | '/')
                                });
                                Some(Classified { context: Context::CodeUri, range })
                            }
                            [Some("Policies"), None] | [Some("Policies")] if is_function(&o.type_name) => {
                                plain(Context::PolicyTemplate)
                            }
                            _ => plain(Context::SchemaValue(o)),
                        }
                    }
                    None => plain(Context::ShortIntrinsic),
                },
            }
        }
    }
}

fn is_function(type_name: &str) -> bool {
    matches!(type_name, "AWS::Serverless::Function")
}

/// The schema owner of the cursor's path, if it is below a resource's `Properties` or in `Globals`.
fn owner(c: &Cursor, type_of: &dyn Fn(&str) -> Option<String>) -> Option<Owner> {
    let p = &c.path;
    let key = |i: usize| p.get(i).and_then(Seg::key);
    let rel_start = match key(0)? {
        "Resources" if key(2) == Some("Properties") => 3,
        "Globals" if p.len() >= 2 => 2,
        _ => return None,
    };
    let rel = p[rel_start..].to_vec();
    // Inside an intrinsic function's arguments the schema no longer applies.
    if rel.iter().any(|s| s.key().is_some_and(is_function_key)) {
        return None;
    }
    Some(Owner {
        resource: (rel_start == 3).then(|| key(1).unwrap_or("").to_owned()),
        type_name: if rel_start == 2 { format!("AWS::Serverless::{}", key(1)?) } else { type_of(key(1)?)? },
        rel,
    })
}

pub(crate) fn is_function_key(k: &str) -> bool {
    k == "Ref" || k.starts_with("Fn::")
}

/// An intrinsic function's argument at the cursor: from the value text on the line (`!Ref x`,
/// `!Sub "${x`, `!FindInMap [a, b`, `{Ref: x`) or from the path (`Ref:` / `Fn::If:` above).
fn intrinsic_argument(text: &str, c: &Cursor) -> Option<Classified> {
    let v = c.value_text.as_str();
    // `${` not yet closed: a Sub variable (the only place `${}` means something).
    if let Some(open) = v.rfind("${")
        && !v[open..].contains('}')
        && !v[open..].starts_with("${!")
    {
        let partial = &v[open + 2..];
        let resource = partial.split_once('.').map(|(r, _)| r.to_owned());
        let range = word_range(text, c.offset, |ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | ':'));
        return Some(Classified { context: Context::SubVariable { resource }, range });
    }
    let (function, arg_index, arg, prev) = match innermost_flow(v, c.last_key()) {
        Some(flow) => flow,
        None => {
            // `!Tag arg` on this line, or the function named by the key above.
            if let Some(rest) = v.strip_prefix('!')
                && c.format == Format::Yaml
            {
                match rest.split_once(' ') {
                    None => {
                        let range = word_range(text, c.offset, is_word);
                        return Some(Classified { context: Context::ShortIntrinsic, range });
                    }
                    Some((tag, arg)) => (
                        long_name_of_tag(&format!("!{tag}"))?.to_owned(),
                        0,
                        arg.trim_start().to_owned(),
                        c.prev_items.clone(),
                    ),
                }
            } else {
                let (f, idx) = function_of_path(c)?;
                (f, idx, v.to_owned(), c.prev_items.clone())
            }
        }
    };
    // A function call as an argument (`!Not [!Condition x`): the inner call is the one typed.
    let (function, arg_index, arg, prev) = match arg.strip_prefix('!') {
        Some(rest) if c.format == Format::Yaml && function != "Fn::Sub" => match rest.split_once(' ') {
            Some((tag, inner)) => {
                (long_name_of_tag(&format!("!{tag}"))?.to_owned(), 0, inner.trim_start().to_owned(), Vec::new())
            }
            None => {
                let range = word_range(text, c.offset, is_word);
                return Some(Classified { context: Context::ShortIntrinsic, range });
            }
        },
        _ => (function, arg_index, arg, prev),
    };
    let unquote = |s: &str| s.trim().trim_matches(|ch| ch == '"' || ch == '\'').to_owned();
    let arg = unquote(&arg);
    let plain = |context: Context| Some(Classified { context, range: word_range(text, c.offset, is_word) });
    match (function.as_str(), arg_index) {
        ("Ref", 0) => plain(Context::RefTarget),
        ("Condition", 0) => plain(Context::ConditionName),
        ("Fn::If", 0) => plain(Context::ConditionName),
        ("Fn::GetAtt", 0) if !arg.contains('.') => {
            let range = word_range(text, c.offset, |ch| ch.is_ascii_alphanumeric() || ch == '_');
            Some(Classified { context: Context::GetAtt { resource: None }, range })
        }
        ("Fn::GetAtt", 0) => {
            let resource = arg.split_once('.').map(|(r, _)| r.to_owned());
            let range = word_range(text, c.offset, |ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '.');
            // Only the attribute part is replaced.
            let dot = text[range.start as usize..c.offset as usize]
                .find('.')
                .map_or(range.start, |d| range.start + d as u32 + 1);
            Some(Classified { context: Context::GetAtt { resource }, range: TextRange::new(dot, range.end) })
        }
        ("Fn::GetAtt", 1) => plain(Context::GetAtt { resource: prev.first().map(|s| unquote(s)) }),
        ("Fn::FindInMap", level @ 0..=2) => plain(Context::FindInMap {
            level,
            map: prev.first().map(|s| unquote(s)),
            top: prev.get(1).map(|s| unquote(s)),
        }),
        ("DependsOn", _) => plain(Context::DependsOn),
        ("Fn::Sub", _) => None,
        // Any other function: its arguments may be further function calls.
        _ if c.format == Format::Yaml && (arg.is_empty() || arg.starts_with('!')) => plain(Context::ShortIntrinsic),
        _ => None,
    }
}

/// The function whose argument the cursor's path is in (`Ref:` above, or item `i` of `Fn::If:`).
fn function_of_path(c: &Cursor) -> Option<(String, usize)> {
    match c.path.as_slice() {
        [.., Seg::Key(k)] if is_function_key(k) || k == "Condition" => {
            // `Condition` is a function only inside conditions; as a resource attribute it is
            // handled by the path rules.
            if k == "Condition" && c.path.first().and_then(Seg::key) != Some("Conditions") {
                return None;
            }
            Some((k.clone(), 0))
        }
        [.., Seg::Key(k), Seg::Item(i)] if is_function_key(k) => Some((k.clone(), *i)),
        _ => None,
    }
}

/// The innermost unclosed `[` or `{` of a value: the function it belongs to, the argument index,
/// the argument typed so far and the earlier arguments.
fn innermost_flow(v: &str, outer: Option<&str>) -> Option<(String, usize, String, Vec<String>)> {
    let mut stack: Vec<usize> = Vec::new();
    let mut quote: Option<char> = None;
    for (i, ch) in v.char_indices() {
        match (quote, ch) {
            (Some(q), _) if ch == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(ch),
            (None, '[' | '{') => stack.push(i),
            (None, ']' | '}') => {
                stack.pop();
            }
            _ => {}
        }
    }
    let open = *stack.last()?;
    let inner = &v[open + 1..];
    let args = split_top_level(inner);
    let mut prev: Vec<String> = args.iter().map(|s| s.trim().to_owned()).collect();
    prev.pop();
    // The argument being typed keeps its trailing space (`!Condition ` is a call, `!Condition` a tag).
    let current = args.last().map_or(String::new(), |s| s.trim_start().to_owned());
    if v.as_bytes()[open] == b'{' {
        // `{Ref: x` / `{"Fn::GetAtt": [`: the key of the flow mapping names the function.
        let (k, arg) = current.split_once(':')?;
        let k = k.trim().trim_matches('"');
        return Some((k.to_owned(), 0, arg.trim().to_owned(), Vec::new()));
    }
    let head = v[..open].trim_end();
    let function = if let Some(tag) = head.rsplit(' ').next().filter(|t| t.starts_with('!')) {
        long_name_of_tag(tag)?.to_owned()
    } else if let Some(k) = head.strip_suffix(':') {
        let k = k.trim().trim_matches('"');
        let k = k.rsplit(['{', ',', ' ']).next().unwrap_or(k).trim_matches('"');
        if !is_function_key(k) {
            return None;
        }
        k.to_owned()
    } else if head.is_empty() {
        // `DependsOn: [A, ` or `Fn::FindInMap: [`: the value's key is the function.
        outer.filter(|k| is_function_key(k) || *k == "DependsOn")?.to_owned()
    } else {
        return None;
    };
    Some((function, prev.len(), current, prev))
}

/// Splits a flow sequence's inside at its top-level commas.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, ch) in s.char_indices() {
        match (quote, ch) {
            (Some(q), _) if ch == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(ch),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}
