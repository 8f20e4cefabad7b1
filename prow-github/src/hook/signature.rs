//! The `X-Hub-Signature-256` check: HMAC-SHA256 of the raw body under one of the tokens that
//! apply to the delivery's repository, compared in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::secret::{HmacConfig, Secret};

/// The header GitHub puts the body's HMAC-SHA256 in, as `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";

const PREFIX: &str = "sha256=";

/// Why a delivery's signature was not accepted. The messages are upstream Prow's, which follow
/// `403 Forbidden: Invalid X-Hub-Signature-256 - ` in the response.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The body is not a JSON object, so its repository (and with it the secret) is unknown,
    /// and no token that applies without a repository signed it.
    #[error("invalid payload")]
    InvalidPayload,
    /// The header is not `sha256=` followed by hex.
    #[error("invalid signature")]
    InvalidSignature,
    /// The secret file lists no token for the repository, its organization or `*`.
    #[error("failed to get an appropriate hmac secret")]
    NoSecret,
    /// None of the tokens that apply signed the body.
    #[error("misconfigured webhook secret from organization/repo: {org_repo}")]
    Mismatch {
        /// The repository (or organization) the tokens were chosen for.
        org_repo: String,
    },
}

/// `sha256=<hex>`: the `X-Hub-Signature-256` value GitHub sends for `payload` under `key`.
pub fn payload_signature(payload: &[u8], key: &[u8]) -> String {
    let mut mac = keyed(key);
    mac.update(payload);
    format!("{PREFIX}{}", hex::encode(mac.finalize().into_bytes()))
}

fn keyed(key: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length; the error case cannot happen.
    Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC accepts any key"))
}

/// Decodes an `X-Hub-Signature-256` value: `sha256=` and hex digits (of any length, as
/// upstream accepts; a MAC of the wrong length simply matches no token).
pub fn parse_signature(header: &str) -> Result<Vec<u8>, SignatureError> {
    let hex_digits = header
        .strip_prefix(PREFIX)
        .ok_or(SignatureError::InvalidSignature)?;
    hex::decode(hex_digits).map_err(|_| SignatureError::InvalidSignature)
}

/// Whether any of `keys` signed `payload` with `signature` (constant-time comparison).
pub fn signed_by_any<'k>(
    payload: &[u8],
    signature: &[u8],
    keys: impl IntoIterator<Item = &'k Secret>,
) -> bool {
    keys.into_iter().any(|key| {
        let mut mac = keyed(key.expose());
        mac.update(payload);
        mac.verify_slice(signature).is_ok()
    })
}

/// Checks `header` (the `X-Hub-Signature-256` value) against `payload` under the tokens that
/// `config` lists for `org_repo` (see [`HmacConfig::tokens_for`]).
pub fn verify(
    config: &HmacConfig,
    payload: &[u8],
    header: &str,
    org_repo: &str,
) -> Result<(), SignatureError> {
    let signature = parse_signature(header)?;
    let keys = config
        .tokens_for(org_repo)
        .ok_or(SignatureError::NoSecret)?;
    if signed_by_any(payload, &signature, keys) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch {
            org_repo: org_repo.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_test_vector() {
        // docs.github.com, "Validating webhook deliveries".
        assert_eq!(
            payload_signature(b"Hello, World!", b"It's a Secret to Everybody"),
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        );
    }

    const TOKENS: &str = "
'*':
  - value: abc
    created_at: 2020-10-02T15:00:00Z
  - value: key
    created_at: 2018-10-02T15:00:00Z
'org1':
  - value: abc1
    created_at: 2020-10-02T15:00:00Z
  - value: key1
    created_at: 2018-10-02T15:00:00Z
'org2/repo':
  - value: abc2
    created_at: 2020-10-02T15:00:00Z
  - value: key2
    created_at: 2018-10-02T15:00:00Z
";

    /// Upstream's `TestValidatePayload` vectors (`openssl dgst -sha256 -hmac KEY`).
    #[test]
    fn upstream_vectors() {
        let config = HmacConfig::parse(TOKENS.as_bytes()).unwrap();
        let empty = "sha256=19092633e5aa9a849dfcc9d2df4e76db2df1fcba7f38915f2c7833bd8a510f2f";
        let cases: [(&str, &str, &str, Result<(), SignatureError>); 6] = [
            ("correct signature, global token", "{}", empty, Ok(())),
            (
                "signature without its prefix",
                "{}",
                &empty[7..],
                Err(SignatureError::InvalidSignature),
            ),
            (
                "empty signature",
                "{}",
                "",
                Err(SignatureError::InvalidSignature),
            ),
            (
                "org-level event",
                "org1",
                "sha256=87e9dcd175b5188a43e6ba0511da057b51f38f5a88088b198f26db13f1409280",
                Ok(()),
            ),
            (
                "repo-level event",
                "org2/repo",
                "sha256=489ff461f227239a8b2ae0ec5b452dc134712ef2e23a9939ecf7a889b467351b",
                Ok(()),
            ),
            (
                "repo and organization: the repository decides",
                "org2/repo",
                "sha256=1ec548cd58f7846a1af4736d08d29604de0b85edd19e3b8569c5eda544c200fc",
                Ok(()),
            ),
        ];
        let bodies = [
            "{}",
            "{}",
            "{}",
            r#"{"organization": {"login": "org1"}}"#,
            r#"{"repository": {"full_name": "org2/repo"}}"#,
            r#"{"repository": {"full_name": "org2/repo"}, "organization": {"login": "org2"}}"#,
        ];
        for ((name, org_repo, sig, want), body) in cases.into_iter().zip(bodies) {
            let org_repo = if org_repo == "{}" { "" } else { org_repo };
            assert_eq!(
                verify(&config, body.as_bytes(), sig, org_repo),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn every_token_of_the_list_is_tried_and_only_that_list() {
        let config = HmacConfig::parse(TOKENS.as_bytes()).unwrap();
        let body = br#"{"repository": {"full_name": "org2/repo"}}"#;
        for key in ["abc2", "key2"] {
            let sig = payload_signature(body, key.as_bytes());
            assert_eq!(verify(&config, body, &sig, "org2/repo"), Ok(()), "{key}");
        }
        // The global token does not open a repository with a list of its own.
        let sig = payload_signature(body, b"abc");
        assert_eq!(
            verify(&config, body, &sig, "org2/repo"),
            Err(SignatureError::Mismatch {
                org_repo: "org2/repo".into()
            })
        );
        assert_eq!(
            SignatureError::Mismatch {
                org_repo: "org2/repo".into()
            }
            .to_string(),
            "misconfigured webhook secret from organization/repo: org2/repo"
        );
    }

    #[test]
    fn malformed_headers_are_invalid_signatures() {
        for header in [
            "sha1=00",
            "sha256=zz",
            "sha256=abc",
            "SHA256=00",
            "sha256= 00",
        ] {
            assert_eq!(
                parse_signature(header),
                Err(SignatureError::InvalidSignature),
                "{header}"
            );
        }
        let upper = payload_signature(b"{}", b"abc")
            .to_uppercase()
            .replace("SHA256=", "sha256=");
        assert!(parse_signature(&upper).is_ok());
    }
}
