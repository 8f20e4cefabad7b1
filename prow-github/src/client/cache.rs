//! The ETag cache behind conditional requests: GET replies kept with their ETag per
//! credential, least recently used dropped first, bounded in entries and bytes. A 304 to an
//! `If-None-Match` costs no rate-limit budget (what upstream runs ghproxy for).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use bytes::Bytes;
use http::HeaderMap;
use http::header::{CONTENT_TYPE, LINK};

use super::options::CacheOptions;

/// A cached reply: the validator, the body and the headers needed to replay it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CachedReply {
    /// The `ETag` GitHub sent.
    pub etag: String,
    /// The body.
    pub body: Bytes,
    /// `Link` (pagination) and `Content-Type`.
    pub headers: HeaderMap,
}

impl CachedReply {
    /// The reply's size as the cache counts it.
    fn size(&self, key: &str) -> usize {
        key.len()
            + self.etag.len()
            + self.body.len()
            + self
                .headers
                .iter()
                .map(|(k, v)| k.as_str().len() + v.len())
                .sum::<usize>()
    }

    /// The headers worth keeping from a reply.
    pub fn kept_headers(headers: &HeaderMap) -> HeaderMap {
        let mut kept = HeaderMap::new();
        for name in [LINK, CONTENT_TYPE] {
            if let Some(value) = headers.get(&name) {
                kept.insert(name, value.clone());
            }
        }
        kept
    }
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<String, (CachedReply, u64)>,
    /// Last use → key, oldest first.
    by_use: BTreeMap<u64, String>,
    bytes: usize,
    tick: u64,
}

impl Inner {
    fn remove(&mut self, key: &str) {
        if let Some((reply, used)) = self.entries.remove(key) {
            self.by_use.remove(&used);
            self.bytes -= reply.size(key);
        }
    }
}

/// A bounded, least-recently-used map from request key to cached reply.
#[derive(Debug)]
pub(crate) struct EtagCache {
    max_entries: usize,
    max_bytes: usize,
    inner: Mutex<Inner>,
}

impl EtagCache {
    /// An empty cache with these bounds.
    pub fn new(options: &CacheOptions) -> Self {
        EtagCache {
            max_entries: options.max_entries,
            max_bytes: options.max_bytes,
            inner: Mutex::default(),
        }
    }

    /// Whether the cache keeps anything at all.
    pub fn enabled(&self) -> bool {
        self.max_entries > 0 && self.max_bytes > 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The key of a request: who asks (the credential's identity), how and for what.
    pub fn key(identity: &str, method: &str, accept: &str, uri: &str) -> String {
        format!("{identity}\n{method}\n{accept}\n{uri}")
    }

    /// The cached reply for `key`, marking it used.
    pub fn get(&self, key: &str) -> Option<CachedReply> {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        let (reply, used) = inner.entries.get_mut(key)?;
        let reply = reply.clone();
        let old = std::mem::replace(used, tick);
        inner.by_use.remove(&old);
        inner.by_use.insert(tick, key.to_owned());
        Some(reply)
    }

    /// Keeps `reply` under `key`, dropping the least recently used replies beyond the bounds.
    pub fn insert(&self, key: &str, reply: CachedReply) {
        if !self.enabled() {
            return;
        }
        let size = reply.size(key);
        let mut inner = self.lock();
        inner.remove(key);
        if size > self.max_bytes / 4 {
            return;
        }
        inner.tick += 1;
        let tick = inner.tick;
        inner.bytes += size;
        inner.entries.insert(key.to_owned(), (reply, tick));
        inner.by_use.insert(tick, key.to_owned());
        while inner.entries.len() > self.max_entries || inner.bytes > self.max_bytes {
            let Some((_, oldest)) = inner.by_use.pop_first() else {
                break;
            };
            if let Some((reply, _)) = inner.entries.remove(&oldest) {
                inner.bytes -= reply.size(&oldest);
            }
        }
    }

    /// Forgets `key`.
    pub fn remove(&self, key: &str) {
        self.lock().remove(key);
    }

    /// How many replies are kept, and their size.
    #[cfg(test)]
    pub fn usage(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.entries.len(), inner.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(etag: &str, body: &str) -> CachedReply {
        CachedReply {
            etag: etag.into(),
            body: Bytes::from(body.to_owned()),
            headers: HeaderMap::new(),
        }
    }

    #[test]
    fn keeps_and_replaces() {
        let cache = EtagCache::new(&CacheOptions::default());
        let key = EtagCache::key("token:abc", "GET", "application/json", "/repos/o/r");
        assert_eq!(cache.get(&key), None);
        cache.insert(&key, reply("\"1\"", "one"));
        assert_eq!(cache.get(&key).unwrap().body, "one");
        cache.insert(&key, reply("\"2\"", "two"));
        assert_eq!(cache.get(&key).unwrap().etag, "\"2\"");
        assert_eq!(cache.usage().0, 1);
        cache.remove(&key);
        assert_eq!(cache.usage(), (0, 0));
    }

    #[test]
    fn identities_do_not_share() {
        let cache = EtagCache::new(&CacheOptions::default());
        let a = EtagCache::key("token:a", "GET", "", "/user");
        let b = EtagCache::key("token:b", "GET", "", "/user");
        cache.insert(&a, reply("\"a\"", "alice"));
        assert!(cache.get(&b).is_none());
    }

    #[test]
    fn least_recently_used_go_first() {
        let cache = EtagCache::new(&CacheOptions {
            max_entries: 2,
            max_bytes: 1 << 20,
        });
        cache.insert("a", reply("1", "a"));
        cache.insert("b", reply("1", "b"));
        // Reading "a" makes "b" the least recently used.
        assert!(cache.get("a").is_some());
        cache.insert("c", reply("1", "c"));
        assert!(cache.get("a").is_some());
        assert!(cache.get("b").is_none());
        assert!(cache.get("c").is_some());
        assert_eq!(cache.usage().0, 2);
    }

    #[test]
    fn bounded_in_bytes() {
        let cache = EtagCache::new(&CacheOptions {
            max_entries: 100,
            max_bytes: 400,
        });
        // Too big for the cache (more than a quarter of it): not kept.
        cache.insert("big", reply("1", &"x".repeat(150)));
        assert!(cache.get("big").is_none());
        for n in 0..10 {
            cache.insert(&format!("k{n}"), reply("1", &"y".repeat(60)));
        }
        let (entries, bytes) = cache.usage();
        assert!(bytes <= 400, "{bytes}");
        assert!(entries < 10);
        assert!(cache.get("k9").is_some(), "the newest stays");
        assert!(cache.get("k0").is_none(), "the oldest went");
    }

    #[test]
    fn disabled_keeps_nothing() {
        let cache = EtagCache::new(&CacheOptions {
            max_entries: 0,
            max_bytes: 100,
        });
        assert!(!cache.enabled());
        cache.insert("a", reply("1", "a"));
        assert!(cache.get("a").is_none());
    }
}
