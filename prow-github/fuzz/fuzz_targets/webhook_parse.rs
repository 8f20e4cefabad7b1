//! Arbitrary `X-GitHub-Event` values and bodies through the webhook parser, and arbitrary bytes
//! through the HMAC secret-file and signature parsers: none of them may panic, and what they
//! accept must be consistent.
//!
//! Input layout: one byte `n`, then `n` bytes of event type (lossy UTF-8), then the body.
//! Run from `prow-github/`: `cargo +nightly fuzz run webhook_parse`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use prow_core::event::Event;
use prow_github::hook::{HmacConfig, parse_signature, payload_signature, verify};

fuzz_target!(|data: &[u8]| {
    let Some((&len, rest)) = data.split_first() else {
        return;
    };
    let split = usize::from(len).min(rest.len());
    let (event_type, body) = rest.split_at(split);
    let event_type = String::from_utf8_lossy(event_type);

    // The webhook parser: any type, any body; what parses reports the type it was parsed as.
    if let Ok(event) = Event::parse(&event_type, body) {
        assert_eq!(event.event_type(), event_type);
        let event = event.with_guid("fuzz");
        let _ = (event.repo(), event.action(), event.sender(), event.installation_id());
    }

    // The secret file: any bytes; a parsed file gives tokens for any repository, and a
    // signature made with the first of them verifies.
    if let Ok(config) = HmacConfig::parse(body) {
        let org_repo = event_type.as_ref();
        if let Some(tokens) = config.tokens_for(org_repo) {
            let first = tokens.first().expect("token lists are never empty");
            let signature = payload_signature(data, first.expose());
            assert!(verify(&config, data, &signature, org_repo).is_ok());
        }
        let _ = format!("{config:?}");
    }

    // The signature header: any text.
    if let Ok(header) = std::str::from_utf8(body) {
        let _ = parse_signature(header);
    }
});
