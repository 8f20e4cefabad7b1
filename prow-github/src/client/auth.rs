//! Credentials: a personal token read from a file (re-read when it changes) and GitHub App
//! installation tokens (minted per organisation, cached, refreshed before they expire).
//! Each yields the `Authorization` header of a request and an identity that names the
//! credential in the ETag cache's keys and the metrics.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::BoxFuture;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use tokio::time::Instant;

use super::error::StackError;

/// The wall clock, replaceable in tests.
pub(crate) trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
#[derive(Debug, Default)]
pub(crate) struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A short, stable name for a token that does not reveal it.
pub(crate) fn token_identity(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    format!("token:{}", &hex::encode(digest)[..16])
}

/// What a request is authenticated with. `Debug` shows identities, never tokens.
#[derive(Clone)]
pub(crate) enum Credential {
    /// Nothing (or whatever octocrab itself puts on the request: an App's JWT).
    None {
        /// The identity for cache keys and metrics.
        identity: Arc<str>,
    },
    /// A personal token from a file.
    TokenFile(Arc<TokenFile>),
    /// A personal token given directly.
    Token {
        /// The token.
        token: Arc<str>,
        /// Its identity.
        identity: Arc<str>,
    },
    /// An App installation's token.
    Installation(Arc<InstallationToken>),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Credential({})", self.identity())
    }
}

impl Credential {
    /// A fixed token.
    pub fn token(token: &str) -> Self {
        Credential::Token {
            token: token.into(),
            identity: token_identity(token).into(),
        }
    }

    /// The `Authorization` header value and the identity, for a request about to be sent.
    pub async fn authorize(&self) -> Result<(Option<String>, Arc<str>), StackError> {
        match self {
            Credential::None { identity } => Ok((None, identity.clone())),
            Credential::Token { token, identity } => {
                Ok((Some(format!("Bearer {token}")), identity.clone()))
            }
            Credential::TokenFile(file) => {
                let (token, identity) = file.current().await?;
                Ok((Some(format!("Bearer {token}")), identity))
            }
            Credential::Installation(installation) => {
                let token = installation.token().await?;
                Ok((
                    Some(format!("Bearer {token}")),
                    installation.identity.clone(),
                ))
            }
        }
    }

    /// The identity, without fetching anything.
    pub fn identity(&self) -> Arc<str> {
        match self {
            Credential::None { identity } | Credential::Token { identity, .. } => identity.clone(),
            Credential::TokenFile(file) => file.identity(),
            Credential::Installation(installation) => installation.identity.clone(),
        }
    }

    /// After GitHub refused the token used (401, as `used`): gets a fresh one where that can
    /// help. Returns whether a retry may succeed: an installation token is minted anew, a
    /// token file is read again and helps when it now holds another token.
    pub async fn refresh(&self, used: &str) -> bool {
        match self {
            Credential::Installation(installation) => {
                installation.invalidate();
                true
            }
            Credential::TokenFile(file) => {
                file.invalidate();
                match file.current().await {
                    Ok((_, identity)) => &*identity != used,
                    Err(_) => false,
                }
            }
            _ => false,
        }
    }
}

struct TokenFileState {
    token: Option<Arc<str>>,
    identity: Arc<str>,
    modified: Option<SystemTime>,
    checked: Option<Instant>,
}

impl fmt::Debug for TokenFileState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenFileState")
            .field("identity", &self.identity)
            .field("modified", &self.modified)
            .finish_non_exhaustive()
    }
}

/// A personal access token kept in a file (a mounted Kubernetes secret): read on first use,
/// looked at again every `reload_interval`, re-read when its modification time changed.
#[derive(Debug)]
pub(crate) struct TokenFile {
    path: PathBuf,
    reload_interval: Duration,
    state: Mutex<TokenFileState>,
}

impl TokenFile {
    /// A token file, not read yet.
    pub fn new(path: PathBuf, reload_interval: Duration) -> Self {
        TokenFile {
            path,
            reload_interval,
            state: Mutex::new(TokenFileState {
                token: None,
                identity: "token:unread".into(),
                modified: None,
                checked: None,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TokenFileState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The identity of the token last read.
    pub fn identity(&self) -> Arc<str> {
        self.lock().identity.clone()
    }

    /// Reads the file now (failing when it is unreadable or empty).
    pub async fn load(&self) -> Result<(Arc<str>, Arc<str>), StackError> {
        let modified = tokio::fs::metadata(&self.path)
            .await
            .and_then(|m| m.modified())
            .ok();
        let text = tokio::fs::read_to_string(&self.path).await.map_err(|e| {
            StackError::Credentials(format!("reading {}: {e}", self.path.display()))
        })?;
        let token = text.trim();
        if token.is_empty() {
            return Err(StackError::Credentials(format!(
                "{} holds no token",
                self.path.display()
            )));
        }
        let token: Arc<str> = token.into();
        let identity: Arc<str> = token_identity(&token).into();
        let mut state = self.lock();
        if state.token.as_deref().is_some_and(|old| old != &*token) {
            tracing::info!(path = %self.path.display(), "GitHub token changed; using the new one");
        }
        state.token = Some(token.clone());
        state.identity = identity.clone();
        state.modified = modified;
        state.checked = Some(Instant::now());
        Ok((token, identity))
    }

    /// The current token and its identity: the one read last, unless the file is due a
    /// look and changed.
    pub async fn current(&self) -> Result<(Arc<str>, Arc<str>), StackError> {
        let (cached, due, known_modified) = {
            let state = self.lock();
            let due = state
                .checked
                .is_none_or(|at| at.elapsed() >= self.reload_interval);
            (
                state.token.clone().map(|t| (t, state.identity.clone())),
                due,
                state.modified,
            )
        };
        match cached {
            Some(cached) if !due => Ok(cached),
            Some(cached) => {
                let modified = tokio::fs::metadata(&self.path)
                    .await
                    .and_then(|m| m.modified())
                    .ok();
                if modified.is_some() && modified != known_modified {
                    match self.load().await {
                        Ok(fresh) => return Ok(fresh),
                        Err(err) => {
                            tracing::warn!(%err, "re-reading the GitHub token failed; keeping the old one");
                        }
                    }
                }
                self.lock().checked = Some(Instant::now());
                Ok(cached)
            }
            None => self.load().await,
        }
    }

    /// Makes the next use look at the file again.
    pub fn invalidate(&self) {
        let mut state = self.lock();
        state.checked = None;
        state.modified = None;
    }
}

/// An installation token as GitHub mints it. `Debug` hides the token.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
pub(crate) struct MintedToken {
    /// The token.
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

impl fmt::Debug for MintedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MintedToken")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Mints installation tokens (`POST /app/installations/{id}/access_tokens`, as the App).
pub(crate) trait TokenMinter: Send + Sync + fmt::Debug {
    /// A fresh token for `installation_id`.
    fn mint(&self, installation_id: u64) -> BoxFuture<'_, Result<MintedToken, StackError>>;
}

/// How long before its expiry an installation token is replaced (upstream: a minute).
pub(crate) const REFRESH_MARGIN: chrono::Duration = chrono::Duration::minutes(1);

/// Whether a token expiring at `expires_at` should be replaced at `now`.
pub(crate) fn needs_refresh(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    expires_at - REFRESH_MARGIN <= now
}

/// One installation's token: minted on first use, reused until a minute before it expires,
/// then minted again. Concurrent callers share one minting.
#[derive(Debug)]
pub(crate) struct InstallationToken {
    installation_id: u64,
    identity: Arc<str>,
    minter: Arc<dyn TokenMinter>,
    clock: Arc<dyn Clock>,
    cached: Mutex<Option<MintedToken>>,
    minting: tokio::sync::Mutex<()>,
}

impl InstallationToken {
    /// The token source of `installation_id`, named `identity` (`app:ID:org`).
    pub fn new(
        installation_id: u64,
        identity: &str,
        minter: Arc<dyn TokenMinter>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        InstallationToken {
            installation_id,
            identity: identity.into(),
            minter,
            clock,
            cached: Mutex::new(None),
            minting: tokio::sync::Mutex::new(()),
        }
    }

    fn fresh(&self) -> Option<String> {
        let cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        cached
            .as_ref()
            .filter(|t| !needs_refresh(t.expires_at, self.clock.now()))
            .map(|t| t.token.clone())
    }

    /// A token valid for at least a minute more.
    pub async fn token(&self) -> Result<String, StackError> {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let _minting = self.minting.lock().await;
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let minted = self.minter.mint(self.installation_id).await?;
        tracing::debug!(
            installation = self.installation_id,
            expires_at = %minted.expires_at,
            "minted a GitHub App installation token"
        );
        let token = minted.token.clone();
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some(minted);
        Ok(token)
    }

    /// Forgets the cached token.
    pub fn invalidate(&self) {
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// Organisation (lower-cased login) → installation ID, as `GET /app/installations` lists them.
#[derive(Debug, Default)]
pub(crate) struct InstallationMap {
    map: Mutex<Option<HashMap<String, u64>>>,
}

impl InstallationMap {
    /// The installation of `org`, when known.
    pub fn get(&self, org: &str) -> Option<u64> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.as_ref()?.get(&org.to_lowercase()).copied()
    }

    /// Replaces the known installations; returns whether anything changed.
    pub fn replace(&self, installations: HashMap<String, u64>) -> bool {
        let installations: HashMap<String, u64> = installations
            .into_iter()
            .map(|(k, v)| (k.to_lowercase(), v))
            .collect();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let changed = map.as_ref() != Some(&installations);
        *map = Some(installations);
        changed
    }

    /// Every known installation.
    pub fn all(&self) -> Vec<(String, u64)> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let mut all: Vec<_> = map.iter().flatten().map(|(k, v)| (k.clone(), *v)).collect();
        all.sort();
        all
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::super::tests::ManualClock;
    use super::*;

    /// Mints `token-N`, valid for an hour from the shared clock.
    #[derive(Debug)]
    struct CountingMinter {
        clock: Arc<ManualClock>,
        minted: AtomicU64,
    }

    impl TokenMinter for CountingMinter {
        fn mint(&self, installation_id: u64) -> BoxFuture<'_, Result<MintedToken, StackError>> {
            Box::pin(async move {
                let n = self.minted.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::task::yield_now().await;
                Ok(MintedToken {
                    token: format!("inst{installation_id}-token{n}"),
                    expires_at: self.clock.now() + chrono::Duration::hours(1),
                })
            })
        }
    }

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn refresh_margin() {
        let now = start();
        assert!(!needs_refresh(now + chrono::Duration::minutes(2), now));
        assert!(needs_refresh(now + chrono::Duration::seconds(60), now));
        assert!(needs_refresh(now + chrono::Duration::seconds(30), now));
        assert!(needs_refresh(now - chrono::Duration::seconds(1), now));
    }

    #[tokio::test]
    async fn installation_tokens_are_cached_and_refreshed_before_expiry() {
        let clock = Arc::new(ManualClock::new(start()));
        let minter = Arc::new(CountingMinter {
            clock: clock.clone(),
            minted: AtomicU64::new(0),
        });
        let source = InstallationToken::new(7, "app:1:kubernetes", minter.clone(), clock.clone());
        assert_eq!(source.token().await.unwrap(), "inst7-token1");
        clock.advance(chrono::Duration::minutes(30));
        assert_eq!(source.token().await.unwrap(), "inst7-token1", "still fresh");
        clock.advance(chrono::Duration::minutes(28) + chrono::Duration::seconds(59));
        assert_eq!(source.token().await.unwrap(), "inst7-token1", "61 s left");
        clock.advance(chrono::Duration::seconds(2));
        assert_eq!(
            source.token().await.unwrap(),
            "inst7-token2",
            "59 s left: refreshed"
        );
        source.invalidate();
        assert_eq!(source.token().await.unwrap(), "inst7-token3");
        assert_eq!(minter.minted.load(Ordering::SeqCst), 3);
        let text = format!("{source:?} {:?}", Credential::token("hunter2"));
        assert!(
            !text.contains("token3") && !text.contains("hunter2"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_minting() {
        let clock = Arc::new(ManualClock::new(start()));
        let minter = Arc::new(CountingMinter {
            clock: clock.clone(),
            minted: AtomicU64::new(0),
        });
        let source = Arc::new(InstallationToken::new(1, "app:1:o", minter.clone(), clock));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let source = source.clone();
                tokio::spawn(async move { source.token().await.unwrap() })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap(), "inst1-token1");
        }
        assert_eq!(minter.minted.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn token_files_are_trimmed_and_reloaded_when_changed() {
        let dir = std::env::temp_dir().join(format!(
            "prow-token-test-{}-{}",
            std::process::id(),
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("token");
        std::fs::write(&path, "  first-token\n").unwrap();
        let file = TokenFile::new(path.clone(), Duration::ZERO);
        let (token, identity) = file.current().await.unwrap();
        assert_eq!(&*token, "first-token");
        assert_eq!(&*identity, token_identity("first-token"));
        assert!(identity.starts_with("token:") && !identity.contains("first"));

        // A new token with a new modification time.
        std::fs::write(&path, "second-token\n").unwrap();
        let later = SystemTime::now() + Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(later)
            .unwrap();
        let (token, _) = file.current().await.unwrap();
        assert_eq!(&*token, "second-token");

        // An emptied file keeps the last good token; a missing file at start is an error.
        std::fs::write(&path, "\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(later + Duration::from_secs(5))
            .unwrap();
        assert_eq!(&*file.current().await.unwrap().0, "second-token");
        let missing = TokenFile::new(dir.join("nope"), Duration::ZERO);
        assert!(matches!(
            missing.current().await,
            Err(StackError::Credentials(_))
        ));
        let empty = TokenFile::new(path, Duration::ZERO);
        assert!(matches!(
            empty.current().await,
            Err(StackError::Credentials(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn installation_map() {
        let map = InstallationMap::default();
        assert_eq!(map.get("kubernetes"), None);
        assert!(map.replace(HashMap::from([("Kubernetes".to_owned(), 3)])));
        assert_eq!(map.get("KUBERNETES"), Some(3));
        assert!(!map.replace(HashMap::from([("kubernetes".to_owned(), 3)])));
        assert_eq!(map.all(), [("kubernetes".to_owned(), 3)]);
    }
}
