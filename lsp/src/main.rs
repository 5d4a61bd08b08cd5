//! samwise-lsp: the language server binary and its command-line front end (`check`, `deploy`).

fn main() {
    println!("samwise-lsp {}", env!("CARGO_PKG_VERSION"));
}
