//! samwise-iam: does a Lambda function's execution role allow the boto3 calls its code makes?
//!
//! [`actions_for`] maps a call (service, operation) to the IAM actions it needs: the botocore data's
//! `iam_action` with the documented exceptions of `exceptions.rs` on top. [`check`] reads what the
//! template grants the function (`grants.rs`), evaluates each call against it (`policy.rs`: wildcards,
//! NotAction, Deny, resource patterns) and returns a [`Finding`] per missing action with the
//! narrowest fix (`fix.rs`). Anything the template does not show in full — an imported role, a managed
//! policy whose document samwise does not carry, an unresolvable Action — makes the answer
//! [`Unknown`] for the whole function: this crate never reports a permission it cannot prove missing.
//!
//! Protocol-free: plain values in (a [`Template`], byte ranges), plain values out.
//!
//! DEPENDENCIES
//! - `serde_json`: the SAM policy templates' statements are stored as JSON text in `samwise-data`.
//! - `regex`: reads a policy template's parameter values off a call's resource ARN.

mod actions;
mod exceptions;
mod fix;
mod grants;
mod policy;

use samwise_data::CfnData;
use samwise_data::botocore::BotocoreModels;
use samwise_syntax::TextRange;
use samwise_template::Template;

pub use actions::actions_for;
pub use exceptions::{EXCEPTIONS, Exception, Needs};
pub use fix::PolicyFix;

use crate::policy::Decision;

/// One boto3 call of the function's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInfo {
    /// botocore service name (`ssm`).
    pub service: String,
    /// API operation name (`GetParameter`).
    pub operation: String,
    /// Keyword arguments: the value when it is a plain string literal, `None` otherwise.
    pub args: Vec<(String, Option<String>)>,
    pub range: TextRange,
}

/// A permission the function's role does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The call's range.
    pub range: TextRange,
    pub action: String,
    /// The resource pattern compared (`arn:*:ssm:*:*:parameter/app/x`), when the call names one.
    pub resource: Option<String>,
    /// An explicit Deny rather than a missing Allow.
    pub denied: bool,
    pub message: String,
    /// `None` for a Deny: adding a grant does not help.
    pub fix: Option<PolicyFix>,
}

/// The function's permissions cannot be known from the template (and nothing is reported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub reason: String,
}

/// Checks `calls` against what the template grants function `function` (a logical id).
pub fn check(
    template: &Template,
    function: &str,
    calls: &[CallInfo],
    models: &BotocoreModels,
    data: &'static CfnData,
) -> Result<Vec<Finding>, Unknown> {
    let ctx = grants::Ctx { t: template, data };
    let statements = ctx.function_statements(function)?;
    let mut out = Vec::new();
    for call in calls {
        let Some(alternatives) = actions::requirement(models, &call.service, &call.operation) else { continue };
        let Some(first) = alternatives.first() else { continue };
        // With several actions (CopyObject reads one object and writes another) the arguments do not
        // say which resource each action is checked against.
        let single = alternatives.iter().all(|a| a.len() == 1);
        let arn_for = |action: &str| {
            if single { actions::call_resource(&call.service, action, &call.args) } else { None }
        };
        let decisions = |set: &Vec<String>| -> Vec<Decision> {
            set.iter()
                .map(|a| policy::decide(&statements, a, &arn_for(a).map_or_else(policy::Pat::any, |r| r.pattern())))
                .collect()
        };
        if alternatives.iter().any(|set| decisions(set).iter().all(|d| *d == Decision::Allowed)) {
            continue;
        }
        for (action, decision) in first.iter().zip(decisions(first)) {
            let arn = arn_for(action);
            let resource = arn.as_ref().map(|a| policy::display(&a.pattern().text));
            let on = resource.as_ref().map(|r| format!(" on `{r}`")).unwrap_or_default();
            let (denied, message, fix) = match decision {
                Decision::Allowed => continue,
                Decision::Denied => {
                    (true, format!("`{action}`{on} is explicitly denied to function `{function}`"), None)
                }
                Decision::Missing => (
                    false,
                    format!("`{action}`{on} is not granted to function `{function}`"),
                    Some(fix::suggest(&ctx, action, arn.as_ref())),
                ),
            };
            out.push(Finding { range: call.range, action: action.clone(), resource, denied, message, fix });
        }
    }
    Ok(out)
}
