//! Code lenses: Invoke/Debug locally on every Lambda function, Deploy on the template.
//!
//! The commands are run by the editor extensions, which need the template's path and the
//! function's logical id; a document without a path (an unsaved buffer) has nothing they could
//! invoke or deploy, so it gets no lenses.

use crate::{Analysis, CodeLens, DocKind};

pub(crate) fn code_lenses(a: &Analysis) -> Vec<CodeLens> {
    let (Some(t), Some(path)) = (a.template(), a.path()) else { return Vec::new() };
    if a.kind() != DocKind::Template {
        return Vec::new();
    }
    let path = path.to_string_lossy().into_owned();
    let mut out = Vec::new();
    // The Deploy lens sits on the template's first key, so it shows above the first line.
    if let Some(first) = t.sections.first() {
        out.push(CodeLens {
            range: first.key_range,
            title: "Deploy".into(),
            command: "samwise.deploy".into(),
            arguments: vec![path.clone()],
        });
    }
    for f in t.functions() {
        for (title, command) in [("Invoke locally", "samwise.invokeLocally"), ("Debug locally", "samwise.debugLocally")]
        {
            out.push(CodeLens {
                range: f.key_range,
                title: title.into(),
                command: command.into(),
                arguments: vec![path.clone(), f.logical_id.clone()],
            });
        }
    }
    out
}
