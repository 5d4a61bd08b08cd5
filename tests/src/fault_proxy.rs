//! A fault-injecting HTTP proxy for the deploy tests: it sits between samwise and moto on
//! 127.0.0.1 (point `AWS_ENDPOINT_URL` at it) and, by [`Rule`]s, drops a connection part way
//! through a request body, answers an error itself (throttling, 503), rewrites an answer, or holds a
//! request unanswered until the client goes away. Every request is logged with the fault applied to
//! it, so a test can count attempts.
//!
//! Plain HTTP/1.1, one exchange per connection: the proxy answers `Connection: close`, which the
//! SDK honours by opening a new connection for the next request. Request bodies with
//! Content-Length or chunked transfer encoding (S3 uploads may use `aws-chunked` over either) are
//! passed through byte for byte.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Which requests a rule applies to.
#[derive(Debug, Clone)]
pub enum Match {
    /// An S3 `PUT` (an upload).
    S3Put,
    /// An S3 `HEAD` (HeadBucket, HeadObject).
    S3Head,
    /// A CloudFormation (AWS query protocol) request with this `Action`.
    Action(&'static str),
    /// Every CloudFormation request.
    CloudFormation,
}

/// What a rule does to a request it applies to.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Read the request head and this many body bytes, then close the connection unanswered.
    DropAfter(usize),
    /// Answer with this status and XML body instead of forwarding the request.
    Respond { status: u16, body: String },
    /// Forward the request and replace `from` by `to` in the answer's body.
    Rewrite { from: String, to: String },
    /// Never forward the request nor answer it; the connection stays open until the client closes
    /// it (or is killed).
    Hold,
}

/// Applies `fault` to the matching requests after the first `skip`, `count` times.
#[derive(Debug, Clone)]
pub struct Rule {
    pub on: Match,
    pub skip: usize,
    pub count: usize,
    pub fault: Fault,
}

impl Rule {
    /// `fault` on the first `count` requests that `on` matches.
    pub fn first(count: usize, on: Match, fault: Fault) -> Rule {
        Rule { on, skip: 0, count, fault }
    }

    /// `fault` on every matching request from the `nth` (1-based) on.
    pub fn from_nth(nth: usize, on: Match, fault: Fault) -> Rule {
        Rule { on, skip: nth - 1, count: usize::MAX, fault }
    }
}

/// One request the proxy saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// The CloudFormation `Action`, for query-protocol requests.
    pub action: Option<String>,
    /// The fault applied (`drop`, `respond 429`, `rewrite`, `hold`), `None` when forwarded as is.
    pub fault: Option<String>,
    /// When the request was read, since the proxy started.
    pub at: Duration,
}

struct State {
    upstream: String,
    /// Each rule with how many matching requests it has seen.
    rules: Mutex<Vec<(Rule, usize)>>,
    log: Mutex<Vec<Seen>>,
    changed: Condvar,
    started: std::time::Instant,
}

/// The proxy; it accepts until the test process ends (each test starts its own).
pub struct FaultProxy {
    pub endpoint: String,
    state: Arc<State>,
}

impl FaultProxy {
    pub fn start(upstream: &str, rules: Vec<Rule>) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(State {
            upstream: upstream.trim_start_matches("http://").to_owned(),
            rules: Mutex::new(rules.into_iter().map(|r| (r, 0)).collect()),
            log: Mutex::default(),
            changed: Condvar::new(),
            started: std::time::Instant::now(),
        });
        let shared = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().map_while(Result::ok) {
                let state = shared.clone();
                std::thread::spawn(move || serve(conn, &state));
            }
        });
        FaultProxy { endpoint, state }
    }

    /// Replaces the rules (their counts start again).
    pub fn set_rules(&self, rules: Vec<Rule>) {
        *lock(&self.state.rules) = rules.into_iter().map(|r| (r, 0)).collect();
    }

    /// Every request seen so far, in arrival order.
    pub fn log(&self) -> Vec<Seen> {
        lock(&self.state.log).clone()
    }

    /// Waits until a request logged after the first `since` satisfies `pred`; panics after `timeout`.
    pub fn wait_for(&self, since: usize, timeout: Duration, pred: impl Fn(&Seen) -> bool) -> Seen {
        let log = lock(&self.state.log);
        let (log, _) = self
            .state
            .changed
            .wait_timeout_while(log, timeout, |log| !log.iter().skip(since).any(&pred))
            .unwrap_or_else(|e| e.into_inner());
        match log.iter().skip(since).find(|s| pred(s)) {
            Some(seen) => seen.clone(),
            None => panic!("no such request within {timeout:?}; seen: {:?}", *log),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Match {
    fn applies(&self, method: &str, action: Option<&str>) -> bool {
        match self {
            Match::S3Put => method == "PUT" && action.is_none(),
            Match::S3Head => method == "HEAD" && action.is_none(),
            Match::Action(a) => action == Some(a),
            Match::CloudFormation => action.is_some(),
        }
    }
}

/// The fault for this request, counting it against every rule it matches.
fn fault_for(state: &State, method: &str, action: Option<&str>) -> Option<Fault> {
    let mut chosen = None;
    for (rule, seen) in lock(&state.rules).iter_mut() {
        if !rule.on.applies(method, action) {
            continue;
        }
        let index = *seen;
        *seen += 1;
        if chosen.is_none() && index >= rule.skip && index - rule.skip < rule.count {
            chosen = Some(rule.fault.clone());
        }
    }
    chosen
}

fn record(state: &State, seen: Seen) {
    lock(&state.log).push(seen);
    state.changed.notify_all();
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// One request as read from the client.
struct Request {
    method: String,
    path: String,
    /// Header lines as sent, except Connection and Expect.
    headers: Vec<String>,
    body: Vec<u8>,
    /// The Content-Length, or `None` for a chunked body.
    length: Option<usize>,
}

fn read_head(client: &mut BufReader<TcpStream>) -> Option<(String, String, Vec<String>, bool)> {
    let mut request_line = String::new();
    if client.read_line(&mut request_line).ok()? == 0 {
        return None;
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = vec![request_line];
    let mut expect = false;
    loop {
        let mut line = String::new();
        if client.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("connection:") {
            continue;
        }
        if lower.starts_with("expect:") {
            expect = lower.contains("100-continue");
            continue;
        }
        headers.push(line);
    }
    Some((method, path, headers, expect))
}

fn header_value<'a>(headers: &'a [String], name: &str) -> Option<&'a str> {
    headers.iter().skip(1).find_map(|h| {
        let (k, v) = h.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Reads up to `limit` bytes of the body (all of it when `limit` is `None`), raw.
fn read_body(client: &mut BufReader<TcpStream>, headers: &[String], limit: Option<usize>) -> (Vec<u8>, Option<usize>) {
    let length = header_value(headers, "content-length").and_then(|v| v.parse().ok());
    let chunked =
        header_value(headers, "transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let mut body = Vec::new();
    if let Some(n) = length.filter(|_| !chunked) {
        let take = limit.map_or(n, |l| l.min(n));
        body.resize(take, 0);
        if client.read_exact(&mut body).is_err() {
            body.clear();
        }
        return (body, Some(n));
    }
    if !chunked {
        return (body, Some(0));
    }
    // Chunked: size line, data, CRLF ... a zero-size chunk, trailers, an empty line.
    loop {
        if limit.is_some_and(|l| body.len() >= l) {
            break;
        }
        let mut size_line = String::new();
        if client.read_line(&mut size_line).unwrap_or(0) == 0 {
            break;
        }
        body.extend_from_slice(size_line.as_bytes());
        let size = usize::from_str_radix(size_line.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
        if size == 0 {
            loop {
                let mut trailer = String::new();
                if client.read_line(&mut trailer).unwrap_or(0) == 0 {
                    break;
                }
                body.extend_from_slice(trailer.as_bytes());
                if trailer == "\r\n" {
                    break;
                }
            }
            break;
        }
        let mut data = vec![0; size + 2];
        if client.read_exact(&mut data).is_err() {
            break;
        }
        body.extend_from_slice(&data);
    }
    (body, None)
}

fn action_of(request: &Request) -> Option<String> {
    let form = header_value(&request.headers, "content-type")
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form || request.length.is_none() {
        return None;
    }
    let body = String::from_utf8_lossy(&request.body);
    crate::moto::form_pairs(&body).into_iter().find(|(k, _)| k == "Action").map(|(_, v)| v)
}

fn serve(conn: TcpStream, state: &State) {
    let mut out = conn.try_clone().unwrap();
    let mut client = BufReader::new(conn);
    // The head decides the fault, but only a body tells a CloudFormation action: peek at the head
    // first for S3 drops (which must not read the whole body), then read the rest.
    let Some((method, path, headers, expect)) = read_head(&mut client) else { return };
    if expect && out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err() {
        return;
    }
    let is_query = header_value(&headers, "content-type").is_some_and(|v| v.starts_with("application/x-www-form"));
    let s3_fault = if is_query { None } else { fault_for(state, &method, None) };
    if let Some(Fault::DropAfter(n)) = &s3_fault {
        let _ = read_body(&mut client, &headers, Some(*n));
        let at = state.started.elapsed();
        record(state, Seen { method, path, action: None, fault: Some("drop".to_owned()), at });
        let _ = out.shutdown(Shutdown::Both);
        return;
    }
    let (body, length) = read_body(&mut client, &headers, None);
    let request = Request { method, path, headers, body, length };
    let action = action_of(&request);
    let fault = if is_query { fault_for(state, &request.method, action.as_deref()) } else { s3_fault };
    let at = state.started.elapsed();
    let seen = |fault: Option<&str>| Seen {
        method: request.method.clone(),
        path: request.path.clone(),
        action: action.clone(),
        fault: fault.map(str::to_owned),
        at,
    };
    match fault {
        Some(Fault::DropAfter(_)) => {
            record(state, seen(Some("drop")));
            let _ = out.shutdown(Shutdown::Both);
        }
        Some(Fault::Respond { status, body }) => {
            record(state, seen(Some(&format!("respond {status}"))));
            let xml = [("Content-Type".to_owned(), "text/xml".to_owned())];
            let _ = out.write_all(&response(status, &xml, body.as_bytes()));
        }
        Some(Fault::Hold) => {
            record(state, seen(Some("hold")));
            // Until the client closes (or dies): the request is never forwarded.
            let _ = std::io::copy(&mut client, &mut std::io::sink());
        }
        Some(Fault::Rewrite { from, to }) => {
            let Some(answer) = forward(state, &request) else { return };
            let body = String::from_utf8_lossy(&answer.body).replace(&from, &to);
            let rewritten = if body.contains(&to) { "rewrite" } else { "rewrite (no match)" };
            record(state, seen(Some(rewritten)));
            let _ = out.write_all(&response(answer.status, &answer.headers, body.as_bytes()));
        }
        None => {
            let Some(answer) = forward(state, &request) else { return };
            record(state, seen(None));
            let _ = out.write_all(&response(answer.status, &answer.headers, &answer.body));
        }
    }
}

/// An answer from upstream: status, headers other than the framing ones, the de-chunked body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// An answer with `Content-Length` (unless `headers` has one: a HEAD answer) and `Connection: close`.
fn response(status: u16, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-length")) {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// Sends the request to moto and returns its answer: status, headers other than the framing
/// ones, and the (de-chunked) body.
fn forward(state: &State, request: &Request) -> Option<Answer> {
    let mut up = TcpStream::connect(&state.upstream).ok()?;
    let mut head = request.headers.concat();
    head.push_str("Connection: close\r\n\r\n");
    up.write_all(head.as_bytes()).ok()?;
    up.write_all(&request.body).ok()?;
    let mut up = BufReader::new(up);
    let mut status_line = String::new();
    up.read_line(&mut status_line).ok()?;
    let status = status_line.split_whitespace().nth(1)?.parse().ok()?;
    let mut headers = Vec::new();
    let mut chunked = false;
    loop {
        let mut line = String::new();
        if up.read_line(&mut line).ok()? == 0 || line == "\r\n" {
            break;
        }
        let (k, v) = line.split_once(':')?;
        let (k, v) = (k.trim().to_owned(), v.trim().to_owned());
        match k.to_ascii_lowercase().as_str() {
            "transfer-encoding" => chunked = v.to_ascii_lowercase().contains("chunked"),
            // A HEAD answer keeps the object's length; other bodies are framed anew.
            "content-length" if request.method == "HEAD" => headers.push((k, v)),
            "content-length" | "connection" => {}
            _ => headers.push((k, v)),
        }
    }
    let mut raw = Vec::new();
    // Upstream closes after the answer (we asked it to); a HEAD answer has no body.
    let _ = up.read_to_end(&mut raw);
    let body = if chunked { dechunk(&raw) } else { raw };
    Some(Answer { status, headers, body })
}

fn dechunk(raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    let mut rest = raw;
    while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..end]).trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < end + 2 + size {
            break;
        }
        body.extend_from_slice(&rest[end + 2..end + 2 + size]);
        rest = &rest[(end + 4 + size).min(rest.len())..];
    }
    body
}
