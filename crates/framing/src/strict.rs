//! The strict reader and the writer samwise-dap uses, to the editor and to debugpy.
//!
//! The reader is lenient where clients differ and strict where it matters: header names are matched
//! case-insensitively, headers other than Content-Length are skipped, blank lines between messages
//! (a stray CRLF after a body, as some clients write) are ignored, and a body larger than
//! [`MAX_BODY`] is refused instead of allocated.

use std::io;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The largest body accepted. DAP messages are small; this only guards against a corrupt header.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// Reads one message body. `Ok(None)` on a clean end of stream between messages.
pub async fn read_body<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut length: Option<usize> = None;
    let mut saw_header = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return if saw_header {
                Err(io::Error::new(io::ErrorKind::UnexpectedEof, "stream ended inside a message header"))
            } else {
                Ok(None)
            };
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            match length {
                Some(_) => break,
                None if saw_header => {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, "message header without Content-Length"));
                }
                // A blank line between messages: tolerated.
                None => continue,
            }
        }
        saw_header = true;
        let Some((name, value)) = text.split_once(':') else {
            return Err(io::Error::new(io::ErrorKind::InvalidData, format!("malformed header line `{text}`")));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            let n: usize = value.trim().parse().map_err(|_| {
                io::Error::new(io::ErrorKind::InvalidData, format!("Content-Length `{}` is not a number", value.trim()))
            })?;
            if n > MAX_BODY {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("message of {n} bytes exceeds the {MAX_BODY}-byte limit"),
                ));
            }
            length = Some(n);
        }
    }
    let mut body = vec![0; length.unwrap_or(0)];
    reader.read_exact(&mut body).await?;
    Ok(Some(body))
}

/// Writes one message body with its header and flushes, so the peer sees it at once.
pub async fn write_body<W: AsyncWrite + Unpin>(writer: &mut W, body: &[u8]) -> io::Result<()> {
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(body);
    writer.write_all(&frame).await?;
    writer.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read_all(input: &[u8]) -> Vec<Result<String, String>> {
        let mut reader = tokio::io::BufReader::new(input);
        let mut out = Vec::new();
        loop {
            match read_body(&mut reader).await {
                Ok(Some(body)) => out.push(Ok(String::from_utf8(body).unwrap())),
                Ok(None) => break,
                Err(e) => {
                    out.push(Err(e.to_string()));
                    break;
                }
            }
        }
        out
    }

    #[tokio::test]
    async fn frames() {
        type Case = (&'static [u8], &'static [Result<&'static str, &'static str>]);
        let cases: &[Case] = &[
            (b"Content-Length: 2\r\n\r\n{}", &[Ok("{}")]),
            (b"Content-Length: 2\r\n\r\n{}Content-Length: 3\r\n\r\n[1]", &[Ok("{}"), Ok("[1]")]),
            // Other headers and any capitalisation are accepted.
            (b"content-length: 2\r\nContent-Type: application/vscode-jsonrpc\r\n\r\n{}", &[Ok("{}")]),
            // A stray CRLF after a body is skipped; so are bare LF line ends.
            (b"Content-Length: 2\r\n\r\n{}\r\nContent-Length: 2\n\n[]", &[Ok("{}"), Ok("[]")]),
            (b"", &[]),
            (b"Content-Type: x\r\n\r\n{}", &[Err("message header without Content-Length")]),
            (b"Content-Length: two\r\n\r\n", &[Err("Content-Length `two` is not a number")]),
            (
                b"Content-Length: 999999999999\r\n\r\n",
                &[Err("message of 999999999999 bytes exceeds the 67108864-byte limit")],
            ),
            (b"Content-Length: 2\r\n", &[Err("stream ended inside a message header")]),
            (b"garbage\r\n\r\n", &[Err("malformed header line `garbage`")]),
        ];
        for (input, want) in cases {
            let got = read_all(input).await;
            let want: Vec<Result<String, String>> =
                want.iter().map(|r| r.map(str::to_owned).map_err(str::to_owned)).collect();
            assert_eq!(got, want, "{}", String::from_utf8_lossy(input));
        }
    }

    #[tokio::test]
    async fn truncated_body_is_an_error() {
        let got = read_all(b"Content-Length: 10\r\n\r\n{}").await;
        assert!(matches!(&got[..], [Err(_)]), "{got:?}");
    }

    #[tokio::test]
    async fn writes_what_it_reads() {
        let mut buf = Vec::new();
        write_body(&mut buf, "{\"ü\":1}".as_bytes()).await.unwrap();
        assert_eq!(buf, "Content-Length: 8\r\n\r\n{\"ü\":1}".as_bytes());
        assert_eq!(read_all(&buf).await, vec![Ok("{\"ü\":1}".to_owned())]);
    }
}
