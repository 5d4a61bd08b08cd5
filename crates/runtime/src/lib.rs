//! samwise-runtime: local Lambda invocation without Docker.
//!
//! The user's function runs in the interpreter they chose (so their virtualenv provides the
//! dependencies), talking to a Runtime API emulator served by this crate on 127.0.0.1. The crate is
//! protocol-free: it takes a plain [`FunctionConfig`] and an event, and returns an [`Outcome`] with the
//! response or error and the measured [`Report`]. Output arrives line by line through a channel.
//!
//! Map:
//! - [`config`]: what to run ([`FunctionConfig`], [`RuntimeFamily`]).
//! - [`api`]: the Runtime API emulator (HTTP, one invocation per process).
//! - [`bootstrap`]: the embedded Python and Node.js runtime clients, written to a cache directory.
//! - [`environment`]: the function's environment, `--env-vars` files and parameter overrides.
//! - [`process`]: the function's process group: spawning, killing, memory of the process tree.
//! - [`invoke`]: one invocation from spawn to REPORT, with a [`InvokeHandle`] to pause the timeout and
//!   to cancel (what the debug adapter needs).
//! - [`events`]: sample events for `generate-event`.
//! - [`template`]: the functions of a SAM template, Globals applied, intrinsics resolved locally.
//!
//! DEPENDENCIES
//! - tokio: processes, timers and sockets for the emulator and the lifecycle.
//! - hyper, hyper-util, http-body-util, bytes: the emulator's HTTP/1.1 server (a well-kept HTTP stack
//!   rather than hand-parsed requests; body size limits come with it).
//! - serde, serde_json: Lambda's JSON payloads and the `--env-vars` file.
//! - uuid: request ids in Lambda's format.
//! - samwise-syntax, samwise-template: the project's template model (the function list with Globals).
//! - nix (Unix): process groups, signals and the parent-death signal without hand-written FFI.

pub mod api;
pub mod bootstrap;
pub mod config;
pub mod environment;
pub mod events;
pub mod invoke;
pub mod process;
pub mod template;

pub use config::{FunctionConfig, RuntimeFamily};
pub use invoke::{
    InvokeError, InvokeHandle, InvokeResult, LaunchOptions, Outcome, OutputKind, OutputLine, Report, Running, invoke,
    start,
};
