//! Hover: resource type and property docs, intrinsic docs, resolved reference targets.

use crate::{Analysis, Hover};

pub(crate) fn hover(_a: &Analysis, _offset: u32) -> Option<Hover> {
    None
}
