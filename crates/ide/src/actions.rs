//! Code actions: quick fixes of diagnostics and refactorings.

use crate::{Analysis, CodeAction, TextRange};

pub(crate) fn code_actions(_a: &Analysis, _range: TextRange) -> Vec<CodeAction> {
    Vec::new()
}
