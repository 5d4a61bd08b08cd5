//! `samwise-dap generate-event SERVICE EVENT`: prints one of the embedded sample events.

use std::ffi::OsString;
use std::process::ExitCode;

use samwise_runtime::events;

pub fn run(args: Vec<OsString>) -> ExitCode {
    let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    match args.as_slice() {
        [] => {
            print!("Sample events (SERVICE EVENT):\n{}", events::listing());
            ExitCode::SUCCESS
        }
        [service, event] => match events::sample(service, event) {
            Some(json) => {
                print!("{json}");
                ExitCode::SUCCESS
            }
            None => {
                super::usage_error(&format!("no sample event `{service} {event}`; available:\n{}", events::listing()))
            }
        },
        _ => super::usage_error("generate-event takes SERVICE and EVENT, e.g. `generate-event s3 put`"),
    }
}
