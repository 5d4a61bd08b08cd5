//! Go to definition and find references.

use crate::{Analysis, Location};

pub(crate) fn definition(_a: &Analysis, _offset: u32) -> Vec<Location> {
    Vec::new()
}

pub(crate) fn references(_a: &Analysis, _offset: u32, _include_declaration: bool) -> Vec<Location> {
    Vec::new()
}
