//! Errors with stable codes and plain-language messages, answered as an HTML page or as JSON.

use crate::web::layout::ErrorPage;
use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use planet_domain::policy::Denial;
use planet_domain::text::InputError;
use planet_store::StoreError;
use serde::Serialize;

/// A problem with one field of a form or request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self { field, code, message: message.into() }
    }

    pub fn from_input(field: &'static str, err: InputError) -> Self {
        Self { field, code: err.code, message: err.message }
    }
}

#[derive(Debug)]
pub enum AppError {
    Denied(Denial),
    /// The input was not acceptable; nothing was changed.
    Invalid(Vec<FieldError>),
    /// Understood but refused: an expired link, something already done.
    Refused {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    RateLimited,
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn not_found() -> Self {
        AppError::Denied(Denial::NotFound)
    }

    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Refused { status: StatusCode::CONFLICT, code, message: message.into() }
    }

    pub fn gone(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Refused { status: StatusCode::GONE, code, message: message.into() }
    }

    pub fn invalid(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, code, message)])
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Denied(Denial::LogIn) => "login_required",
            AppError::Denied(Denial::NotAdmitted) => "not_admitted",
            AppError::Denied(Denial::Suspended) => "account_suspended",
            AppError::Denied(Denial::Forbidden) => "forbidden",
            AppError::Denied(Denial::NotFound) => "not_found",
            AppError::Invalid(_) => "invalid_input",
            AppError::Refused { code, .. } => code,
            AppError::RateLimited => "too_many_requests",
            AppError::Internal(_) => "internal_error",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Denied(Denial::LogIn) => StatusCode::UNAUTHORIZED,
            AppError::Denied(Denial::NotFound) => StatusCode::NOT_FOUND,
            AppError::Denied(_) => StatusCode::FORBIDDEN,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Refused { status, .. } => *status,
            AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a member reads.
    pub fn message(&self) -> String {
        match self {
            AppError::Denied(Denial::LogIn) => "Please log in first.".to_owned(),
            AppError::Denied(Denial::NotAdmitted) => {
                "Your application has not been approved yet, so this page is not open to you.".to_owned()
            }
            AppError::Denied(Denial::Suspended) => {
                "Your account is suspended. Please talk to one of the community's stewards.".to_owned()
            }
            AppError::Denied(Denial::Forbidden) => "You do not have permission to do that.".to_owned(),
            AppError::Denied(Denial::NotFound) => {
                "We could not find that page. It may have moved, or the link may be wrong.".to_owned()
            }
            AppError::Invalid(fields) => fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(". "),
            AppError::Refused { message, .. } => message.clone(),
            AppError::RateLimited => {
                "You have tried that too many times. Please wait a few minutes and try again.".to_owned()
            }
            AppError::Internal(_) => {
                "Something went wrong on our side. Nothing was changed. Please try again in a moment.".to_owned()
            }
        }
    }

    fn title(&self) -> &'static str {
        match self {
            AppError::Denied(Denial::NotFound) => "Page not found",
            AppError::Denied(Denial::Suspended) => "Account suspended",
            AppError::Denied(_) => "Not allowed",
            AppError::Invalid(_) => "Please check what you entered",
            AppError::Refused { .. } => "That could not be done",
            AppError::RateLimited => "Please wait a little",
            AppError::Internal(_) => "Sorry, something went wrong",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(_) => {
                AppError::refused("already_done", "That has already been done (perhaps the form was sent twice).")
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<planet_store::DbErr> for AppError {
    fn from(err: planet_store::DbErr) -> Self {
        StoreError::from(err).into()
    }
}

impl From<Denial> for AppError {
    fn from(denial: Denial) -> Self {
        AppError::Denied(denial)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Denied(Denial::LogIn) => return Redirect::to("/login").into_response(),
            AppError::Denied(Denial::NotAdmitted) => return Redirect::to("/application").into_response(),
            AppError::Internal(detail) => tracing::error!(%detail, "internal error"),
            _ => {}
        }
        let next = match &self {
            AppError::Refused { code: "conduct_not_accepted", .. } => {
                Some(("/code-of-conduct", "Read the code of conduct"))
            }
            _ => None,
        };
        let page = ErrorPage { title: self.title(), message: self.message(), status: self.status().as_u16(), next };
        match page.render() {
            Ok(html) => (self.status(), Html(html)).into_response(),
            Err(_) => (self.status(), self.message()).into_response(),
        }
    }
}

/// The same errors, answered as JSON for the API.
#[derive(Debug)]
pub struct ApiError(pub AppError);

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable, snake_case code.
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(err: E) -> Self {
        ApiError(err.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let err = self.0;
        if let AppError::Internal(detail) = &err {
            tracing::error!(%detail, "internal error");
        }
        let fields = match &err {
            AppError::Invalid(fields) => fields.clone(),
            _ => Vec::new(),
        };
        let body = ErrorBody { error: ErrorDetail { code: err.code(), message: err.message(), fields } };
        (err.status(), Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<Json<T>, ApiError>;
