//! Test helpers: a recording sink, a server on loopback and a raw HTTP/1.1 client.

#![allow(dead_code)]

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prow_core::traits::Delivery;
use prow_github::hook::{Intake, payload_signature};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How long any one network step may take before the test fails.
pub const STEP: Duration = Duration::from_secs(20);

/// A sink that records what it is handed; it fails the calls whose number (from 0) is listed
/// in `fail_calls`.
#[derive(Clone, Default)]
pub struct Recorder {
    pub deliveries: Arc<Mutex<Vec<Delivery>>>,
    pub calls: Arc<AtomicUsize>,
    pub fail_calls: Arc<Vec<usize>>,
}

impl Recorder {
    pub fn failing(calls: &[usize]) -> Self {
        Recorder {
            fail_calls: Arc::new(calls.to_vec()),
            ..Recorder::default()
        }
    }

    pub fn taken(&self) -> Vec<Delivery> {
        std::mem::take(&mut self.deliveries.lock().unwrap())
    }

    pub fn count(&self) -> usize {
        self.deliveries.lock().unwrap().len()
    }
}

impl tower::Service<Delivery> for Recorder {
    type Response = ();
    type Error = String;
    type Future = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), String>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, delivery: Delivery) -> Self::Future {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        let fail = self.fail_calls.contains(&call);
        let deliveries = Arc::clone(&self.deliveries);
        Box::pin(async move {
            // Yield once, so the reply demonstrably waits for the hand-off to complete.
            tokio::task::yield_now().await;
            if fail {
                return Err(format!("dispatcher unavailable (call {call})"));
            }
            deliveries.lock().unwrap().push(delivery);
            Ok(())
        })
    }
}

/// Serves `intake` on 127.0.0.1 and returns its address.
pub async fn serve<S>(intake: Intake<S>) -> SocketAddr
where
    S: tower::Service<Delivery, Response = ()> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: std::fmt::Display,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, intake.router()).await });
    addr
}

/// An HTTP reply: status code and body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

/// Sends one HTTP/1.1 request on a fresh connection and reads the whole reply.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    tokio::time::timeout(STEP, send_inner(addr, method, path, headers, body))
        .await
        .expect("the server answered in time")
}

async fn send_inner(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    // The server may answer (413) and close before reading the whole body.
    let _ = stream.write_all(&request).await;
    let mut raw = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut chunk).await {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&chunk[..n]),
            Err(error) if !raw.is_empty() => {
                eprintln!("connection ended with {error} after the reply");
                break;
            }
            Err(error) => panic!("no reply: {error}"),
        }
    }
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    } else if let Some((_, length)) = headers.iter().find(|(n, _)| n == "content-length") {
        body.truncate(length.parse().unwrap());
    }
    Reply {
        status,
        body: String::from_utf8(body).unwrap(),
        headers,
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = raw.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&raw[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[end + 4 + size..];
    }
}

/// Posts `body` as a GitHub delivery signed with `key`.
pub async fn deliver(
    addr: SocketAddr,
    event_type: &str,
    guid: &str,
    body: &[u8],
    key: &[u8],
) -> Reply {
    let signature = payload_signature(body, key);
    send(
        addr,
        "POST",
        "/hook",
        &[
            ("X-GitHub-Event", event_type),
            ("X-GitHub-Delivery", guid),
            ("X-Hub-Signature-256", &signature),
            ("Content-Type", "application/json"),
        ],
        body,
    )
    .await
}

/// A sink that accepts everything.
pub fn accept_all()
-> impl tower::Service<Delivery, Response = (), Error = Infallible, Future: Send> + Clone + Send {
    tower::service_fn(|_: Delivery| async { Ok::<_, Infallible>(()) })
}

/// A unique path under the system's temporary directory.
pub fn temp_path(name: &str) -> std::path::PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "prow-github-test-{}-{}-{name}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ))
}
