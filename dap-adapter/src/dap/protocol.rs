//! DAP messages as Rust types: the envelope (request, response, event) and the bodies this adapter
//! reads or writes itself.
//!
//! Arguments and bodies that are only relayed between the editor and debugpy stay raw JSON
//! ([`Value`]), so fields this adapter does not know (newer DAP, debugpy extensions) pass through
//! unchanged; only what the adapter acts on is typed.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Message {
    Request(Request),
    Response(Response),
    Event(Event),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub seq: i64,
    pub command: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Value>,
}

/// DAP spells `request_seq` in snake case; every other field is one word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub seq: i64,
    pub request_seq: i64,
    pub success: bool,
    pub command: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub seq: i64,
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

impl Message {
    pub fn set_seq(&mut self, seq: i64) {
        match self {
            Message::Request(r) => r.seq = seq,
            Message::Response(r) => r.seq = seq,
            Message::Event(e) => e.seq = seq,
        }
    }
}

/// Serialises a typed body; the types here always serialise.
pub fn to_value<T: Serialize>(body: &T) -> Value {
    serde_json::to_value(body).unwrap_or(Value::Null)
}

/// What this adapter can do, announced in the `initialize` response. For Python these are the requests
/// it relays to debugpy (whose own capabilities they mirror); Node.js functions run without a debugger.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    pub supports_configuration_done_request: bool,
    pub supports_conditional_breakpoints: bool,
    pub supports_hit_conditional_breakpoints: bool,
    pub supports_log_points: bool,
    pub supports_function_breakpoints: bool,
    pub supports_evaluate_for_hovers: bool,
    pub supports_set_variable: bool,
    pub supports_set_expression: bool,
    pub supports_exception_info_request: bool,
    pub supports_exception_options: bool,
    pub supports_value_formatting_options: bool,
    pub supports_terminate_request: bool,
    pub supports_restart_request: bool,
    pub supports_goto_targets_request: bool,
    pub supports_step_in_targets_request: bool,
    pub supports_completions_request: bool,
    pub supports_modules_request: bool,
    pub supports_delayed_stack_trace_loading: bool,
    pub supports_debugger_properties: bool,
    pub exception_breakpoint_filters: Vec<ExceptionBreakpointsFilter>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExceptionBreakpointsFilter {
    pub filter: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub default: bool,
}

/// Category `console` is the adapter's own text (START/END/REPORT, the result); `stdout`/`stderr` are
/// the function's.
#[derive(Debug, Clone, Serialize)]
pub struct OutputEventBody {
    pub category: &'static str,
    pub output: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExitedEventBody {
    pub exit_code: i32,
}

/// The body of an error response: the message the editor shows to the user.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorResponseBody {
    pub error: ErrorMessage,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorMessage {
    pub id: i64,
    pub format: String,
    pub show_user: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisconnectArguments {
    #[serde(default)]
    pub restart: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RestartArguments {
    /// The launch configuration to restart with (the editor may have re-read launch.json).
    #[serde(default)]
    pub arguments: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SetBreakpointsArguments {
    #[serde(default)]
    pub breakpoints: Vec<SourceBreakpoint>,
    #[serde(default)]
    pub lines: Vec<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SourceBreakpoint {
    pub line: i64,
}

/// A breakpoint that cannot bind: the function runs without a debugger.
#[derive(Debug, Clone, Serialize)]
pub struct UnverifiedBreakpoint {
    pub verified: bool,
    pub line: i64,
    pub message: &'static str,
}

/// debugpy's `debugpyWaitingForServer` event: where its adapter listens for the debuggee.
#[derive(Debug, Clone, Deserialize)]
pub struct WaitingForServerBody {
    pub port: u16,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_round_trip() {
        let cases = [
            r#"{"seq":1,"type":"request","command":"initialize","arguments":{"clientID":"x","extra":[1]}}"#,
            r#"{"seq":2,"type":"response","request_seq":1,"success":true,"command":"initialize","body":{"a":1}}"#,
            r#"{"seq":3,"type":"response","request_seq":1,"success":false,"command":"launch","message":"bad"}"#,
            r#"{"seq":4,"type":"event","event":"stopped","body":{"reason":"breakpoint","threadId":1}}"#,
            r#"{"seq":5,"type":"event","event":"initialized"}"#,
        ];
        for case in cases {
            let message: Message = serde_json::from_str(case).unwrap();
            let back: Value = serde_json::to_value(&message).unwrap();
            assert_eq!(back, serde_json::from_str::<Value>(case).unwrap(), "{case}");
        }
    }

    #[test]
    fn reverse_request_type_is_refused() {
        // The `dap` crate's wire defect: reverse requests must be `request`, not `reverseRequest`.
        let bad = r#"{"seq":1,"type":"reverseRequest","command":"runInTerminal"}"#;
        assert!(serde_json::from_str::<Message>(bad).is_err());
    }

    #[test]
    fn capability_names_are_camel_case() {
        let caps = to_value(&ExitedEventBody { exit_code: 1 });
        assert_eq!(caps, serde_json::json!({"exitCode": 1}));
    }
}
