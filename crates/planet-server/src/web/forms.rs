//! Form errors shown GOV.UK-style: a summary at the top, each message next to its field.

use crate::error::{AppError, AppResult, FieldError};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Re-show a form with its errors (422); any other failure becomes an error page.
pub fn form_again<T: IntoResponse>(err: AppError, page: impl FnOnce(FormErrors) -> T) -> AppResult<Response> {
    match err {
        AppError::Invalid(fields) => Ok((StatusCode::UNPROCESSABLE_ENTITY, page(fields.into())).into_response()),
        other => Err(other),
    }
}

#[derive(Debug, Clone, Default)]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    pub fn none() -> Self {
        Self(Vec::new())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for a field, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    pub fn all(&self) -> &[FieldError] {
        &self.0
    }
}

impl From<Vec<FieldError>> for FormErrors {
    fn from(errors: Vec<FieldError>) -> Self {
        Self(errors)
    }
}

/// A query string of the non-empty pairs (for links that keep a search's filters).
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{key}={}", urlencode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
