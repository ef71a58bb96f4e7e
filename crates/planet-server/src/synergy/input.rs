//! The listing form, sent with photos (multipart) or without (a plain form).

use crate::error::{AppError, AppResult};
use crate::talk::pictures::is_multipart;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;

/// The most a listing with its photos may weigh.
pub const MAX_BODY: usize = planet_domain::synergy::MAX_PHOTOS * crate::people::photos::MAX_UPLOAD + 64 * 1024;

/// What the listing form sent, as typed (also the JSON API's body).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ListingForm {
    /// `offer` or `want` (fixed once posted).
    pub side: String,
    /// `give`, `lend`, `swap`, `sell` or `help`.
    pub kind: String,
    /// A category id (`GET /api/v1/listing-categories`).
    pub category: String,
    pub title: String,
    pub body: String,
    pub tags: String,
    pub area: String,
    pub available: String,
    pub quantity: String,
    /// Like "2.50"; empty when there is none.
    pub price_pounds: String,
    pub price_credits: String,
    /// How many days it stays up: 7, 14, 28, 56 or 90 (empty: 14 for offers, 28 for wants).
    pub days: String,
    /// The space it is posted in (empty: the whole community).
    pub space: String,
    /// The directory entry it is posted for (empty: oneself).
    pub profile: String,
    /// Photos to take off (editing).
    pub remove_photos: Vec<String>,
}

impl ListingForm {
    fn set(&mut self, name: &str, value: String) {
        match name {
            "side" => self.side = value,
            "kind" => self.kind = value,
            "category" => self.category = value,
            "title" => self.title = value,
            "body" => self.body = value,
            "tags" => self.tags = value,
            "area" => self.area = value,
            "available" => self.available = value,
            "quantity" => self.quantity = value,
            "price_pounds" => self.price_pounds = value,
            "price_credits" => self.price_credits = value,
            "days" => self.days = value,
            "space" => self.space = value,
            "profile" => self.profile = value,
            "remove_photo" => self.remove_photos.push(value),
            _ => {}
        }
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            form.set(&name, value);
        }
        form
    }
}

/// The form and the photos sent with it (or why they could not be read).
pub struct ListingInput {
    pub form: ListingForm,
    pub photos: AppResult<Vec<Vec<u8>>>,
}

fn unreadable(status: StatusCode) -> AppError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::invalid(
            "photos",
            "photo_too_big",
            "These photos are too big together. Please send fewer or smaller ones.",
        )
    } else {
        AppError::invalid("photos", "photo_unreadable", "The photos could not be received. Please try again.")
    }
}

impl<S: Send + Sync> FromRequest<S> for ListingInput {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_multipart(&request) {
            return Ok(match Form::<Vec<(String, String)>>::from_request(request, state).await {
                Ok(Form(pairs)) => Self { form: ListingForm::from_pairs(pairs), photos: Ok(Vec::new()) },
                Err(_) => Self {
                    form: ListingForm::default(),
                    photos: Err(AppError::invalid(
                        "title",
                        "form_unreadable",
                        "The form could not be read. Please try again.",
                    )),
                },
            });
        }
        match Multipart::from_request(request, state).await {
            Ok(mut multipart) => Ok(read(&mut multipart).await),
            Err(_) => Ok(Self { form: ListingForm::default(), photos: Err(unreadable(StatusCode::BAD_REQUEST)) }),
        }
    }
}

async fn read(multipart: &mut Multipart) -> ListingInput {
    let mut form = ListingForm::default();
    let mut photos = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return ListingInput { form, photos: Err(unreadable(e.status())) },
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photos" {
            match field.bytes().await {
                // A file field left empty sends an empty part.
                Ok(data) if data.is_empty() => {}
                Ok(data) => photos.push(data.to_vec()),
                Err(e) => return ListingInput { form, photos: Err(unreadable(e.status())) },
            }
            continue;
        }
        match field.text().await {
            Ok(text) => form.set(&name, text),
            Err(e) => return ListingInput { form, photos: Err(unreadable(e.status())) },
        }
    }
    ListingInput { form, photos: Ok(photos) }
}
