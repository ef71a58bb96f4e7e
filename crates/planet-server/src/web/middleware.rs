//! Security middleware: headers on every answer, CSRF checks on every state-changing request,
//! and the first-run gate that sends everyone to the setup page.

use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::policy::Denial;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'; manifest-src 'self'";

/// Every request passes here, in order: the first-run gate, the CSRF check, then the security
/// headers on the answer. One layer rather than three: each layer costs on every request.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(refusal) = setup_gate(&state, &request).or_else(|| csrf(&request)) {
        return with_security_headers(refusal, false);
    }
    let is_asset = request.uri().path().starts_with("/assets/");
    with_security_headers(next.run(request).await, is_asset)
}

fn with_security_headers(mut response: Response, is_asset: bool) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    headers.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    // Pages are never cached; assets and photos say for themselves how long they keep.
    if !is_asset && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Refuse a state-changing request that a browser says came from another site. Browsers send
/// `Sec-Fetch-Site` (and `Origin`) on every POST; programs using an API token send neither.
fn csrf(request: &Request) -> Option<Response> {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && is_cross_site(request.headers()) {
        tracing::warn!(path = %request.uri().path(), "cross-site request refused");
        let err = AppError::Refused {
            status: axum::http::StatusCode::FORBIDDEN,
            code: "cross_site_request",
            message: "This form was sent from another website, so we did not act on it. \
                      Please go back, reload the page and try again."
                .to_owned(),
        };
        return Some(if request.uri().path().starts_with("/api/") {
            ApiError(err).into_response()
        } else {
            err.into_response()
        });
    }
    None
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.to_str(), Ok("same-origin") | Ok("none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    origin == "null" || origin_host != host
}

/// Until the community has been set up, every page leads to the setup page.
fn setup_gate(state: &AppState, request: &Request) -> Option<Response> {
    if state.is_set_up() {
        return None;
    }
    let path = request.uri().path();
    let open = path == "/setup" || path == "/healthz" || path.starts_with("/assets/");
    if open {
        return None;
    }
    if path.starts_with("/api/") {
        return Some(
            ApiError(AppError::Refused {
                status: axum::http::StatusCode::SERVICE_UNAVAILABLE,
                code: "not_set_up",
                message: "This PlaNet has not been set up yet.".to_owned(),
            })
            .into_response(),
        );
    }
    Some(Redirect::to("/setup").into_response())
}

/// The answer for a route that does not exist.
pub async fn not_found(request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        ApiError(AppError::Denied(Denial::NotFound)).into_response()
    } else {
        AppError::Denied(Denial::NotFound).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn cross_site_requests_are_recognised() {
        assert!(!is_cross_site(&headers(&[])));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!is_cross_site(&headers(&[("origin", "http://diss.example"), ("host", "diss.example")])));
        assert!(is_cross_site(&headers(&[("origin", "https://evil.example"), ("host", "diss.example")])));
        assert!(is_cross_site(&headers(&[("origin", "null"), ("host", "diss.example")])));
    }
}
