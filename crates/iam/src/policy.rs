//! Policy statements as the check evaluates them, and IAM's wildcard matching.
//!
//! Every uncertainty is resolved towards "allowed": a statement with a condition still allows, a Deny
//! applies only when it is certain (no condition, every value resolved, the call's resource surely
//! inside it), and a resource the template cannot name is a `*`. So a finding means "no reading of
//! this template grants the call", never "some reading does not".

/// A string pattern with IAM wildcards (`*`, `?`). `exact` is false when a part of it stood for
/// something unresolved (a pseudo parameter, a generated name) and was widened to `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pat {
    pub text: String,
    pub exact: bool,
}

impl Pat {
    pub fn exact(text: impl Into<String>) -> Pat {
        Pat { text: text.into(), exact: true }
    }

    pub fn any() -> Pat {
        Pat { text: "*".into(), exact: false }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub allow: bool,
    /// `NotAction` rather than `Action`.
    pub not_action: bool,
    /// Action patterns, lower-cased (IAM compares actions case-insensitively).
    pub actions: Vec<String>,
    /// `NotResource` rather than `Resource`.
    pub not_resource: bool,
    pub resources: Vec<Pat>,
    pub conditional: bool,
    /// Every action and resource was resolved exactly.
    pub exact: bool,
}

impl Statement {
    /// An unconditional Allow of `actions` on `resources`.
    pub fn allow(actions: &[&str], resources: &[&str]) -> Statement {
        Statement {
            allow: true,
            not_action: false,
            actions: actions.iter().map(|a| a.to_ascii_lowercase()).collect(),
            not_resource: false,
            resources: resources.iter().map(|r| Pat::exact(*r)).collect(),
            conditional: false,
            exact: true,
        }
    }

    fn matches_action(&self, action: &str) -> bool {
        let action = action.to_ascii_lowercase();
        let any = self.actions.iter().any(|p| glob_match(p, &action));
        any != self.not_action
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// An explicit, certain Deny.
    Denied,
    /// No statement can allow it.
    Missing,
}

/// Whether `action` on `resource` (a pattern: `*` where the call's argument is not a literal) is
/// allowed by `statements`.
pub fn decide(statements: &[Statement], action: &str, resource: &Pat) -> Decision {
    let denied = statements.iter().any(|s| {
        !s.allow
            && s.exact
            && !s.conditional
            && !s.not_resource
            && s.matches_action(action)
            && s.resources.iter().any(|r| covers(&r.text, resource))
    });
    if denied {
        return Decision::Denied;
    }
    let allowed = statements.iter().any(|s| {
        s.allow
            && s.matches_action(action)
            // A NotResource Allow may or may not include the call's resource; assume it does.
            && (s.not_resource || s.resources.iter().any(|r| may_overlap(&r.text, &resource.text)))
    });
    if allowed { Decision::Allowed } else { Decision::Missing }
}

/// Whether every string `inner` may stand for matches `outer`.
fn covers(outer: &str, inner: &Pat) -> bool {
    if outer == "*" {
        return true;
    }
    inner.exact && !inner.text.contains(['*', '?']) && glob_match(outer, &inner.text)
}

/// IAM wildcard match: `*` any run of characters (including `:` and `/`), `?` one character.
pub fn glob_match(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = s.chars().collect();
    // Classic two-pointer matcher with backtracking to the last `*`.
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// In a call's resource pattern, a pseudo parameter (partition, region, account): any run of
/// characters without `:` or `/`. Keeping it narrower than `*` matters: with `*` there, any two ARNs of
/// the same service would overlap (the `*` could swallow the rest of the other ARN).
pub const SEGMENT: char = '\u{3}';

/// A pattern for messages: segment wildcards shown as `*`.
pub fn display(pattern: &str) -> String {
    pattern.replace(SEGMENT, "*")
}

/// Whether a wildcard (`*` or [`SEGMENT`]) may produce the character `c` of the other pattern (a
/// wildcard there may produce nothing, so only literal characters and `?` are asked about).
fn absorbs(wild: char, c: char) -> bool {
    wild == '*' || c == '?' || !matches!(c, ':' | '/')
}

fn is_wild(c: char) -> bool {
    c == '*' || c == SEGMENT
}

/// Whether some string matches both patterns.
pub fn may_overlap(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    // reach[i][j]: the suffixes a[i..] and b[j..] can still produce a common string.
    let mut seen = vec![false; (n + 1) * (m + 1)];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        if seen[i * (m + 1) + j] {
            continue;
        }
        seen[i * (m + 1) + j] = true;
        if i == n && j == m {
            return true;
        }
        let (ai, bj) = (a.get(i).copied(), b.get(j).copied());
        if let Some(w) = ai.filter(|&c| is_wild(c)) {
            stack.push((i + 1, j));
            if bj.is_some_and(|c| !is_wild(c) && absorbs(w, c)) {
                stack.push((i, j + 1));
            }
        }
        if let Some(w) = bj.filter(|&c| is_wild(c)) {
            stack.push((i, j + 1));
            if ai.is_some_and(|c| !is_wild(c) && absorbs(w, c)) {
                stack.push((i + 1, j));
            }
        }
        if let (Some(x), Some(y)) = (ai, bj)
            && !is_wild(x)
            && !is_wild(y)
            && (x == y || x == '?' || y == '?')
        {
            stack.push((i + 1, j + 1));
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob() {
        assert!(glob_match("ssm:get*", "ssm:getparameter"));
        assert!(glob_match("*", "s3:getobject"));
        assert!(glob_match("arn:*:s3:::b/*", "arn:aws:s3:::b/dir/key"));
        assert!(glob_match("s3:?etobject", "s3:getobject"));
        assert!(!glob_match("ssm:get*", "ssm:putparameter"));
        assert!(!glob_match("arn:*:s3:::b/*", "arn:aws:s3:::b"));
    }

    #[test]
    fn overlap() {
        let call = |s: &str| s.replace('%', &SEGMENT.to_string());
        assert!(may_overlap("arn:*:ssm:*:*:parameter/app/*", &call("arn:%:ssm:%:%:parameter/app/x")));
        assert!(!may_overlap("arn:*:ssm:*:*:parameter/app/*", &call("arn:%:ssm:%:%:parameter/other/x")));
        // With plain `*` in the call the first `*` could swallow anything: that is why SEGMENT exists.
        assert!(may_overlap("arn:*:ssm:*:*:parameter/app/*", "arn:*:ssm:*:*:parameter/other/x"));
        assert!(may_overlap("*", "anything"));
        assert!(may_overlap("a*c", "*b*"));
        assert!(!may_overlap("a*", "b*"));
        assert!(may_overlap("arn:aws:sqs:us-east-1:1:q", &call("arn:%:sqs:%:%:q")));
        assert!(!may_overlap("arn:aws:sqs:us-east-1:1:q", &call("arn:%:sqs:%:%:other")));
        assert!(may_overlap("secret:name-??????", "secret:name-*"));
    }

    fn deny(actions: &[&str], resources: &[&str]) -> Statement {
        Statement { allow: false, ..Statement::allow(actions, resources) }
    }

    #[test]
    fn deny_wins_only_when_certain() {
        let call = Pat::exact("arn:aws:ssm:us-east-1:1:parameter/x");
        let allow = Statement::allow(&["ssm:*"], &["*"]);
        assert_eq!(decide(std::slice::from_ref(&allow), "ssm:GetParameter", &call), Decision::Allowed);
        assert_eq!(decide(&[allow.clone(), deny(&["ssm:Get*"], &["*"])], "ssm:GetParameter", &call), Decision::Denied);
        // A Deny on a resource the call may or may not be: not certain, so allowed.
        let unknown = Pat::exact("arn:*:ssm:*:*:parameter/x");
        let narrow = deny(&["ssm:GetParameter"], &["arn:aws:ssm:us-east-1:1:parameter/x"]);
        assert_eq!(decide(&[allow.clone(), narrow.clone()], "ssm:GetParameter", &unknown), Decision::Allowed);
        assert_eq!(decide(&[allow.clone(), narrow], "ssm:GetParameter", &call), Decision::Denied);
        let conditional = Statement { conditional: true, ..deny(&["*"], &["*"]) };
        assert_eq!(decide(&[allow, conditional], "ssm:GetParameter", &call), Decision::Allowed);
    }

    #[test]
    fn not_action() {
        let s = Statement { not_action: true, ..Statement::allow(&["iam:*"], &["*"]) };
        assert_eq!(decide(std::slice::from_ref(&s), "s3:GetObject", &Pat::any()), Decision::Allowed);
        assert_eq!(decide(&[s], "iam:CreateUser", &Pat::any()), Decision::Missing);
    }
}
