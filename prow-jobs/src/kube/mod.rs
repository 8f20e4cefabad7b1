//! Kubernetes for prow-rs: the ProwJob CustomResourceDefinition and an in-process fake API
//! server that tests drive the Kubernetes store and executor against.

mod crd;
mod fake;

pub use crd::{prowjob_crd, prowjob_crd_yaml};
pub use fake::FakeApiServer;

/// The HTTP status code of an API server's answer to a failed request, if it answered.
pub(crate) fn api_code(error: &::kube::Error) -> Option<u16> {
    match error {
        ::kube::Error::Api(status) => Some(status.code),
        _ => None,
    }
}

/// The message of an API server's failure answer, else the client error.
pub(crate) fn api_message(error: &::kube::Error) -> String {
    match error {
        ::kube::Error::Api(status) if !status.message.is_empty() => status.message.clone(),
        other => other.to_string(),
    }
}
