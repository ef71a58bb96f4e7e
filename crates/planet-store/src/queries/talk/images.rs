//! Pictures sent with messages.

use crate::StoreResult;
use crate::entities::message_image;
use chrono::{DateTime, Utc};
use planet_domain::MessageId;
use sea_orm::{ActiveModelTrait, EntityTrait, QuerySelect, Set};
use uuid::Uuid;

/// A picture to keep with a message.
pub struct NewImage {
    pub id: Uuid,
    pub message: MessageId,
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub now: DateTime<Utc>,
}

pub async fn add_image(db: &impl sea_orm::ConnectionTrait, new: NewImage) -> StoreResult<()> {
    message_image::ActiveModel {
        id: Set(new.id),
        message_id: Set(new.message.uuid()),
        jpeg: Set(new.jpeg),
        width: Set(i32::try_from(new.width).unwrap_or(i32::MAX)),
        height: Set(i32::try_from(new.height).unwrap_or(i32::MAX)),
        created_at: Set(new.now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A picture's message and JPEG bytes.
pub async fn image(db: &impl sea_orm::ConnectionTrait, id: Uuid) -> StoreResult<Option<(MessageId, Vec<u8>)>> {
    Ok(message_image::Entity::find_by_id(id)
        .select_only()
        .column(message_image::Column::MessageId)
        .column(message_image::Column::Jpeg)
        .into_tuple::<(Uuid, Vec<u8>)>()
        .one(db)
        .await?
        .map(|(message, bytes)| (MessageId::from_uuid(message), bytes)))
}
