//! Isolation of analysis calls: a panic in one call becomes that call's error message and the server
//! goes on, so a bug in one feature costs one answer, not the editor session.
//!
//! Test aid: the environment variable `SAMWISE_TEST_PANIC_ON=<feature>` (read once at start-up)
//! makes every call of that feature panic, so the end-to-end tests can prove the isolation on the real
//! binary. Feature names are the ones the server passes to [`Isolation::run`]: `analysis`,
//! `diagnostics`, `completion`, `hover`, `definition`, and so on. It is not a user setting.

use std::panic::{AssertUnwindSafe, catch_unwind};

pub const PANIC_ENV: &str = "SAMWISE_TEST_PANIC_ON";

#[derive(Clone)]
pub struct Isolation {
    panic_on: Option<String>,
}

impl Isolation {
    pub fn from_env() -> Isolation {
        Isolation { panic_on: std::env::var(PANIC_ENV).ok().filter(|s| !s.is_empty()) }
    }

    /// Runs `f`, turning a panic into `Err(message)`. The analysis values are immutable and shared by
    /// `Arc`, so a panic cannot leave them half-updated: asserting unwind safety is sound here.
    pub fn run<T>(&self, feature: &str, f: impl FnOnce() -> T) -> Result<T, String> {
        catch_unwind(AssertUnwindSafe(|| {
            if self.panic_on.as_deref() == Some(feature) {
                panic!("{PANIC_ENV}={feature} asked for this panic");
            }
            f()
        }))
        .map_err(|payload| {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".into());
            format!("{feature} panicked: {message}")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_with_its_message() {
        let iso = Isolation { panic_on: Some("hover".into()) };
        assert_eq!(iso.run("completion", || 1), Ok(1));
        let err = iso.run("hover", || 1).unwrap_err();
        assert!(err.starts_with("hover panicked: SAMWISE_TEST_PANIC_ON=hover"), "{err}");
        let err = iso.run("definition", || -> u8 { panic!("index {} out of range", 3) }).unwrap_err();
        assert_eq!(err, "definition panicked: index 3 out of range");
    }
}
