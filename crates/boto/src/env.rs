//! What the template cross-checks (`samwise-ide`'s `crossref`) need to know about a Python file:
//! the environment variables it reads, and its outline — module-level names, the signatures and
//! docstrings of its top-level functions, and the modules it imports.
//!
//! Environment reads are recognised in the spellings Python code uses: `os.environ["X"]`,
//! `os.environ.get("X"[, d])`, `os.getenv("X"[, d])`, `"X" in os.environ`, and `environ`/`getenv`
//! imported with `from os import ...` (aliases included). Only literal names count; any other use of
//! `os.environ` (a non-literal key, iteration, `**os.environ`, passing it on) marks the file as reading
//! the environment *dynamically*, which tells the caller it cannot know which variables are unused.

use tree_sitter::Node;

use crate::literal::{string_content_range, string_value};
use crate::{PyFile, TextRange, range_of};

/// One read of an environment variable with a literal name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvRead {
    pub name: String,
    /// The name inside the string literal (quotes excluded).
    pub range: TextRange,
    /// Whether the code copes with the variable being unset (`.get("X", d)`, `getenv("X", d)`,
    /// `"X" in os.environ`).
    pub has_default: bool,
}

/// The environment variables a file reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvReads {
    pub reads: Vec<EnvRead>,
    /// Variables the file sets itself (`os.environ["X"] = ...`, `os.environ.setdefault("X", ...)`).
    pub writes: Vec<String>,
    /// The file uses `os.environ` in a way that may read any variable.
    pub dynamic: bool,
}

/// A top-level function (`def`/`async def`, decorated or not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyFunction {
    pub name: String,
    pub name_range: TextRange,
    /// The header as written, from `def` (or `async`) to the end of the parameters or return type.
    pub signature: String,
    /// The docstring's text (quotes excluded), when the body starts with a plain string.
    pub docstring: Option<String>,
    /// Parameters that can be passed positionally.
    pub positional: u32,
    /// Positional parameters without a default.
    pub required_positional: u32,
    /// Whether it takes `*args`.
    pub star_args: bool,
    /// Whether it has a keyword-only parameter without a default (a positional call cannot fill it).
    pub required_keyword_only: bool,
    /// Whether decorators wrap it (they may change what the runtime calls).
    pub decorated: bool,
}

/// One `import` statement: `import a.b` is `module: "a.b", names: []`; `from .x import y, z` is
/// `module: ".x", names: ["y", "z"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyImport {
    pub module: String,
    pub names: Vec<String>,
}

/// The module-level facts of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PyOutline {
    pub functions: Vec<PyFunction>,
    /// Every name bound at module level (functions, classes, assignments, imports), including inside
    /// top-level `if`/`try`/`with` blocks.
    pub names: Vec<String>,
    /// `from m import *` at module level: any name may be bound.
    pub star_import: bool,
    /// Every import statement of the file, at any depth.
    pub imports: Vec<PyImport>,
}

/// The local names under which a file reaches `os`, `os.environ` and `os.getenv`.
#[derive(Default)]
struct Aliases {
    os: Vec<String>,
    environ: Vec<String>,
    getenv: Vec<String>,
}

pub(crate) fn env_reads(file: &PyFile) -> EnvReads {
    let mut aliases = Aliases::default();
    crate::for_each_named(file.root(), |n| {
        collect_os_aliases(file, n, &mut aliases);
        true
    });
    let mut out = EnvReads::default();
    if aliases.os.is_empty() && aliases.environ.is_empty() && aliases.getenv.is_empty() {
        return out;
    }
    crate::for_each_named(file.root(), |n| {
        if matches!(n.kind(), "import_statement" | "import_from_statement") {
            return false;
        }
        if is_environ(file, &aliases, n) {
            environ_use(file, n, &mut out);
            return false;
        }
        if n.kind() == "call"
            && let Some(f) = n.child_by_field_name("function")
            && is_getenv(file, &aliases, f)
        {
            let args = n.child_by_field_name("arguments");
            record_call_read(file, args, &mut out);
        }
        true
    });
    out
}

fn collect_os_aliases(file: &PyFile, n: Node<'_>, a: &mut Aliases) {
    match n.kind() {
        "import_statement" => {
            let mut c = n.walk();
            for name in n.children_by_field_name("name", &mut c) {
                match name.kind() {
                    "dotted_name" if file.node_text(name) == "os" => a.os.push("os".into()),
                    "aliased_import" => {
                        let module = name.child_by_field_name("name").map(|m| file.node_text(m));
                        let alias = name.child_by_field_name("alias").map(|m| file.node_text(m));
                        if let (Some("os"), Some(alias)) = (module, alias) {
                            a.os.push(alias.to_owned());
                        }
                    }
                    _ => {}
                }
            }
        }
        "import_from_statement" => {
            if n.child_by_field_name("module_name").map(|m| file.node_text(m)) != Some("os") {
                return;
            }
            let mut c = n.walk();
            if n.named_children(&mut c).any(|x| x.kind() == "wildcard_import") {
                a.environ.push("environ".into());
                a.getenv.push("getenv".into());
            }
            let mut c = n.walk();
            for name in n.children_by_field_name("name", &mut c) {
                let (orig, local) = match name.kind() {
                    "aliased_import" => (
                        name.child_by_field_name("name").map(|m| file.node_text(m)),
                        name.child_by_field_name("alias").map(|m| file.node_text(m)),
                    ),
                    _ => (Some(file.node_text(name)), Some(file.node_text(name))),
                };
                match (orig, local) {
                    (Some("environ"), Some(l)) => a.environ.push(l.to_owned()),
                    (Some("getenv"), Some(l)) => a.getenv.push(l.to_owned()),
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// Whether `n` is `os.environ` (any alias of `os`) or a name imported as `from os import environ`.
fn is_environ(file: &PyFile, a: &Aliases, n: Node<'_>) -> bool {
    is_os_member(file, &a.os, &a.environ, n, "environ")
}

fn is_getenv(file: &PyFile, a: &Aliases, n: Node<'_>) -> bool {
    is_os_member(file, &a.os, &a.getenv, n, "getenv")
}

fn is_os_member(file: &PyFile, os: &[String], direct: &[String], n: Node<'_>, member: &str) -> bool {
    match n.kind() {
        "attribute" => {
            let object = n.child_by_field_name("object").map(|o| (o.kind(), file.node_text(o)));
            let attr = n.child_by_field_name("attribute").map(|o| file.node_text(o));
            matches!(object, Some(("identifier", o)) if os.iter().any(|x| x == o)) && attr == Some(member)
        }
        "identifier" => {
            // The `environ` of `x.environ` is an attribute name, not the imported one.
            let is_attr_name =
                n.parent().is_some_and(|p| p.kind() == "attribute" && p.child_by_field_name("attribute") == Some(n));
            !is_attr_name && direct.iter().any(|d| d == file.node_text(n))
        }
        _ => false,
    }
}

/// Classifies one use of `os.environ`: a read or write of a literal name, or a dynamic use.
fn environ_use(file: &PyFile, n: Node<'_>, out: &mut EnvReads) {
    let Some(parent) = n.parent() else { return };
    match parent.kind() {
        "subscript" if parent.child_by_field_name("value") == Some(n) => {
            let mut c = parent.walk();
            let keys: Vec<Node<'_>> = parent.children_by_field_name("subscript", &mut c).collect();
            let name = match keys.as_slice() {
                [k] => literal_name(file, *k),
                _ => None,
            };
            let Some((name, range)) = name else {
                out.dynamic = true;
                return;
            };
            if is_store_target(parent) {
                out.writes.push(name);
            } else {
                out.reads.push(EnvRead { name, range, has_default: false });
            }
        }
        "attribute" if parent.child_by_field_name("object") == Some(n) => {
            let method = parent.child_by_field_name("attribute").map(|m| file.node_text(m)).unwrap_or("");
            let call =
                parent.parent().filter(|c| c.kind() == "call" && c.child_by_field_name("function") == Some(parent));
            let args = call.and_then(|c| c.child_by_field_name("arguments"));
            match (method, args) {
                ("get" | "pop", Some(_)) => record_call_read(file, args, out),
                ("setdefault", Some(args)) => match first_literal_arg(file, args) {
                    Some((name, _)) => out.writes.push(name),
                    None => out.dynamic = true,
                },
                _ => out.dynamic = true,
            }
        }
        "comparison_operator" => {
            // `"X" in os.environ` / `"X" not in os.environ`: a presence check, so the code copes
            // with the variable being unset.
            let mut c = parent.walk();
            let operands: Vec<Node<'_>> = parent.named_children(&mut c).collect();
            let is_membership = {
                let mut c = parent.walk();
                parent.children(&mut c).any(|x| matches!(x.kind(), "in" | "not in"))
            };
            match (is_membership, operands.as_slice()) {
                (true, [key, env]) if *env == n => match literal_name(file, *key) {
                    Some((name, range)) => out.reads.push(EnvRead { name, range, has_default: true }),
                    None => out.dynamic = true,
                },
                _ => out.dynamic = true,
            }
        }
        _ => out.dynamic = true,
    }
}

/// `getenv("X"[, d])`, `environ.get("X"[, d])`, `environ.pop("X"[, d])`: a read of a literal name,
/// with a default when a second argument (or `default=`) is given.
fn record_call_read(file: &PyFile, args: Option<Node<'_>>, out: &mut EnvReads) {
    let Some(args) = args else {
        out.dynamic = true;
        return;
    };
    let Some((name, range)) = first_literal_arg(file, args) else {
        out.dynamic = true;
        return;
    };
    let mut c = args.walk();
    let count = args.named_children(&mut c).filter(|a| a.kind() != "comment").count();
    out.reads.push(EnvRead { name, range, has_default: count >= 2 });
}

fn first_literal_arg(file: &PyFile, args: Node<'_>) -> Option<(String, TextRange)> {
    let mut c = args.walk();
    let first = args.named_children(&mut c).find(|a| a.kind() != "comment")?;
    literal_name(file, first)
}

/// A plain string literal's value and the range of its content.
fn literal_name(file: &PyFile, n: Node<'_>) -> Option<(String, TextRange)> {
    let value = string_value(file, n)?;
    let (s, e) = string_content_range(n)?;
    Some((value, TextRange::new(s as u32, e as u32)))
}

/// Whether a subscript is written to (`x[k] = v`, `x[k] += v`, `del x[k]`, `for x[k] in ...`).
fn is_store_target(n: Node<'_>) -> bool {
    let mut child = n;
    while let Some(p) = child.parent() {
        match p.kind() {
            "pattern_list" | "tuple_pattern" | "list_pattern" => child = p,
            "assignment" | "augmented_assignment" => return p.child_by_field_name("left") == Some(child),
            "delete_statement" => return true,
            "for_statement" => return p.child_by_field_name("left") == Some(child),
            _ => return false,
        }
    }
    false
}

pub(crate) fn outline(file: &PyFile) -> PyOutline {
    let mut out = PyOutline::default();
    module_level(file, file.root(), &mut out);
    crate::for_each_named(file.root(), |n| match n.kind() {
        "import_statement" => {
            let mut c = n.walk();
            for name in n.children_by_field_name("name", &mut c) {
                let module = match name.kind() {
                    "aliased_import" => name.child_by_field_name("name"),
                    _ => Some(name),
                };
                if let Some(m) = module {
                    out.imports.push(PyImport { module: file.node_text(m).to_owned(), names: Vec::new() });
                }
            }
            false
        }
        "import_from_statement" => {
            let module = n.child_by_field_name("module_name").map(|m| file.node_text(m)).unwrap_or("");
            let mut c = n.walk();
            let names = n
                .children_by_field_name("name", &mut c)
                .filter_map(|x| match x.kind() {
                    "aliased_import" => x.child_by_field_name("name"),
                    _ => Some(x),
                })
                .map(|x| file.node_text(x).to_owned())
                .collect();
            out.imports.push(PyImport { module: module.replace(char::is_whitespace, ""), names });
            false
        }
        _ => true,
    });
    out
}

/// The bindings of a block of module-level statements (recursing into `if`/`try`/`with` bodies and
/// their clauses, which still bind module names).
fn module_level(file: &PyFile, block: Node<'_>, out: &mut PyOutline) {
    let mut c = block.walk();
    let statements: Vec<Node<'_>> = block.named_children(&mut c).collect();
    for s in statements {
        match s.kind() {
            "function_definition" => function(file, s, false, out),
            "decorated_definition" => {
                if let Some(def) = s.child_by_field_name("definition") {
                    match def.kind() {
                        "function_definition" => function(file, def, true, out),
                        _ => push_name(file, def.child_by_field_name("name"), out),
                    }
                }
            }
            "class_definition" => push_name(file, s.child_by_field_name("name"), out),
            "expression_statement" => {
                let mut c = s.walk();
                let parts: Vec<Node<'_>> = s.named_children(&mut c).collect();
                for a in parts.into_iter().filter(|a| a.kind() == "assignment") {
                    assigned_names(file, a, out);
                }
            }
            "import_statement" | "import_from_statement" => {
                let mut c = s.walk();
                if s.named_children(&mut c).any(|x| x.kind() == "wildcard_import") {
                    out.star_import = true;
                }
                let mut c = s.walk();
                let names: Vec<Node<'_>> = s.children_by_field_name("name", &mut c).collect();
                for name in names {
                    let local = match name.kind() {
                        "aliased_import" => name.child_by_field_name("alias").map(|a| file.node_text(a)),
                        // `import a.b` binds `a`.
                        _ => file.node_text(name).split('.').next(),
                    };
                    if let Some(l) = local {
                        out.names.push(l.to_owned());
                    }
                }
            }
            "if_statement" | "try_statement" | "with_statement" | "else_clause" | "elif_clause" | "except_clause"
            | "finally_clause" | "block" => module_level(file, s, out),
            _ => {}
        }
    }
}

fn push_name(file: &PyFile, n: Option<Node<'_>>, out: &mut PyOutline) {
    if let Some(n) = n {
        out.names.push(file.node_text(n).to_owned());
    }
}

fn assigned_names(file: &PyFile, a: Node<'_>, out: &mut PyOutline) {
    let Some(left) = a.child_by_field_name("left") else { return };
    crate::for_each_named(left, |n| {
        if n.kind() == "identifier" {
            out.names.push(file.node_text(n).to_owned());
        }
        matches!(n.kind(), "pattern_list" | "tuple_pattern" | "list_pattern" | "identifier")
    });
    // `a = b = f()`: the right side is another assignment.
    if let Some(right) = a.child_by_field_name("right").filter(|r| r.kind() == "assignment") {
        assigned_names(file, right, out);
    }
}

fn function(file: &PyFile, def: Node<'_>, decorated: bool, out: &mut PyOutline) {
    let Some(name) = def.child_by_field_name("name") else { return };
    let header_end = def
        .child_by_field_name("return_type")
        .or_else(|| def.child_by_field_name("parameters"))
        .map_or(name.end_byte(), |n| n.end_byte());
    let mut f = PyFunction {
        name: file.node_text(name).to_owned(),
        name_range: range_of(name),
        signature: file.text()[def.start_byte()..header_end].to_owned(),
        docstring: docstring(file, def),
        positional: 0,
        required_positional: 0,
        star_args: false,
        required_keyword_only: false,
        decorated,
    };
    if let Some(params) = def.child_by_field_name("parameters") {
        let mut keyword_only = false;
        let mut c = params.walk();
        for p in params.named_children(&mut c) {
            match p.kind() {
                "identifier" | "typed_parameter" if keyword_only => f.required_keyword_only = true,
                "identifier" | "typed_parameter" => {
                    // A typed `*args: T` is a typed_parameter around a list_splat_pattern.
                    let mut c = p.walk();
                    let splat = p.named_children(&mut c).map(|x| x.kind()).find(|k| k.ends_with("splat_pattern"));
                    match splat {
                        Some("list_splat_pattern") => {
                            f.star_args = true;
                            keyword_only = true;
                        }
                        Some(_) => {}
                        None => {
                            f.positional += 1;
                            f.required_positional += 1;
                        }
                    }
                }
                "default_parameter" | "typed_default_parameter" if !keyword_only => f.positional += 1,
                "list_splat_pattern" => {
                    f.star_args = true;
                    keyword_only = true;
                }
                "keyword_separator" => keyword_only = true,
                _ => {}
            }
        }
    }
    out.names.push(f.name.clone());
    out.functions.push(f);
}

fn docstring(file: &PyFile, def: Node<'_>) -> Option<String> {
    let body = def.child_by_field_name("body")?;
    let first = body.named_child(0).filter(|s| s.kind() == "expression_statement")?;
    let s = first.named_child(0).filter(|s| s.kind() == "string")?;
    let (start, end) = string_content_range(s)?;
    Some(file.text()[start..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(src: &str) -> String {
        let f = PyFile::parse(src);
        let r = f.env_reads();
        let mut out: Vec<String> = r
            .reads
            .iter()
            .map(|x| {
                assert_eq!(&src[x.range.as_range()], x.name);
                format!("{}{}", x.name, if x.has_default { " (default)" } else { "" })
            })
            .collect();
        out.extend(r.writes.iter().map(|w| format!("set {w}")));
        if r.dynamic {
            out.push("dynamic".into());
        }
        out.join(", ")
    }

    #[test]
    fn literal_reads_in_every_spelling() {
        let src = r#"
import os
from os import environ as env, getenv
a = os.environ["A"]
b = os.environ.get("B")
c = os.environ.get('C', "x")
d = os.getenv("D")
e = os.getenv("E", default="1")
f = env["F"]
g = getenv("G", None)
if "H" in os.environ: pass
os.environ["I"] = "1"
os.environ.setdefault("J", "2")
"#;
        assert_eq!(reads(src), "A, B, C (default), D, E (default), F, G (default), H (default), set I, set J");
    }

    #[test]
    fn dynamic_uses_and_non_literal_names() {
        assert_eq!(reads("import os\nx = os.environ[name]\n"), "dynamic");
        assert_eq!(reads("import os\nfor k, v in os.environ.items(): pass\n"), "dynamic");
        assert_eq!(reads("import os\nrun(env={**os.environ})\n"), "dynamic");
        assert_eq!(reads("import os\nx = os.getenv(f\"{p}_X\")\n"), "dynamic");
        assert_eq!(reads("import os\nsubprocess.run(['x'], env=os.environ)\n"), "dynamic");
    }

    #[test]
    fn nothing_without_os() {
        // `environ` and `getenv` from elsewhere are not the process environment.
        assert_eq!(reads("from flask import environ\nx = environ['A']\ny = other.getenv('B')\n"), "");
        assert_eq!(reads("import os as o\nx = o.environ['A']\n"), "A");
    }

    #[test]
    fn outline_of_functions_names_and_imports() {
        let src = r#"
import json, a.b as ab
from .helpers import load, save as store
from x import *
try:
    from fast import thing
except ImportError:
    thing = None

@decorate
def wrapped(event):
    pass

async def handler(event, context, *rest, flag=False, **kw) -> dict:
    """Handles it."""
    from .lazy import later

def kwonly(event, *, context):
    pass

def defaults(event, context=None, extra=1):
    pass
"#;
        let o = PyFile::parse(src).outline();
        let fns: Vec<String> = o
            .functions
            .iter()
            .map(|f| {
                format!(
                    "{} pos={} req={} star={} kwreq={} dec={} doc={:?}",
                    f.name,
                    f.positional,
                    f.required_positional,
                    f.star_args,
                    f.required_keyword_only,
                    f.decorated,
                    f.docstring
                )
            })
            .collect();
        assert_eq!(
            fns,
            [
                "wrapped pos=1 req=1 star=false kwreq=false dec=true doc=None",
                "handler pos=2 req=2 star=true kwreq=false dec=false doc=Some(\"Handles it.\")",
                "kwonly pos=1 req=1 star=false kwreq=true dec=false doc=None",
                "defaults pos=3 req=1 star=false kwreq=false dec=false doc=None",
            ]
        );
        assert_eq!(o.functions[1].signature, "async def handler(event, context, *rest, flag=False, **kw) -> dict");
        for n in ["json", "ab", "load", "store", "thing", "wrapped", "handler"] {
            assert!(o.names.iter().any(|x| x == n), "{n} in {:?}", o.names);
        }
        assert!(o.star_import);
        let imports: Vec<String> = o.imports.iter().map(|i| format!("{} {:?}", i.module, i.names)).collect();
        assert_eq!(
            imports,
            ["json []", "a.b []", ".helpers [\"load\", \"save\"]", "x []", "fast [\"thing\"]", ".lazy [\"later\"]"]
        );
    }
}
