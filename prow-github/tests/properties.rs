//! Properties of the intake, called in-process as a tower service: whatever arrives, it
//! answers with one of its documented codes and never panics; a correctly signed JSON object of
//! an event type prow-core does not model is always accepted.

mod common;

use std::sync::{Arc, LazyLock};

use axum::body::Body;
use axum::http::{HeaderValue, Request};
use common::Recorder;
use proptest::prelude::*;
use prow_core::event::{Event, HANDLED_EVENT_TYPES};
use prow_github::hook::{ACCEPTED_RESPONSE, HmacConfig, HmacSecrets, Intake, payload_signature};
use tower::ServiceExt;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
});

const KEY: &[u8] = b"property-key";

/// A global list whose second token is [`KEY`], plus, with `per_repo`, a list for the
/// organization `other` that [`KEY`] does not open.
fn secrets(per_repo: bool) -> Arc<HmacSecrets> {
    let mut file = "'*':\n- value: retired\n- value: property-key\n".to_owned();
    if per_repo {
        file.push_str("other:\n- value: x\n");
    }
    Arc::new(HmacSecrets::new(
        HmacConfig::parse(file.as_bytes()).unwrap(),
    ))
}

/// Bytes a header value may hold (visible ASCII, space, tab, obs-text).
fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![8 => 0x20u8..0x7f, 1 => Just(b'\t'), 1 => 0x80u8..=0xff],
        0..48,
    )
}

#[derive(Debug, Clone)]
enum Value {
    Arbitrary(Vec<u8>),
    /// The right value for the header: the signature of the body, `application/json`, ...
    Right,
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => header_bytes().prop_map(Value::Arbitrary),
        2 => Just(Value::Right),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        json_object().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        Just(br#"{"repository": {"full_name": "other/repo"}}"#.to_vec()),
        Just(br#"{"action": "created", "issue": 1}"#.to_vec()),
    ]
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        ".{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    "[a-z_]{1,10}",
                    Just("repository".to_owned()),
                    Just("action".to_owned()),
                    Just("organization".to_owned()),
                ],
                inner,
                0..6
            )
            .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = serde_json::Value> {
    prop::collection::btree_map("[a-z_]{1,10}", json_value(), 0..8)
        .prop_map(|map| serde_json::Value::Object(map.into_iter().collect()))
}

fn event_type() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(HANDLED_EVENT_TYPES.to_vec()).prop_map(str::to_owned),
        Just("ping".to_owned()),
        "[a-z_]{1,24}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_request_gets_a_documented_code(
        method in prop_oneof![6 => Just("POST"), 1 => Just("GET"), 1 => Just("PUT"), 1 => Just("DELETE")],
        event in prop::option::weighted(0.9, (event_type(), value())),
        guid in prop::option::weighted(0.9, value()),
        signature in prop::option::weighted(0.9, value()),
        content_type in prop::option::weighted(0.9, value()),
        content_length in prop::option::weighted(0.1, header_bytes()),
        extra in prop::collection::vec(("x-[a-z-]{1,12}", header_bytes()), 0..3),
        body in body(),
    ) {
        let sink = Recorder::default();
        let intake = Intake::builder(secrets(true)).body_limit(256).build(sink.clone());
        let mut request = Request::builder().method(method).uri("/hook");
        let pick = |value: &Value, right: &[u8]| match value {
            Value::Arbitrary(bytes) => HeaderValue::from_bytes(bytes).unwrap(),
            Value::Right => HeaderValue::from_bytes(right).unwrap(),
        };
        if let Some((event_type, value)) = &event {
            request = request.header("X-GitHub-Event", pick(value, event_type.as_bytes()));
        }
        if let Some(value) = &guid {
            request = request.header("X-GitHub-Delivery", pick(value, b"guid-1"));
        }
        if let Some(value) = &signature {
            let right = payload_signature(&body, KEY);
            request = request.header("X-Hub-Signature-256", pick(value, right.as_bytes()));
        }
        if let Some(value) = &content_type {
            request = request.header("Content-Type", pick(value, b"application/json"));
        }
        if let Some(bytes) = &content_length {
            request = request.header("Content-Length", HeaderValue::from_bytes(bytes).unwrap());
        }
        for (name, bytes) in &extra {
            request = request.header(name.as_str(), HeaderValue::from_bytes(bytes).unwrap());
        }
        let request = request.body(Body::from(body.clone())).unwrap();

        let response = RUNTIME.block_on(intake.clone().oneshot(request)).unwrap();
        let status = response.status().as_u16();
        prop_assert!([200, 400, 403, 405, 413].contains(&status), "status {status}");
        prop_assert_eq!(intake.metrics().responses(status), 1);
        prop_assert_eq!(sink.count(), usize::from(status == 200));
        if status == 200 {
            let delivery = &sink.taken()[0];
            prop_assert_eq!(&*delivery.payload, &body[..]);
        }
    }

    #[test]
    fn a_signed_object_of_an_unknown_type_is_accepted(
        event_type in "[a-z_]{1,24}".prop_filter("not modelled", |t| !HANDLED_EVENT_TYPES.contains(&t.as_str())),
        object in json_object(),
        guid in "[0-9a-f-]{1,36}",
    ) {
        let sink = Recorder::default();
        let intake = Intake::builder(secrets(false)).build(sink.clone());
        let body = serde_json::to_vec(&object).unwrap();
        let request = Request::post("/hook")
            .header("X-GitHub-Event", &event_type)
            .header("X-GitHub-Delivery", &guid)
            .header("X-Hub-Signature-256", payload_signature(&body, KEY))
            .header("Content-Type", "application/json")
            .body(Body::from(body.clone()))
            .unwrap();
        let response = RUNTIME.block_on(intake.oneshot(request)).unwrap();
        prop_assert_eq!(response.status().as_u16(), 200);
        let text = RUNTIME
            .block_on(http_body_util::BodyExt::collect(response.into_body()))
            .unwrap()
            .to_bytes();
        prop_assert_eq!(&text[..], ACCEPTED_RESPONSE.as_bytes());
        let delivered = sink.taken();
        prop_assert_eq!(delivered.len(), 1);
        // (Compared with a parse of the same bytes: serde_json's float parsing does not always
        // round-trip the generated f64 exactly.)
        let is_other = matches!(&*delivered[0].event, Event::Other { event_type: t, .. } if *t == event_type);
        prop_assert!(is_other);
        prop_assert_eq!(&*delivered[0].event, &Event::parse(&event_type, &body).unwrap());
        prop_assert_eq!(&*delivered[0].payload, &body[..]);
        prop_assert!(object.is_object());
    }
}

fn yamlish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just("'*'".to_owned()),
        Just("org".to_owned()),
        Just("org/repo".to_owned()),
        Just("- value: ".to_owned()),
        Just("  created_at: 2020-10-02T15:00:00Z".to_owned()),
        Just(":".to_owned()),
        Just("\n".to_owned()),
        Just("  ".to_owned()),
        Just("[".to_owned()),
        Just("{".to_owned()),
        Just("&a ".to_owned()),
        Just("*a".to_owned()),
        Just("<<: ".to_owned()),
        "[a-z0-9]{1,8}",
    ];
    prop::collection::vec(token, 0..24).prop_map(|parts| parts.concat().into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// The fuzz target's invariant: any file parses or is refused without a panic, and a
    /// parsed file opens every repository it lists a token for with that token.
    #[test]
    fn secret_files_parse_or_are_refused(
        content in prop_oneof![prop::collection::vec(any::<u8>(), 0..200), yamlish()],
        org_repo in prop_oneof![Just(""), Just("org"), Just("org/repo"), Just("other/repo")],
    ) {
        match HmacConfig::parse(&content) {
            Ok(config) => {
                if let Some(tokens) = config.tokens_for(org_repo) {
                    prop_assert!(!tokens.is_empty());
                    for token in tokens {
                        let body = b"{\"zen\": 1}";
                        let signature = payload_signature(body, token.expose());
                        let verified = prow_github::hook::verify(&config, body, &signature, org_repo);
                        prop_assert_eq!(verified, Ok(()));
                    }
                }
            }
            Err(problem) => {
                prop_assert!(!problem.to_string().is_empty());
            }
        }
    }
}
