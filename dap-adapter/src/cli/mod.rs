//! The command-line front end: `invoke` and `generate-event`, and what they share (usage text, exit codes).

pub mod generate_event;
pub mod invoke;

use std::process::ExitCode;

pub const USAGE: &str = "\
samwise-dap: run and debug AWS SAM Lambda functions locally, without Docker

Usage:
  samwise-dap
      The debug adapter: speaks the Debug Adapter Protocol over stdin/stdout (launch configurations
      compatible with the AWS Toolkit's aws-sam direct-invoke ones; see dap-adapter/NOTES.md).
  samwise-dap --port N
      The debug adapter on a socket: listens on 127.0.0.1:N (0 = any free port), prints
      `listening on 127.0.0.1:N` and serves one session per connection.

  samwise-dap invoke [--template T] [--function LogicalId] [--event FILE|-] [--env-vars FILE]
                     [--parameter-overrides K=V ...] [--interpreter PATH] [--region REGION]
      Runs one function of the template in your own interpreter (so your virtualenv provides its
      dependencies). Prints the function's response JSON on stdout and its logs on stderr.
      --template, -t     the SAM template (default: template.yaml, then template.yml, template.json)
      --function, -f     the function's logical id; may be left out when the template has one function
      --event, -e        the event JSON file, or - for stdin (default: {})
      --env-vars, -n     a SAM CLI env-vars file: {\"Parameters\": {...}, \"LogicalId\": {...}}
      --parameter-overrides  template parameters as Key=Value (or ParameterKey=K,ParameterValue=V)
      --interpreter      the Python or Node.js executable (default: python3 / node on PATH)
      --region           AWS_REGION for the function (default: $AWS_REGION, $AWS_DEFAULT_REGION, us-east-1)
      Exit status: 0 success, 1 the function failed or timed out, 2 usage error, 130 interrupted.

  samwise-dap generate-event SERVICE EVENT
      Prints a sample event. Without arguments, lists the samples.

  samwise-dap --version | --help
";

/// Reports a usage error the way every command does: the message, a pointer to help, exit code 2.
pub fn usage_error(message: &str) -> ExitCode {
    eprintln!("samwise-dap: {message}\nRun `samwise-dap --help` for usage.");
    ExitCode::from(2)
}
