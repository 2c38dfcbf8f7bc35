//! Parsing a webhook body into a [`WebhookEvent`], with errors that say which
//! event and which field went wrong.

use std::borrow::Cow;
use std::fmt;

use serde::de::DeserializeOwned;

use crate::WebhookEvent;

/// A body that is not a valid webhook event.
///
/// Its message reads `batch.cancelled: data.id: missing field`: the event
/// type (when the body names one), the path of the offending field, and what
/// is wrong with it. It never contains the body itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    event_type: Option<String>,
    path: String,
    message: String,
    line: usize,
    column: usize,
}

impl ParseError {
    /// The `type` of the event, when the body is an object with a string `type`.
    pub fn event_type(&self) -> Option<&str> {
        self.event_type.as_deref()
    }

    /// Dotted path of the offending field (`data.sip_headers[0].value`), or
    /// `""` when the problem is the body as a whole.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong, without the event type or the path.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Line (1-based) in the body where parsing stopped.
    pub fn line(&self) -> usize {
        self.line
    }

    /// Column (1-based) in the body where parsing stopped.
    pub fn column(&self) -> usize {
        self.column
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(event_type) = &self.event_type {
            write!(f, "{event_type}: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for ParseError {}

#[derive(serde::Deserialize)]
struct TypeOnly<'a> {
    #[serde(rename = "type", borrow)]
    event_type: Option<Cow<'a, str>>,
}

impl WebhookEvent {
    /// Parses a webhook body (the raw bytes of the HTTP request).
    ///
    /// This is `serde_json::from_slice` on the fast path. Only when the body
    /// is rejected is it read again, to find the failing field's path.
    ///
    /// ```
    /// let event = openai_webhooks::WebhookEvent::from_slice(
    ///     br#"{"id":"evt_1","type":"batch.cancelled","created_at":1,"data":{"id":"batch_1"}}"#,
    /// )?;
    /// assert_eq!(event.event_type(), "batch.cancelled");
    ///
    /// let err = openai_webhooks::WebhookEvent::from_slice(
    ///     br#"{"id":"evt_1","type":"batch.cancelled","created_at":1,"data":{}}"#,
    /// ).unwrap_err();
    /// assert_eq!(err.to_string(), "batch.cancelled: data.id: missing field");
    /// # Ok::<(), openai_webhooks::ParseError>(())
    /// ```
    pub fn from_slice(body: &[u8]) -> Result<WebhookEvent, ParseError> {
        parse(body)
    }
}

/// Parses a body into `T` (the union or one event type), with a located
/// error when it is rejected.
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ParseError> {
    serde_json::from_slice(body).map_err(|error| explain::<T>(body, &error))
}

/// Builds the located error for a body the fast path rejected.
fn explain<T: DeserializeOwned>(body: &[u8], error: &serde_json::Error) -> ParseError {
    let (line, column) = (error.line(), error.column());
    let plain = |message: String| ParseError {
        event_type: None,
        path: String::new(),
        message,
        line,
        column,
    };
    // Not JSON, or not an object: the parser's own message says it all.
    let Ok(serde_json::Value::Object(object)) = serde_json::from_slice::<serde_json::Value>(body)
    else {
        return plain(strip_position(&error.to_string()).to_string());
    };
    let event_type = serde_json::from_slice::<TypeOnly>(body)
        .ok()
        .and_then(|t| t.event_type)
        .map(Cow::into_owned);
    // Read again with `type` first, so that every field is read straight from
    // the input and its path is tracked.
    let mut reordered = serde_json::Map::with_capacity(object.len());
    if let Some(t) = object.get("type") {
        reordered.insert("type".to_string(), t.clone());
    }
    for (key, value) in object {
        if key != "type" {
            reordered.insert(key, value);
        }
    }
    let value = serde_json::Value::Object(reordered);
    let (mut path, mut message) = match serde_path_to_error::deserialize::<_, T>(&value) {
        Err(tracked) => {
            let path = tracked.path().to_string();
            let message = tracked.into_inner().to_string();
            (if path == "." { String::new() } else { path }, message)
        }
        Ok(_) => (String::new(), error.to_string()),
    };
    if let Some(t) = &event_type {
        if let Some(rest) = message.strip_prefix(&format!("{t}: ")) {
            message = rest.to_string();
        }
    }
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        path = if path.is_empty() {
            field.to_string()
        } else {
            format!("{path}.{field}")
        };
        message = "missing field".to_string();
    }
    ParseError {
        event_type,
        path,
        message: strip_position(&message).to_string(),
        line,
        column,
    }
}

fn strip_position(message: &str) -> &str {
    match message.rsplit_once(" at line ") {
        Some((head, tail)) if tail.split(" column ").count() == 2 => head,
        _ => message,
    }
}
