//! The debug adapter: DAP over stdio or a TCP port, one [`session`] per connection.
//!
//! Map:
//! - [`codec`]: the base protocol's framing (Content-Length headers).
//! - [`protocol`]: the message envelope and the bodies the adapter reads or writes.
//! - [`launch`]: the launch configuration (AWS Toolkit compatible) and its resolution to a function.
//! - [`debugpy`]: debugpy's adapter process and the relay the debuggee connects through.
//! - [`session`]: the session loop that relays between the editor, debugpy and the invocation.
//!
//! Why not the `dap` crate: its 0.4.1-alpha1 release sends reverse requests with type
//! `reverseRequest`, writes a stray CRLF after every body, rejects headers other than
//! Content-Length and serialises some fields in snake case; and a relay needs the editor's and
//! debugpy's messages to pass through with unknown fields intact, which fully typed messages would
//! drop. The framing is forty lines and the envelope three serde types.

pub mod codec;
pub mod debugpy;
pub mod launch;
pub mod protocol;
pub mod session;

use std::io;

/// DAP on this process's stdin and stdout (how editors usually start an adapter).
pub async fn serve_stdio() {
    session::run(tokio::io::stdin(), tokio::io::stdout()).await;
}

/// DAP on 127.0.0.1:`port` (0: any free port), one session per connection, until killed. Prints
/// `listening on 127.0.0.1:N` once the port accepts connections, for clients that wait for it.
pub async fn serve_port(port: u16) -> io::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
        let why = match e.kind() {
            io::ErrorKind::AddrInUse => {
                "the port is already in use (by another program or samwise-dap); choose another, or `--port 0` for any free port".to_owned()
            }
            _ => e.to_string(),
        };
        io::Error::new(e.kind(), format!("cannot listen on 127.0.0.1:{port}: {why}"))
    })?;
    let port = listener.local_addr()?.port();
    {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on 127.0.0.1:{port}")?;
        stdout.flush()?;
    }
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let (reader, writer) = stream.into_split();
            session::run(reader, writer).await;
        });
    }
}
