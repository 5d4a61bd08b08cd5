//! Signature help (boto3 calls in Python).

use crate::{Analysis, SignatureHelp};

pub(crate) fn signature_help(_a: &Analysis, _offset: u32) -> Option<SignatureHelp> {
    None
}
