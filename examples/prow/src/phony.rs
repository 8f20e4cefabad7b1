//! `prow phony`: send one signed webhook to a hook, as GitHub would, and report the reply.
//! Upstream's flags: `--address`, `--hmac`, `--event` (also `--event-type`), `--payload`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;

/// The flags of `prow phony`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Where to send the fake hook.
    #[arg(long, default_value = "http://localhost:8888/hook")]
    pub address: String,
    /// HMAC token to sign the payload with.
    #[arg(long, default_value = "abcde12345")]
    pub hmac: String,
    /// Type of event to send, such as pull_request.
    #[arg(long = "event", visible_alias = "event-type", default_value = "ping")]
    pub event: String,
    /// File to send as payload; `{}` when not given.
    #[arg(long)]
    pub payload: Option<PathBuf>,
}

/// What the hook answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status code.
    pub status: u16,
    /// The body, trimmed.
    pub body: String,
}

/// Sends the hook and returns the reply.
pub async fn send(args: &Args) -> anyhow::Result<Reply> {
    let payload = match &args.payload {
        Some(path) => std::fs::read(path)
            .with_context(|| format!("could not read payload file {}", path.display()))?,
        None => b"{}".to_vec(),
    };
    let uri: hyper::Uri = args
        .address
        .parse()
        .with_context(|| format!("invalid --address {:?}", args.address))?;
    if uri.scheme_str() != Some("http") {
        bail!("--address must be an http:// URL (phony speaks plain HTTP to a local hook)");
    }
    let host = uri.host().context("--address has no host")?.to_string();
    let port = uri.port_u16().unwrap_or(80);
    let stream = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .with_context(|| format!("could not connect to {host}:{port}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .context("HTTP handshake failed")?;
    tokio::spawn(connection);
    let signature = prow_github::hook::payload_signature(&payload, args.hmac.as_bytes());
    let request = Request::post(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header(hyper::header::HOST, format!("{host}:{port}"))
        .header("X-GitHub-Event", &args.event)
        .header("X-GitHub-Delivery", delivery_id())
        .header("X-Hub-Signature-256", signature)
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(payload)))
        .context("could not build the request")?;
    let response = sender
        .send_request(request)
        .await
        .context("the hook did not answer")?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .context("could not read the reply")?
        .to_bytes();
    Ok(Reply {
        status,
        body: String::from_utf8_lossy(&body).trim().to_string(),
    })
}

/// A delivery ID unique to this send, so the hook never takes it for a redelivery.
fn delivery_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("phony-{}-{nanos}", std::process::id())
}

/// `prow phony`: prints the status code and the reply, and fails unless the hook answered 200.
pub fn main(args: &Args) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(send(args)) {
        Ok(reply) => {
            println!("{} {}", reply.status, reply.body);
            if reply.status == 200 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
