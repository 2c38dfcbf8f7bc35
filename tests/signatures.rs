//! Every vector of the signature facts (OpenAI SDK tests, Standard Webhooks
//! tests, and our policy), plus the API around them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use openai_webhooks::{HeaderPairs, WebhookError, WebhookEvent, Webhooks, MAX_SIGNATURES};

const SDK_SECRET: &str = "whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=";
const SDK_ID: &str = "wh_685c059ae39c8190af8c71ed1022a24d";
const SDK_TS: &str = "1750861210";
const SDK_BODY: &str = r#"{"id": "evt_685c059ae3a481909bdc86819b066fb6", "object": "event", "created_at": 1750861210, "type": "response.completed", "data": {"id": "resp_123"}}"#;
const SDK_SIG: &str = "v1,gUAg4R2hWouRZqRQG4uJypNS8YK885G838+EHb4nKBY=";

fn at(seconds: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds as u64)
}

fn headers<'a>(id: &'a str, ts: &'a str, sig: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("webhook-id", id),
        ("webhook-timestamp", ts),
        ("webhook-signature", sig),
    ]
}

fn sdk() -> Webhooks {
    Webhooks::new(SDK_SECRET).unwrap()
}

#[test]
fn vector_1_the_sdk_payload_verifies_and_unwraps() {
    let now = at(1750861210 + 10);
    sdk()
        .verify_at(SDK_BODY.as_bytes(), &headers(SDK_ID, SDK_TS, SDK_SIG), now)
        .unwrap();
    let event = sdk()
        .unwrap_at(SDK_BODY.as_bytes(), &headers(SDK_ID, SDK_TS, SDK_SIG), now)
        .unwrap();
    let WebhookEvent::ResponseCompleted(event) = event else {
        panic!("{event:?}")
    };
    assert_eq!(event.data.id, "resp_123");
    assert_eq!(sdk().sign(SDK_ID, 1750861210, SDK_BODY.as_bytes()), SDK_SIG);
}

#[test]
fn vector_1_a_reserialized_body_does_not_verify() {
    let compact: serde_json::Value = serde_json::from_str(SDK_BODY).unwrap();
    let compact = serde_json::to_string(&compact).unwrap();
    let now = at(1750861210);
    assert_eq!(
        sdk().sign(SDK_ID, 1750861210, compact.as_bytes()),
        "v1,1lGiyiHmXWAo63BDw+vMuqkNzKAgA+OOQ/AxS2e6SiI="
    );
    assert_eq!(
        sdk().verify_at(compact.as_bytes(), &headers(SDK_ID, SDK_TS, SDK_SIG), now),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn vector_1_one_matching_signature_among_several_is_enough() {
    let header = format!("v1,invalid_signature {SDK_SIG}");
    sdk()
        .verify_at(
            SDK_BODY.as_bytes(),
            &headers(SDK_ID, SDK_TS, &header),
            at(1750861210),
        )
        .unwrap();
    // Any ASCII whitespace separates entries.
    let header = format!("v1,invalid_signature\t\n{SDK_SIG}");
    sdk()
        .verify_at(
            SDK_BODY.as_bytes(),
            &headers(SDK_ID, SDK_TS, &header),
            at(1750861210),
        )
        .unwrap();
}

#[test]
fn vector_1_a_bare_signature_verifies_and_other_versions_never_match() {
    let bare = SDK_SIG.trim_start_matches("v1,");
    let now = at(1750861210);
    sdk()
        .verify_at(SDK_BODY.as_bytes(), &headers(SDK_ID, SDK_TS, bare), now)
        .unwrap();
    for version in ["v1a", "v2", "V1"] {
        let header = format!("{version},{bare}");
        assert_eq!(
            sdk().verify_at(SDK_BODY.as_bytes(), &headers(SDK_ID, SDK_TS, &header), now),
            Err(WebhookError::SignatureMismatch),
            "{version}"
        );
    }
}

#[test]
fn vector_2_a_raw_secret_is_used_as_bytes() {
    let raw = Webhooks::new("synthetic-webhook-secret").unwrap();
    let encoded = Webhooks::new("whsec_c3ludGhldGljLXdlYmhvb2stc2VjcmV0").unwrap();
    let body = r#"{"synthetic": "café"}"#.as_bytes();
    let expected = "v1,qzuLCtHIXTcfJr8yxIcKC07cOqyNSgdmZRut6AFa+RA=";
    assert_eq!(raw.sign("evt_synthetic", 1750000000, body), expected);
    assert_eq!(encoded.sign("evt_synthetic", 1750000000, body), expected);
    raw.verify_at(
        body,
        &headers("evt_synthetic", "1750000000", expected),
        at(1750000000),
    )
    .unwrap();
}

#[test]
fn vectors_3_and_4_standard_webhooks() {
    for (secret, id, ts, body, sig) in [
        (
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ),
        (
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1649367553,
            r#"{"email":"test@example.com","username":"test_user"}"#,
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
        ),
    ] {
        let webhooks = Webhooks::new(secret).unwrap();
        assert_eq!(webhooks.sign(id, ts, body.as_bytes()), sig);
        let ts_text = ts.to_string();
        webhooks
            .verify_at(body.as_bytes(), &headers(id, &ts_text, sig), at(ts))
            .unwrap();
    }
}

#[test]
fn vector_5_the_window_is_inclusive_and_symmetric() {
    let webhooks = Webhooks::new("synthetic-webhook-secret").unwrap();
    let now = 1750000000;
    let body = b"{}";
    let check = |webhooks: &Webhooks, ts: i64| {
        let sig = webhooks.sign("id", ts, body);
        let ts = ts.to_string();
        webhooks.verify_at(body, &headers("id", &ts, &sig), at(now))
    };
    assert_eq!(check(&webhooks, now - 300), Ok(()));
    assert_eq!(check(&webhooks, now + 300), Ok(()));
    assert_eq!(
        check(&webhooks, now - 301),
        Err(WebhookError::TimestampTooOld)
    );
    assert_eq!(
        check(&webhooks, now + 301),
        Err(WebhookError::TimestampTooNew)
    );
    let strict = webhooks.clone().with_tolerance(Duration::ZERO);
    assert_eq!(check(&strict, now), Ok(()));
    assert_eq!(check(&strict, now - 1), Err(WebhookError::TimestampTooOld));
    assert_eq!(check(&strict, now + 1), Err(WebhookError::TimestampTooNew));
}

#[test]
fn vector_6_malformed_signatures_and_timestamps_are_rejected() {
    let now = at(1750861210);
    let body = SDK_BODY.as_bytes();
    for sig in ["v1,", &SDK_SIG[..8], "", "   "] {
        assert_eq!(
            sdk().verify_at(body, &headers(SDK_ID, SDK_TS, sig), now),
            Err(WebhookError::SignatureMismatch),
            "{sig:?}"
        );
    }
    for ts in ["hello", "", "1.5", " 1750861210", "+1750861210"] {
        assert_eq!(
            sdk().verify_at(body, &headers(SDK_ID, ts, SDK_SIG), now),
            Err(WebhookError::InvalidTimestamp),
            "{ts:?}"
        );
    }
}

#[test]
fn secrets_are_checked_when_the_verifier_is_built() {
    assert_eq!(Webhooks::new("").unwrap_err(), WebhookError::EmptySecret);
    assert_eq!(
        Webhooks::new("whsec_").unwrap_err(),
        WebhookError::EmptySecret
    );
    assert_eq!(
        Webhooks::new("whsec_not base64!").unwrap_err(),
        WebhookError::InvalidSecret
    );
}

#[test]
fn checks_run_in_the_sdk_order() {
    let body = SDK_BODY.as_bytes();
    let now = at(1750861210);
    let none: Vec<(&str, &str)> = vec![];
    assert_eq!(
        sdk().verify_at(body, &none, now),
        Err(WebhookError::MissingSignature)
    );
    let only_sig = vec![("webhook-signature", SDK_SIG)];
    assert_eq!(
        sdk().verify_at(body, &only_sig, now),
        Err(WebhookError::MissingTimestamp)
    );
    let no_id = vec![("webhook-signature", SDK_SIG), ("webhook-timestamp", "x")];
    assert_eq!(
        sdk().verify_at(body, &no_id, now),
        Err(WebhookError::MissingId)
    );
    // A bad timestamp is reported before a bad signature.
    assert_eq!(
        sdk().verify_at(body, &headers(SDK_ID, "x", "v1,bad"), now),
        Err(WebhookError::InvalidTimestamp)
    );
    assert_eq!(
        sdk().verify_at(
            body,
            &headers(SDK_ID, SDK_TS, "v1,bad"),
            at(1750861210 + 301)
        ),
        Err(WebhookError::TimestampTooOld)
    );
}

#[test]
fn header_names_are_case_insensitive_and_http_header_maps_work() {
    let mut map = http::HeaderMap::new();
    map.insert("Webhook-Id", SDK_ID.parse().unwrap());
    map.insert("WEBHOOK-TIMESTAMP", SDK_TS.parse().unwrap());
    map.insert("webhook-signature", SDK_SIG.parse().unwrap());
    let now = at(1750861210);
    sdk().verify_at(SDK_BODY.as_bytes(), &map, now).unwrap();
    let pairs = [
        ("Webhook-Id".to_string(), SDK_ID.to_string()),
        ("Webhook-Timestamp".to_string(), SDK_TS.to_string()),
        ("Webhook-Signature".to_string(), SDK_SIG.to_string()),
    ];
    sdk().verify_at(SDK_BODY.as_bytes(), &pairs, now).unwrap();
    sdk()
        .verify_at(SDK_BODY.as_bytes(), &pairs[..], now)
        .unwrap();
    // Any iterator of pairs, here over a framework's own map type.
    let map: std::collections::HashMap<String, String> = pairs.iter().cloned().collect();
    let iter = map.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    sdk()
        .verify_at(SDK_BODY.as_bytes(), &HeaderPairs(iter.clone()), now)
        .unwrap();
    let event = sdk()
        .unwrap_at(SDK_BODY.as_bytes(), &HeaderPairs(iter), now)
        .unwrap();
    assert_eq!(event.event_type(), "response.completed");
    let missing = HeaderPairs(std::iter::empty::<(&str, &str)>());
    assert_eq!(
        sdk().verify_at(SDK_BODY.as_bytes(), &missing, now),
        Err(WebhookError::MissingSignature)
    );
}

#[test]
fn only_the_first_signatures_are_considered() {
    let now = at(1750861210);
    let junk = vec!["v1,AAAA"; MAX_SIGNATURES].join(" ");
    let late = format!("{junk} {SDK_SIG}");
    assert_eq!(
        sdk().verify_at(SDK_BODY.as_bytes(), &headers(SDK_ID, SDK_TS, &late), now),
        Err(WebhookError::SignatureMismatch)
    );
    let junk = vec!["v1,AAAA"; MAX_SIGNATURES - 1].join(" ");
    let last_counted = format!("{junk} {SDK_SIG}");
    sdk()
        .verify_at(
            SDK_BODY.as_bytes(),
            &headers(SDK_ID, SDK_TS, &last_counted),
            now,
        )
        .unwrap();
}

#[test]
fn unwrap_reports_a_bad_body_after_a_good_signature() {
    let webhooks = sdk();
    let body = br#"{"id":"evt_1","type":"batch.failed","created_at":1,"data":{"id":42}}"#;
    let sig = webhooks.sign("wh", 1750861210, body);
    let err = webhooks
        .unwrap_at(body, &headers("wh", SDK_TS, &sig), at(1750861210))
        .unwrap_err();
    let WebhookError::InvalidPayload(detail) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        detail.to_string(),
        "batch.failed: data.id: invalid type: integer `42`, expected a string"
    );
    assert_eq!(
        err.to_string(),
        "The webhook body is not a valid event (type `batch.failed`, field `data.id`)."
    );
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn nothing_secret_leaks_into_messages_or_debug() {
    let webhooks = sdk();
    let debug = format!("{webhooks:?}");
    assert!(!debug.contains("RdvaYFYU"), "{debug}");
    assert!(debug.contains("redacted"), "{debug}");
    let body = SDK_BODY.as_bytes();
    let cases = [
        headers(
            SDK_ID,
            SDK_TS,
            "v1,gUAg4R2hWouRZqRQG4uJypNS8YK885G838+EHb4nKBX=",
        ),
        headers(SDK_ID, "1", SDK_SIG),
        headers(SDK_ID, "abc", SDK_SIG),
    ];
    for case in cases {
        let message = webhooks
            .verify_at(body, &case, at(1750861210))
            .unwrap_err()
            .to_string();
        for secret in ["RdvaYFYU", "gUAg4R2h", "evt_685c", "resp_123", SDK_ID] {
            assert!(!message.contains(secret), "{message}");
        }
        assert!(message.ends_with('.'), "{message}");
    }
}

#[test]
fn verify_uses_the_current_time() {
    let webhooks = sdk();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let sig = webhooks.sign("wh", now, SDK_BODY.as_bytes());
    let ts = now.to_string();
    webhooks
        .verify(SDK_BODY.as_bytes(), &headers("wh", &ts, &sig))
        .unwrap();
    assert_eq!(
        webhooks.verify(SDK_BODY.as_bytes(), &headers(SDK_ID, SDK_TS, SDK_SIG)),
        Err(WebhookError::TimestampTooOld)
    );
    webhooks
        .unwrap(SDK_BODY.as_bytes(), &headers("wh", &ts, &sig))
        .unwrap();
}

const V3_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const V4_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

#[test]
fn rotation_accepts_a_delivery_signed_with_any_listed_secret() {
    // The SDK vector, verified by a verifier that lists its secret second,
    // then first.
    let now = at(1750861210);
    let sdk_headers = headers(SDK_ID, SDK_TS, SDK_SIG);
    for secrets in [[V3_SECRET, SDK_SECRET], [SDK_SECRET, V3_SECRET]] {
        let webhooks = Webhooks::from_secrets(secrets).unwrap();
        assert_eq!(webhooks.secret_count(), 2);
        webhooks
            .verify_at(SDK_BODY.as_bytes(), &sdk_headers, now)
            .unwrap();
    }
    // Standard Webhooks vector 3, by the same two-secret verifier.
    let v3 = headers(
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "1614265330",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    );
    Webhooks::from_secrets([SDK_SECRET, V3_SECRET])
        .unwrap()
        .verify_at(br#"{"test": 2432232314}"#, &v3, at(1614265330))
        .unwrap();
}

#[test]
fn rotation_rejects_a_delivery_signed_with_neither_as_one_secret_does() {
    let now = at(1750861210);
    let sdk_headers = headers(SDK_ID, SDK_TS, SDK_SIG);
    let single = Webhooks::new(V4_SECRET).unwrap();
    let pair = Webhooks::from_secrets([V3_SECRET, V4_SECRET]).unwrap();
    let expected = Err(WebhookError::SignatureMismatch);
    assert_eq!(
        single.verify_at(SDK_BODY.as_bytes(), &sdk_headers, now),
        expected
    );
    assert_eq!(
        pair.verify_at(SDK_BODY.as_bytes(), &sdk_headers, now),
        expected
    );
    assert_eq!(
        pair.verify_at(SDK_BODY.as_bytes(), &sdk_headers, now)
            .unwrap_err()
            .to_string(),
        "The given webhook signature does not match the expected signature."
    );
    // The other checks still come first, in the same order.
    assert_eq!(
        pair.verify_at(SDK_BODY.as_bytes(), &sdk_headers, at(1750861210 + 301)),
        Err(WebhookError::TimestampTooOld)
    );
    assert_eq!(
        pair.verify_at(SDK_BODY.as_bytes(), &headers(SDK_ID, SDK_TS, "v1,"), now),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn every_secret_of_a_list_is_checked_when_the_verifier_is_built() {
    assert_eq!(
        Webhooks::from_secrets(Vec::<String>::new()).unwrap_err(),
        WebhookError::EmptySecret
    );
    assert_eq!(
        Webhooks::from_secrets([SDK_SECRET, "whsec_***"]).unwrap_err(),
        WebhookError::InvalidSecret
    );
    assert_eq!(
        Webhooks::from_secrets([SDK_SECRET, ""]).unwrap_err(),
        WebhookError::EmptySecret
    );
    let debug = format!(
        "{:?}",
        Webhooks::from_secrets([SDK_SECRET, V3_SECRET]).unwrap()
    );
    assert!(debug.contains("<2 redacted>"), "{debug}");
    assert!(
        !debug.contains("RdvaYFYU") && !debug.contains("MfKQ9r8G"),
        "{debug}"
    );
}

#[test]
fn a_verifier_with_several_secrets_signs_with_each() {
    let pair = Webhooks::from_secrets([SDK_SECRET, V3_SECRET]).unwrap();
    let header = pair.sign(SDK_ID, 1750861210, SDK_BODY.as_bytes());
    let entries: Vec<&str> = header.split(' ').collect();
    assert_eq!(entries.len(), 2, "{header}");
    assert_eq!(entries[0], SDK_SIG);
    // The second entry alone verifies with the second secret alone.
    Webhooks::new(V3_SECRET)
        .unwrap()
        .verify_at(
            SDK_BODY.as_bytes(),
            &headers(SDK_ID, SDK_TS, entries[1]),
            at(1750861210),
        )
        .unwrap();
}

#[test]
fn a_signed_request_and_signed_headers_verify_and_unwrap() {
    let webhooks = Webhooks::from_secrets([V3_SECRET, SDK_SECRET]).unwrap();
    let body = br#"{"id":"evt_1","type":"batch.completed","created_at":1,"data":{"id":"b"}}"#;
    let request: http::Request<Vec<u8>> = webhooks.signed_request("/hooks", body);
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(request.uri(), "/hooks");
    assert_eq!(request.headers()["content-type"], "application/json");
    let event = webhooks.unwrap(request.body(), request.headers()).unwrap();
    assert_eq!(event.event_type(), "batch.completed");
    // Each request gets its own id.
    let other: http::Request<Vec<u8>> = webhooks.signed_request("/hooks", body);
    assert_ne!(
        request.headers()["webhook-id"],
        other.headers()["webhook-id"]
    );
    // A verifier that knows only the SDK secret accepts it too.
    sdk().verify(request.body(), request.headers()).unwrap();

    let headers = webhooks.signed_headers("wh_9", 1750861210, body);
    let typed: openai_webhooks::BatchCompletedWebhookEvent = webhooks
        .unwrap_as_at(body, &headers, at(1750861210))
        .unwrap();
    assert_eq!(typed.data.id, "b");
    let wrong = webhooks.unwrap_as_at::<openai_webhooks::BatchCancelledWebhookEvent>(
        body,
        &headers,
        at(1750861210),
    );
    let Err(WebhookError::InvalidPayload(error)) = wrong else {
        panic!("{wrong:?}")
    };
    assert_eq!(
        error.to_string(),
        "batch.completed: type: unknown variant `batch.completed`, expected `batch.cancelled`"
    );
}
