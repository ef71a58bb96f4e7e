//! The `polls` table: a poll or proposal in a space, with its settings fixed when it opens.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "polls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub space_id: Uuid,
    pub topic_id: Option<Uuid>,
    pub author_id: Uuid,
    pub kind: String,
    pub title: String,
    pub details: String,
    pub details_html: String,
    pub seen_by: String,
    pub voted_by: String,
    pub late_voters: bool,
    pub secret: bool,
    pub results: String,
    pub min_picks: i32,
    pub max_picks: i32,
    pub max_score: i32,
    pub dots: i32,
    pub method: String,
    pub seats: i32,
    pub quorum_percent: i32,
    pub pass_rule: String,
    pub block_stops: bool,
    pub opened_at: DateTimeUtc,
    pub closes_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    pub reminded_at: Option<DateTimeUtc>,
    pub announced_at: Option<DateTimeUtc>,
    pub outcome: Option<String>,
    pub outcome_html: Option<String>,
    pub outcome_by: Option<Uuid>,
    pub outcome_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
