//! samwise-dap: the debug adapter binary and its command-line front end (`invoke`, `generate-event`).

fn main() {
    println!("samwise-dap {}", env!("CARGO_PKG_VERSION"));
}
