//! The lenient reader samwise-lsp puts in front of tower-lsp-server: lines before a `Content-Length`
//! header that are not headers (the rest of a body whose Content-Length was too short) are skipped,
//! and a truncated or absurd frame ends the stream instead of an allocation.

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

/// Reads one frame's body; `None` at the end of the stream. A line containing `Content-Length:` sets
/// the length wherever it starts; other lines are other headers or leftovers and are skipped.
pub async fn read_frame(stdin: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Option<Vec<u8>>> {
    let mut length = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        if stdin.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line).to_ascii_lowercase();
        match (text.trim_end(), length) {
            ("", Some(n)) => {
                // Grown as bytes arrive, not allocated from the header: a corrupt length costs nothing.
                let mut body = Vec::new();
                (&mut *stdin).take(n as u64).read_to_end(&mut body).await?;
                return Ok((body.len() == n).then_some(body));
            }
            (text, _) => {
                if let Some(at) = text.find("content-length:") {
                    length = text[at + "content-length:".len()..].trim().parse::<usize>().ok();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &[u8]) -> Vec<String> {
        let mut reader = tokio::io::BufReader::new(input);
        let mut out = Vec::new();
        while let Ok(Some(body)) = read_frame(&mut reader).await {
            out.push(String::from_utf8_lossy(&body).into_owned());
        }
        out
    }

    #[tokio::test]
    async fn reads_frames_and_skips_what_is_not_a_header() {
        let cases: &[(&[u8], &[&str])] = &[
            (b"Content-Length: 2\r\n\r\n{}Content-Length: 3\r\n\r\n[1]", &["{}", "[1]"]),
            (b"content-length: 2\r\nContent-Type: x\r\n\r\n{}", &["{}"]),
            // The tail of a body whose length was too short, then the next frame.
            (b"Content-Length: 2\r\n\r\n{\"a\":1}Content-Length: 2\r\n\r\n{}", &["{\"", "{}"]),
            (b"garbage\r\n\r\nContent-Length: 2\r\n\r\n{}", &["{}"]),
            // Truncated header or body, and an absurd length: the stream just ends.
            (b"Content-Length: 2\r\n", &[]),
            (b"Content-Length: 10\r\n\r\n{}", &[]),
            (b"Content-Length: 999999999999999\r\n\r\n{}", &[]),
        ];
        for (input, want) in cases {
            assert_eq!(frames(input).await, *want, "{}", String::from_utf8_lossy(input));
        }
    }
}
