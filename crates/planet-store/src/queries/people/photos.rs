//! Photos and logos of directory entries (re-encoded by the server; kept in the database so a
//! backup holds everything).

use crate::StoreResult;
use crate::entities::photo;
use chrono::{DateTime, Utc};
use planet_domain::{MemberId, ProfileId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, Set,
};
use std::collections::HashMap;

/// A stored photo's bytes, either size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoSize {
    Full,
    Thumb,
}

/// Replace an entry's photo. Returns the new photo's id (it names the picture in links, so a
/// new photo is never hidden by a cached old one).
#[allow(clippy::too_many_arguments)]
pub async fn set_photo(
    db: &impl ConnectionTrait,
    profile: ProfileId,
    full: Vec<u8>,
    thumb: Vec<u8>,
    width: u32,
    height: u32,
    by: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<uuid::Uuid> {
    photo::Entity::delete_many().filter(photo::Column::ProfileId.eq(profile.uuid())).exec(db).await?;
    let id = uuid::Uuid::now_v7();
    photo::ActiveModel {
        id: Set(id),
        profile_id: Set(profile.uuid()),
        full_jpeg: Set(full),
        thumb_jpeg: Set(thumb),
        width: Set(i32::try_from(width).unwrap_or(i32::MAX)),
        height: Set(i32::try_from(height).unwrap_or(i32::MAX)),
        uploaded_by: Set(by.uuid()),
        uploaded_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(id)
}

pub async fn remove_photo(db: &impl ConnectionTrait, profile: ProfileId) -> StoreResult<bool> {
    let result = photo::Entity::delete_many().filter(photo::Column::ProfileId.eq(profile.uuid())).exec(db).await?;
    Ok(result.rows_affected > 0)
}

/// The photos of these entries: entry → photo id (for links).
pub async fn photo_ids(
    db: &impl ConnectionTrait,
    profiles: &[ProfileId],
) -> StoreResult<HashMap<ProfileId, uuid::Uuid>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: uuid::Uuid,
        profile_id: uuid::Uuid,
    }
    Ok(photo::Entity::find()
        .select_only()
        .columns([photo::Column::Id, photo::Column::ProfileId])
        .filter(photo::Column::ProfileId.is_in(profiles.iter().map(|p| p.uuid())))
        .into_model::<Row>()
        .all(db)
        .await?
        .into_iter()
        .map(|row| (ProfileId::from_uuid(row.profile_id), row.id))
        .collect())
}

/// A photo's JPEG bytes and the entry it belongs to.
pub async fn photo_bytes(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
    size: PhotoSize,
) -> StoreResult<Option<(ProfileId, Vec<u8>)>> {
    let column = match size {
        PhotoSize::Full => photo::Column::FullJpeg,
        PhotoSize::Thumb => photo::Column::ThumbJpeg,
    };
    #[derive(FromQueryResult)]
    struct Row {
        profile_id: uuid::Uuid,
        bytes: Vec<u8>,
    }
    Ok(photo::Entity::find_by_id(id)
        .select_only()
        .column(photo::Column::ProfileId)
        .column_as(column, "bytes")
        .into_model::<Row>()
        .one(db)
        .await?
        .map(|row| (ProfileId::from_uuid(row.profile_id), row.bytes)))
}
