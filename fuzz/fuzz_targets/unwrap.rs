//! `Webhooks::unwrap` on arbitrary bodies and headers. Half the inputs carry
//! a valid signature for their body, so the event parser is reached too.

#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use openai_webhooks::Webhooks;

#[derive(Arbitrary, Debug)]
struct Delivery<'a> {
    body: &'a [u8],
    id: &'a str,
    timestamp: &'a str,
    signature: &'a str,
    sign_it: bool,
    extra: Vec<(&'a str, &'a str)>,
}

fuzz_target!(|delivery: Delivery| {
    let webhooks = Webhooks::new("whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=").unwrap();
    let signed;
    let signature = if delivery.sign_it {
        signed = webhooks.sign(delivery.id, 1_750_000_000, delivery.body);
        signed.as_str()
    } else {
        delivery.signature
    };
    let timestamp = if delivery.sign_it { "1750000000" } else { delivery.timestamp };
    let mut headers = vec![
        ("webhook-id", delivery.id),
        ("webhook-timestamp", timestamp),
        ("webhook-signature", signature),
    ];
    headers.extend(delivery.extra.iter().take(8).copied());
    let now = UNIX_EPOCH + Duration::from_secs(1_750_000_000);
    let result = webhooks.unwrap_at(delivery.body, &headers[..], now);
    if delivery.sign_it && result.is_ok() {
        // A body that verified and parsed must be JSON.
        assert!(serde_json::from_slice::<serde_json::Value>(delivery.body).is_ok());
    }
});
