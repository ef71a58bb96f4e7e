//! Pictures in messages: the reply and new-topic forms sent with a picture (multipart) or without
//! (a plain form), and the pictures themselves, each shown to whoever may read its message.

use super::service::{self, Picture};
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Whether a form was sent with files (multipart) rather than plain.
pub(crate) fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// The most a reply with a picture may weigh.
pub const MAX_BODY: usize = crate::people::photos::MAX_UPLOAD + 64 * 1024;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MessageForm {
    /// A new topic's title (the form that starts one).
    pub title: String,
    pub body: String,
    pub reply_to: Option<i32>,
}

/// The reply form, and the picture sent with it (or why it could not be read).
pub struct MessageInput {
    pub form: MessageForm,
    pub upload: AppResult<Option<Picture>>,
}

impl<S: Send + Sync> FromRequest<S> for MessageInput {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_multipart(&request) {
            return Ok(match Form::<MessageForm>::from_request(request, state).await {
                Ok(Form(form)) => Self { form, upload: Ok(None) },
                Err(_) => Self {
                    form: MessageForm::default(),
                    upload: Err(AppError::invalid(
                        "body",
                        "message_unreadable",
                        "The message could not be read. Please try again.",
                    )),
                },
            });
        }
        match Multipart::from_request(request, state).await {
            Ok(mut multipart) => Ok(read(&mut multipart).await),
            Err(_) => Ok(Self { form: MessageForm::default(), upload: Err(unreadable(StatusCode::BAD_REQUEST)) }),
        }
    }
}

fn unreadable(status: StatusCode) -> AppError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::invalid("image", "photo_too_big", "This picture is too big. Please choose one under 10 MB.")
    } else {
        AppError::invalid("image", "image_unreadable", "The picture could not be received. Please try again.")
    }
}

async fn read(multipart: &mut Multipart) -> MessageInput {
    let mut form = MessageForm::default();
    let (mut bytes, mut description) = (Vec::new(), String::new());
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return MessageInput { form, upload: Err(unreadable(e.status())) },
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "image" {
            match field.bytes().await {
                Ok(data) => bytes = data.to_vec(),
                Err(e) => return MessageInput { form, upload: Err(unreadable(e.status())) },
            }
            continue;
        }
        let text = match field.text().await {
            Ok(text) => text,
            Err(e) => return MessageInput { form, upload: Err(unreadable(e.status())) },
        };
        match name.as_str() {
            "title" => form.title = text,
            "body" => form.body = text,
            "reply_to" => form.reply_to = text.trim().parse().ok(),
            "image_description" => description = text,
            _ => {}
        }
    }
    // A form whose file field was left empty sends an empty part.
    let upload = Ok((!bytes.is_empty()).then_some(Picture { bytes, description }));
    MessageInput { form, upload }
}

/// A picture from a message.
pub async fn image(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let bytes = service::image(&state, &ctx, &id).await?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, max-age=86400")], bytes)
        .into_response())
}
