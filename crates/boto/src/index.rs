//! Scopes and name bindings of one Python file, collected in a single walk after each parse.
//!
//! Every way Python binds a name is recorded (assignment, parameter, import, `for`, `with ... as`,
//! `except ... as`, `def`, `class`, walrus), most as opaque: a local parameter or loop variable that
//! shadows a module-level client must hide it, or the analysis would report problems on code that has
//! nothing to do with boto3. `self.x = ...` assignments are recorded per class.

use std::collections::HashMap;

use tree_sitter::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScopeKind {
    Module,
    Function,
    Class,
}

#[derive(Debug)]
pub(crate) struct Scope {
    pub kind: ScopeKind,
    pub start: u32,
    pub end: u32,
    pub parent: Option<usize>,
    /// Names declared `global` (function scopes only).
    pub globals: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BindKind {
    /// `name = <expr>`: the byte range of the expression.
    Value(u32, u32),
    /// `name: <type>` (a parameter or an annotated name): the range of the annotation.
    Annotation(u32, u32),
    /// `import module [as name]` (`name: None`) or `from module import name [as alias]`.
    Import { module: String, name: Option<String> },
    /// Bound to something the analysis does not follow.
    Opaque,
}

#[derive(Debug, Clone)]
pub(crate) struct Binding {
    /// Where the binding statement starts (bindings before a use win over later ones).
    pub at: u32,
    pub kind: BindKind,
}

#[derive(Debug, Default)]
pub(crate) struct FileIndex {
    pub scopes: Vec<Scope>,
    pub names: HashMap<(usize, String), Vec<Binding>>,
    /// `self.<attr>` assignments and class-body assignments, keyed by class scope.
    pub attrs: HashMap<(usize, String), Vec<Binding>>,
    /// `from M import N` for mypy-boto3 modules: local name -> module.
    pub type_imports: HashMap<String, String>,
    /// The scopes are sorted by start (always, as the walk pushes them; checked, since
    /// [`FileIndex::scope_at`] relies on it).
    starts_sorted: bool,
}

impl FileIndex {
    pub fn build(root: Node<'_>, text: &str) -> FileIndex {
        let mut ix = FileIndex::default();
        ix.scopes.push(Scope {
            kind: ScopeKind::Module,
            start: 0,
            end: root.end_byte() as u32,
            parent: None,
            globals: Vec::new(),
        });
        let mut w = Walker { ix: &mut ix, text };
        w.walk(root, 0);
        ix.starts_sorted = ix.scopes.windows(2).all(|w| w[0].start <= w[1].start);
        ix
    }

    /// The innermost scope containing `offset`.
    ///
    /// Scopes are pushed in a pre-order walk, so they are sorted by start and each lies inside its
    /// parent: the innermost one containing `offset` is the last that starts at or before it, or
    /// the first of that one's ancestors that contains it. A binary search, not a scan: this runs
    /// for every name the analysis looks up, and a file has a scope per function.
    pub fn scope_at(&self, offset: u32) -> usize {
        let contains = |s: &Scope| s.start <= offset && offset < s.end.max(s.start + 1);
        if self.starts_sorted {
            // Scope 0 (the module) starts at 0; the search is over the others.
            let mut i = self.scopes[1..].partition_point(|s| s.start <= offset);
            while i != 0 && !contains(&self.scopes[i]) {
                i = self.scopes[i].parent.unwrap_or(0);
            }
            return i;
        }
        self.scope_at_by_scan(offset)
    }

    /// [`FileIndex::scope_at`] by looking at every scope.
    fn scope_at_by_scan(&self, offset: u32) -> usize {
        let mut best = 0;
        for (i, s) in self.scopes.iter().enumerate().skip(1) {
            if s.start <= offset && offset < s.end.max(s.start + 1) && s.start >= self.scopes[best].start {
                best = i;
            }
        }
        best
    }

    /// The class whose methods contain `offset` (for `self.x`), when `offset` is inside a method.
    pub fn enclosing_class(&self, offset: u32) -> Option<usize> {
        let mut s = self.scope_at(offset);
        loop {
            let scope = &self.scopes[s];
            if scope.kind == ScopeKind::Class {
                return Some(s);
            }
            s = scope.parent?;
        }
    }
}

struct Walker<'a> {
    ix: &'a mut FileIndex,
    text: &'a str,
}

impl Walker<'_> {
    fn t(&self, n: Node<'_>) -> &str {
        &self.text[n.byte_range()]
    }

    fn bind(&mut self, scope: usize, name: &str, at: u32, kind: BindKind) {
        // After `global name`, assignments in the function rebind the module's name.
        let scope = if self.ix.scopes[scope].globals.iter().any(|g| g == name) { 0 } else { scope };
        self.ix.names.entry((scope, name.to_owned())).or_default().push(Binding { at, kind });
    }

    fn push_scope(&mut self, kind: ScopeKind, start: usize, end: usize, parent: usize) -> usize {
        self.ix.scopes.push(Scope {
            kind,
            start: start as u32,
            end: end as u32,
            parent: Some(parent),
            globals: Vec::new(),
        });
        self.ix.scopes.len() - 1
    }

    /// Binds every identifier in an assignment/loop target as opaque.
    fn bind_targets_opaque(&mut self, target: Node<'_>, scope: usize, at: u32) {
        if target.kind() == "identifier" {
            let name = self.t(target).to_owned();
            self.bind(scope, &name, at, BindKind::Opaque);
            return;
        }
        // Attribute and subscript targets (`x.y = ...`, `x[0] = ...`) bind no name.
        if matches!(target.kind(), "attribute" | "subscript") {
            return;
        }
        let mut c = target.walk();
        for child in target.named_children(&mut c) {
            self.bind_targets_opaque(child, scope, at);
        }
    }

    fn walk(&mut self, n: Node<'_>, scope: usize) {
        let at = n.start_byte() as u32;
        match n.kind() {
            "function_definition" => {
                if let Some(name) = n.child_by_field_name("name") {
                    let name = self.t(name).to_owned();
                    self.bind(scope, &name, at, BindKind::Opaque);
                }
                let start = n.child_by_field_name("parameters").map_or(n.start_byte(), |p| p.start_byte());
                let inner = self.push_scope(ScopeKind::Function, start, n.end_byte(), scope);
                if let Some(params) = n.child_by_field_name("parameters") {
                    self.parameters(params, inner);
                }
                if let Some(body) = n.child_by_field_name("body") {
                    self.walk(body, inner);
                }
                return;
            }
            "lambda" => {
                let inner = self.push_scope(ScopeKind::Function, n.start_byte(), n.end_byte(), scope);
                if let Some(params) = n.child_by_field_name("parameters") {
                    self.parameters(params, inner);
                }
                if let Some(body) = n.child_by_field_name("body") {
                    self.walk(body, inner);
                }
                return;
            }
            "class_definition" => {
                if let Some(name) = n.child_by_field_name("name") {
                    let name = self.t(name).to_owned();
                    self.bind(scope, &name, at, BindKind::Opaque);
                }
                if let Some(body) = n.child_by_field_name("body") {
                    let inner = self.push_scope(ScopeKind::Class, body.start_byte(), n.end_byte(), scope);
                    self.walk(body, inner);
                }
                return;
            }
            "assignment" => self.assignment(n, scope),
            "augmented_assignment" => {
                if let Some(left) = n.child_by_field_name("left") {
                    self.bind_targets_opaque(left, scope, at);
                }
            }
            "for_statement" | "for_in_clause" => {
                if let Some(left) = n.child_by_field_name("left") {
                    self.bind_targets_opaque(left, scope, at);
                }
            }
            "as_pattern" => {
                if let Some(alias) = n.child_by_field_name("alias") {
                    self.bind_targets_opaque(alias, scope, at);
                }
            }
            "except_clause" => {
                if let Some(alias) = n.child_by_field_name("alias") {
                    self.bind_targets_opaque(alias, scope, at);
                }
            }
            "named_expression" => {
                if let (Some(name), Some(value)) = (n.child_by_field_name("name"), n.child_by_field_name("value")) {
                    let name = self.t(name).to_owned();
                    self.bind(scope, &name, at, BindKind::Value(value.start_byte() as u32, value.end_byte() as u32));
                }
            }
            "global_statement" | "nonlocal_statement" => {
                let mut c = n.walk();
                let names: Vec<String> = n.named_children(&mut c).map(|i| self.t(i).to_owned()).collect();
                if n.kind() == "global_statement" {
                    self.ix.scopes[scope].globals.extend(names);
                }
            }
            "import_statement" => {
                let mut c = n.walk();
                for name in n.children_by_field_name("name", &mut c) {
                    match name.kind() {
                        "aliased_import" => {
                            let (Some(module), Some(alias)) =
                                (name.child_by_field_name("name"), name.child_by_field_name("alias"))
                            else {
                                continue;
                            };
                            let (module, alias) = (self.t(module).to_owned(), self.t(alias).to_owned());
                            self.bind(scope, &alias, at, BindKind::Import { module, name: None });
                        }
                        _ => {
                            // `import boto3.session` binds `boto3` to the top package.
                            let dotted = self.t(name);
                            let top = dotted.split('.').next().unwrap_or(dotted).to_owned();
                            self.bind(scope, &top.clone(), at, BindKind::Import { module: top, name: None });
                        }
                    }
                }
            }
            "import_from_statement" => {
                let module = n.child_by_field_name("module_name").map(|m| self.t(m).to_owned()).unwrap_or_default();
                let mut c = n.walk();
                for name in n.children_by_field_name("name", &mut c) {
                    let (orig, local) = match name.kind() {
                        "aliased_import" => {
                            let (Some(o), Some(a)) =
                                (name.child_by_field_name("name"), name.child_by_field_name("alias"))
                            else {
                                continue;
                            };
                            (self.t(o).to_owned(), self.t(a).to_owned())
                        }
                        _ => (self.t(name).to_owned(), self.t(name).to_owned()),
                    };
                    if module.starts_with("mypy_boto3_") {
                        self.ix.type_imports.insert(local.clone(), module.clone());
                    }
                    self.bind(scope, &local, at, BindKind::Import { module: module.clone(), name: Some(orig) });
                }
            }
            _ => {}
        }
        let mut c = n.walk();
        for child in n.named_children(&mut c) {
            self.walk(child, scope);
        }
    }

    fn assignment(&mut self, n: Node<'_>, scope: usize) {
        let at = n.start_byte() as u32;
        let Some(left) = n.child_by_field_name("left") else { return };
        let right = n.child_by_field_name("right");
        let ty = n.child_by_field_name("type");
        let kind = match (right, ty) {
            // Chained assignments (`a = b = expr`) and tuple values are not followed.
            (Some(r), _) if r.kind() != "assignment" && r.kind() != "expression_list" => {
                BindKind::Value(r.start_byte() as u32, r.end_byte() as u32)
            }
            (None, Some(t)) => BindKind::Annotation(t.start_byte() as u32, t.end_byte() as u32),
            _ => BindKind::Opaque,
        };
        match left.kind() {
            "identifier" => {
                let name = self.t(left).to_owned();
                self.bind(scope, &name, at, kind.clone());
                if self.ix.scopes[scope].kind == ScopeKind::Class {
                    self.ix.attrs.entry((scope, name)).or_default().push(Binding { at, kind });
                }
            }
            "attribute" => {
                let obj = left.child_by_field_name("object");
                let attr = left.child_by_field_name("attribute");
                if let (Some(obj), Some(attr)) = (obj, attr)
                    && obj.kind() == "identifier"
                    && self.t(obj) == "self"
                    && let Some(class) = self.ix.enclosing_class(at)
                {
                    let name = self.t(attr).to_owned();
                    self.ix.attrs.entry((class, name)).or_default().push(Binding { at, kind });
                }
            }
            _ => self.bind_targets_opaque(left, scope, at),
        }
    }

    fn parameters(&mut self, params: Node<'_>, scope: usize) {
        let at = params.start_byte() as u32;
        let mut c = params.walk();
        for p in params.named_children(&mut c) {
            match p.kind() {
                "identifier" => {
                    let name = self.t(p).to_owned();
                    self.bind(scope, &name, at, BindKind::Opaque);
                }
                "typed_parameter" => {
                    let ty = p.child_by_field_name("type");
                    let mut c2 = p.walk();
                    let Some(name) = p.named_children(&mut c2).find(|ch| ch.kind() == "identifier") else {
                        continue;
                    };
                    let name = self.t(name).to_owned();
                    let kind = match ty {
                        Some(t) => BindKind::Annotation(t.start_byte() as u32, t.end_byte() as u32),
                        None => BindKind::Opaque,
                    };
                    self.bind(scope, &name, at, kind);
                }
                "typed_default_parameter" => {
                    let Some(name) = p.child_by_field_name("name") else { continue };
                    let name = self.t(name).to_owned();
                    let kind = match p.child_by_field_name("type") {
                        Some(t) => BindKind::Annotation(t.start_byte() as u32, t.end_byte() as u32),
                        None => BindKind::Opaque,
                    };
                    self.bind(scope, &name, at, kind);
                }
                _ => {
                    // Default, splat and tuple parameters: whatever identifiers they name are opaque.
                    let target = p.child_by_field_name("name").unwrap_or(p);
                    self.bind_targets_opaque(target, scope, at);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_binary_search_finds_the_scope_a_scan_finds_at_every_offset() {
        let text = "\
import boto3
s3 = boto3.client('s3')

@decorate(lambda x: x)
def outer(a, b=lambda: s3):
    def inner(c):
        f = lambda d: (lambda: d)
        return f
    class Inner:
        x = 1
        def method(self):
            return self.x
    return inner

class Outer:
    def m(self, k=lambda: 0): pass

def last(): return [lambda: 1 for _ in ()]
";
        let file = crate::PyFile::parse(text);
        let ix = &file.index;
        assert!(ix.starts_sorted, "the walk pushes scopes in order of start");
        assert!(ix.scopes.len() > 10, "{} scopes", ix.scopes.len());
        for offset in 0..=text.len() as u32 + 1 {
            assert_eq!(ix.scope_at(offset), ix.scope_at_by_scan(offset), "at {offset}");
        }
    }
}
