//! The Lambda Runtime API emulator: an HTTP/1.1 server on 127.0.0.1 (ephemeral port) that hands one
//! invocation to the runtime client and reports what the runtime posts back.
//!
//! Each local invocation gets its own emulator and its own process, so the server holds exactly one
//! invocation. A second `next` request means the runtime finished the first one (and flushed its
//! output); it is reported as [`ApiEvent::Idle`] and then left waiting until the process is ended,
//! which is what Lambda does when it freezes an idle sandbox.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Lambda's limit for a synchronous invocation's request and response payloads: 6 MB.
pub const MAX_PAYLOAD: usize = 6 * 1024 * 1024;

const PREFIX: &str = "/2018-06-01/runtime";

/// The invocation the emulator hands out, with the values of the `Lambda-Runtime-*` headers.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub request_id: String,
    pub event: Bytes,
    pub invoked_function_arn: String,
    pub trace_id: String,
    pub client_context: Option<String>,
    pub cognito_identity: Option<String>,
}

/// What the runtime did, in the order it did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiEvent {
    /// The runtime fetched the invocation: init is over and the handler is about to run.
    Started,
    /// The runtime asked for another invocation after answering the first: it is done and idle.
    Idle,
    /// The handler's result (at most [`MAX_PAYLOAD`] bytes).
    Response(Bytes),
    /// The handler failed; `payload` is Lambda's error JSON as the runtime posted it.
    Error { error_type: Option<String>, payload: Bytes },
    /// The runtime could not initialise (import error, missing handler).
    InitError { error_type: Option<String>, payload: Bytes },
    /// The runtime tried to post a response larger than [`MAX_PAYLOAD`]; it was refused with 413.
    ResponseTooLarge,
}

/// A running emulator. Dropping it stops the server and closes its connections.
pub struct RuntimeApi {
    addr: SocketAddr,
    events: mpsc::UnboundedReceiver<ApiEvent>,
    server: tokio::task::JoinHandle<()>,
}

struct State {
    invocation: Mutex<Option<Invocation>>,
    request_id: String,
    deadline_ms: Box<dyn Fn() -> u64 + Send + Sync>,
    events: mpsc::UnboundedSender<ApiEvent>,
}

impl RuntimeApi {
    /// Binds 127.0.0.1 on an ephemeral port and serves `invocation`. `deadline_ms` is called when the
    /// runtime fetches the invocation and gives the `Lambda-Runtime-Deadline-Ms` value (milliseconds
    /// since the Unix epoch).
    pub async fn start(
        invocation: Invocation,
        deadline_ms: impl Fn() -> u64 + Send + Sync + 'static,
    ) -> std::io::Result<RuntimeApi> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let (tx, events) = mpsc::unbounded_channel();
        let state = Arc::new(State {
            request_id: invocation.request_id.clone(),
            invocation: Mutex::new(Some(invocation)),
            deadline_ms: Box::new(deadline_ms),
            events: tx,
        });
        let server = tokio::spawn(async move {
            // The connections live in this set so that aborting the server task closes them all.
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let state = state.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| handle(state.clone(), req));
                    // A connection error only means the runtime went away; the process lifecycle reports that.
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
                while connections.try_join_next().is_some() {}
            }
        });
        Ok(RuntimeApi { addr, events, server })
    }

    /// The `host:port` for `AWS_LAMBDA_RUNTIME_API`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The next thing the runtime did; never `None` while the emulator runs.
    pub async fn next_event(&mut self) -> Option<ApiEvent> {
        self.events.recv().await
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

type Reply = Response<Full<Bytes>>;

fn reply(status: StatusCode, body: impl Into<Bytes>) -> Reply {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(hyper::header::CONTENT_TYPE, "application/json".parse().expect("static header"));
    response
}

fn error_reply(status: StatusCode, error_type: &str, message: &str) -> Reply {
    let body = serde_json::json!({ "errorMessage": message, "errorType": error_type });
    reply(status, body.to_string())
}

fn accepted() -> Reply {
    reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Reply, Infallible> {
    let path = req.uri().path().to_owned();
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Ok(error_reply(StatusCode::NOT_FOUND, "NotFound", "unknown path"));
    };
    let error_type =
        req.headers().get("Lambda-Runtime-Function-Error-Type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let method = req.method().clone();
    match (method, rest) {
        (Method::GET, "/invocation/next") => Ok(next(&state).await),
        (Method::POST, "/init/error") => {
            let Some(payload) = read_body(req).await else { return Ok(too_large()) };
            let _ = state.events.send(ApiEvent::InitError { error_type, payload });
            Ok(accepted())
        }
        (Method::POST, rest) => {
            let Some((id, kind)) = rest.strip_prefix("/invocation/").and_then(|r| r.rsplit_once('/')) else {
                return Ok(error_reply(StatusCode::NOT_FOUND, "NotFound", "unknown path"));
            };
            if id != state.request_id {
                return Ok(error_reply(StatusCode::BAD_REQUEST, "InvalidRequestID", "Invalid request ID"));
            }
            let payload = read_body(req).await;
            let event = match (kind, payload) {
                ("response", Some(payload)) => ApiEvent::Response(payload),
                ("response", None) => {
                    let _ = state.events.send(ApiEvent::ResponseTooLarge);
                    return Ok(too_large());
                }
                ("error", Some(payload)) => ApiEvent::Error { error_type, payload },
                ("error", None) => return Ok(too_large()),
                _ => return Ok(error_reply(StatusCode::NOT_FOUND, "NotFound", "unknown path")),
            };
            let _ = state.events.send(event);
            Ok(accepted())
        }
        _ => Ok(error_reply(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", "method not allowed")),
    }
}

async fn next(state: &State) -> Reply {
    let invocation = state.invocation.lock().unwrap_or_else(|e| e.into_inner()).take();
    let Some(inv) = invocation else {
        let _ = state.events.send(ApiEvent::Idle);
        // One invocation per process: the runtime waits here until the lifecycle ends the process.
        std::future::pending::<()>().await;
        unreachable!("pending never completes");
    };
    let mut response = reply(StatusCode::OK, inv.event);
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    };
    set("Lambda-Runtime-Aws-Request-Id", &inv.request_id);
    set("Lambda-Runtime-Deadline-Ms", &(state.deadline_ms)().to_string());
    set("Lambda-Runtime-Invoked-Function-Arn", &inv.invoked_function_arn);
    set("Lambda-Runtime-Trace-Id", &inv.trace_id);
    if let Some(cc) = &inv.client_context {
        set("Lambda-Runtime-Client-Context", cc);
    }
    if let Some(id) = &inv.cognito_identity {
        set("Lambda-Runtime-Cognito-Identity", id);
    }
    let _ = state.events.send(ApiEvent::Started);
    response
}

/// The request body, or `None` when it exceeds [`MAX_PAYLOAD`].
async fn read_body(req: Request<Incoming>) -> Option<Bytes> {
    Limited::new(req.into_body(), MAX_PAYLOAD).collect().await.ok().map(|b| b.to_bytes())
}

fn too_large() -> Reply {
    error_reply(
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestEntityTooLarge",
        &format!("Exceeded maximum allowed payload size ({MAX_PAYLOAD} bytes)."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// One HTTP/1.1 exchange over a fresh connection; returns the status and the body.
    async fn call(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, String) {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        // The server may answer (413) before reading a large body and close; that is what is tested.
        let _ = stream.write_all(body).await;
        let mut out = Vec::new();
        let _ = stream.read_to_end(&mut out).await;
        let text = String::from_utf8_lossy(&out).into_owned();
        let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        (status, body)
    }

    fn invocation() -> Invocation {
        Invocation {
            request_id: "req-1".into(),
            event: Bytes::from_static(br#"{"k":1}"#),
            invoked_function_arn: "arn:aws:lambda:us-east-1:123456789012:function:F".into(),
            trace_id: "Root=1-0-0".into(),
            client_context: None,
            cognito_identity: None,
        }
    }

    #[tokio::test]
    async fn serves_one_invocation_and_reports_what_the_runtime_does() {
        let mut api = RuntimeApi::start(invocation(), || 42).await.unwrap();
        let addr = api.addr();
        assert!(addr.ip().is_loopback());

        let (status, body) = call(addr, "GET", "/2018-06-01/runtime/invocation/next", b"").await;
        assert_eq!((status, body.as_str()), (200, r#"{"k":1}"#));
        assert_eq!(api.next_event().await, Some(ApiEvent::Started));

        let (status, body) = call(addr, "POST", "/2018-06-01/runtime/invocation/other/response", b"1").await;
        assert_eq!(status, 400);
        assert!(body.contains("InvalidRequestID"), "{body}");
        let (status, _) = call(addr, "GET", "/nowhere", b"").await;
        assert_eq!(status, 404);

        let big = vec![b'x'; MAX_PAYLOAD + 1];
        let (status, body) = call(addr, "POST", "/2018-06-01/runtime/invocation/req-1/response", &big).await;
        assert_eq!(status, 413);
        assert!(body.contains("RequestEntityTooLarge"), "{body}");
        assert_eq!(api.next_event().await, Some(ApiEvent::ResponseTooLarge));

        let (status, _) = call(addr, "POST", "/2018-06-01/runtime/invocation/req-1/response", b"\"ok\"").await;
        assert_eq!(status, 202);
        assert_eq!(api.next_event().await, Some(ApiEvent::Response(Bytes::from_static(b"\"ok\""))));
    }

    #[tokio::test]
    async fn next_returns_the_lambda_headers() {
        let mut inv = invocation();
        inv.client_context = Some(r#"{"custom":{}}"#.into());
        let api = RuntimeApi::start(inv, || 1_700_000_000_000).await.unwrap();
        let mut stream = tokio::net::TcpStream::connect(api.addr()).await.unwrap();
        stream
            .write_all(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).await.unwrap();
        let out = out.to_ascii_lowercase();
        for header in [
            "lambda-runtime-aws-request-id: req-1",
            "lambda-runtime-deadline-ms: 1700000000000",
            "lambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-1:123456789012:function:f",
            "lambda-runtime-trace-id: root=1-0-0",
            r#"lambda-runtime-client-context: {"custom":{}}"#,
        ] {
            assert!(out.contains(header), "{header} missing in\n{out}");
        }
        assert!(!out.contains("lambda-runtime-cognito-identity"));
    }
}
