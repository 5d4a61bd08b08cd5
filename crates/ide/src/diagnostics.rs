//! Diagnostics of a document: the template rules (the same findings as `samwise-lsp check`), with
//! the user's disabled rules and severity overrides applied.

use samwise_template::CheckContext;

use crate::{Analysis, Diagnostic};

pub(crate) fn diagnostics(a: &Analysis) -> Vec<Diagnostic> {
    let Some(t) = a.template() else { return Vec::new() };
    let ctx = CheckContext { data: a.data(), path: a.path() };
    let mut out = samwise_template::check(t, &ctx);
    apply_config(&a.config, &mut out);
    out
}

/// Drops disabled rules and applies severity overrides.
pub(crate) fn apply_config(config: &crate::Config, out: &mut Vec<Diagnostic>) {
    out.retain(|d| !config.disabled_rules.iter().any(|c| c == d.code));
    for d in out.iter_mut() {
        if let Some((_, sev)) = config.severity_overrides.iter().find(|(c, _)| c == d.code) {
            d.severity = *sev;
        }
    }
}
