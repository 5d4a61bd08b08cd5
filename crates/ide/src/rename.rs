//! Rename of logical ids, parameters, conditions and mappings.

use crate::{Analysis, FileEdit, TextRange};

pub(crate) fn prepare_rename(_a: &Analysis, _offset: u32) -> Result<TextRange, String> {
    Err("nothing to rename here".into())
}

pub(crate) fn rename(_a: &Analysis, _offset: u32, _new_name: &str) -> Result<Vec<FileEdit>, String> {
    Err("nothing to rename here".into())
}
