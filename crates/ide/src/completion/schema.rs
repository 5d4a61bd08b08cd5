//! Walking a resource type's shape graph along a path of keys, shared by completion and hover.
//!
//! A path is what the cursor classifier produces (`Events`, `MyEvent`, `Properties`): keys and
//! sequence items below a resource's `Properties` (or a `Globals` section). `OneOf` shapes are
//! flattened into their branches so a key is looked up in every object the value may be; the SAM
//! event sources are picked by their `Type` when the template states it.

use samwise_data::cfn::{Property, ResourceType, ShapeId, ShapeKind};

/// One step of a path: a mapping key or a sequence item (with its index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Item(usize),
}

impl Seg {
    pub(crate) fn key(&self) -> Option<&str> {
        match self {
            Seg::Key(k) => Some(k),
            Seg::Item(_) => None,
        }
    }
}

/// How deep `OneOf` nesting is flattened (the generated data nests a few levels; shapes may be cyclic).
const MAX_EXPAND_DEPTH: u32 = 8;

/// The concrete shapes `id` may be: `OneOf` branches flattened, duplicates dropped.
pub(crate) fn expand(rt: &ResourceType, id: ShapeId) -> Vec<ShapeId> {
    let mut out = Vec::new();
    expand_into(rt, id, 0, &mut out);
    out
}

fn expand_into(rt: &ResourceType, id: ShapeId, depth: u32, out: &mut Vec<ShapeId>) {
    let Some(shape) = rt.shapes.get(id as usize) else { return };
    match &shape.kind {
        ShapeKind::OneOf(branches) if depth < MAX_EXPAND_DEPTH => {
            for &b in branches {
                expand_into(rt, b, depth + 1, out);
            }
        }
        _ if !out.contains(&id) => out.push(id),
        _ => {}
    }
}

/// The shapes reached from `start` by following `path`. `discriminator(i)` returns the `Type` value
/// written next to the key at `path[i]` (for SAM event sources), when there is one.
pub(crate) fn walk(
    rt: &ResourceType,
    start: ShapeId,
    path: &[Seg],
    discriminator: &dyn Fn(usize) -> Option<String>,
) -> Vec<ShapeId> {
    let mut current = expand(rt, start);
    for (i, seg) in path.iter().enumerate() {
        let mut next = Vec::new();
        let wanted_type = if matches!(seg, Seg::Key(k) if k == "Properties") { discriminator(i) } else { None };
        for &id in &current {
            match (&rt.shapes[id as usize].kind, seg) {
                (ShapeKind::Object { properties, .. }, Seg::Key(k)) => {
                    if let Some(wanted) = &wanted_type
                        && !object_has_type(rt, properties, wanted)
                    {
                        continue;
                    }
                    if let Some(p) = properties.iter().find(|p| p.name == *k) {
                        next.extend(expand(rt, p.shape));
                    }
                }
                (ShapeKind::Map { value }, Seg::Key(_)) => next.extend(expand(rt, *value)),
                (ShapeKind::List { item }, Seg::Item(_)) => next.extend(expand(rt, *item)),
                // A list written as a single value is common in SAM (`Policies: AWSLambdaRole`), so a key
                // below a list looks into its items too.
                (ShapeKind::List { item }, Seg::Key(_)) => {
                    for it in expand(rt, *item) {
                        next.extend(walk_one(rt, it, seg));
                    }
                }
                _ => {}
            }
        }
        let mut seen = Vec::with_capacity(next.len());
        next.retain(|id| {
            if seen.contains(id) {
                false
            } else {
                seen.push(*id);
                true
            }
        });
        current = next;
        if current.is_empty() {
            break;
        }
    }
    current
}

fn walk_one(rt: &ResourceType, id: ShapeId, seg: &Seg) -> Vec<ShapeId> {
    match (&rt.shapes[id as usize].kind, seg) {
        (ShapeKind::Object { properties, .. }, Seg::Key(k)) => {
            properties.iter().find(|p| p.name == *k).map(|p| expand(rt, p.shape)).unwrap_or_default()
        }
        (ShapeKind::Map { value }, Seg::Key(_)) => expand(rt, *value),
        _ => Vec::new(),
    }
}

/// Whether an object (a SAM event source) declares `Type` with `wanted` among its values.
fn object_has_type(rt: &ResourceType, properties: &[Property], wanted: &str) -> bool {
    match properties.iter().find(|p| p.name == "Type") {
        Some(p) => expand(rt, p.shape).iter().any(|&s| {
            let e = &rt.shapes[s as usize].enum_values;
            e.is_empty() || e.iter().any(|v| v == wanted)
        }),
        None => true,
    }
}

/// The properties (with whether each is required) of the objects among `shapes`, first one wins
/// for a name present in several branches.
pub(crate) fn object_properties<'a>(rt: &'a ResourceType, shapes: &[ShapeId]) -> Vec<(&'a Property, bool)> {
    let mut out: Vec<(&Property, bool)> = Vec::new();
    for &id in shapes {
        if let ShapeKind::Object { properties, required, .. } = &rt.shapes[id as usize].kind {
            for p in properties {
                if !out.iter().any(|(q, _)| q.name == p.name) {
                    out.push((p, required.contains(&p.name)));
                }
            }
        }
    }
    out
}

/// The property named `name` on the objects among `shapes`, with whether it is required.
pub(crate) fn find_property<'a>(rt: &'a ResourceType, shapes: &[ShapeId], name: &str) -> Option<(&'a Property, bool)> {
    object_properties(rt, shapes).into_iter().find(|(p, _)| p.name == name)
}

/// A short type text for a shape: `String`, `List<String>`, `Map`, `Object`, `String | Object`.
pub(crate) fn type_text(rt: &ResourceType, id: ShapeId) -> String {
    type_text_depth(rt, id, 0)
}

fn type_text_depth(rt: &ResourceType, id: ShapeId, depth: u32) -> String {
    let Some(shape) = rt.shapes.get(id as usize) else { return "Any".into() };
    match &shape.kind {
        ShapeKind::Any => "Any".into(),
        ShapeKind::String => "String".into(),
        ShapeKind::Integer => "Integer".into(),
        ShapeKind::Number => "Number".into(),
        ShapeKind::Boolean => "Boolean".into(),
        ShapeKind::Json => "Json".into(),
        ShapeKind::Object { .. } => "Object".into(),
        ShapeKind::Map { .. } => "Map".into(),
        ShapeKind::List { item } if depth < 2 => format!("List<{}>", type_text_depth(rt, *item, depth + 1)),
        ShapeKind::List { .. } => "List".into(),
        ShapeKind::OneOf(_) => {
            let mut parts: Vec<String> = Vec::new();
            for b in expand(rt, id) {
                let t = type_text_depth(rt, b, depth + 1);
                if !parts.contains(&t) {
                    parts.push(t);
                }
            }
            parts.join(" | ")
        }
    }
}

/// Whether any of `shapes` takes a nested block (an object, map or list) rather than a scalar.
pub(crate) fn is_block(rt: &ResourceType, shapes: &[ShapeId]) -> Option<Block> {
    let mut scalar = false;
    let mut block = None;
    for &id in shapes {
        match &rt.shapes[id as usize].kind {
            ShapeKind::Object { .. } | ShapeKind::Map { .. } | ShapeKind::Json => block = block.or(Some(Block::Map)),
            ShapeKind::List { .. } => block = block.or(Some(Block::List)),
            _ => scalar = true,
        }
    }
    if scalar { None } else { block }
}

/// The kind of nested block a property takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Block {
    Map,
    List,
}
