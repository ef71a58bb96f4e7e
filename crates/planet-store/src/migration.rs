//! The single migration tree, for both backends. Never edit a migration once it has landed:
//! add a new one.

use sea_orm_migration::prelude::*;

mod columns;
mod m20261128_000001_foundation;
mod m20261128_000002_who_we_are;
mod m20261128_000003_search_order;
mod m20261128_000004_talk;
mod m20261128_000005_notifications;
mod m20261128_000006_message_search;
mod m20261128_000007_code_of_conduct;
mod m20261128_000008_blocks;
mod m20261128_000009_conversations;
mod m20261128_000010_message_images;
mod m20261128_000011_topic_version;
mod m20261128_000012_synergy;
mod m20261128_000013_synergy_alerts;
mod m20261129_000014_ledger;
mod m20261129_000015_polls;
mod m20261129_000016_monthly_statements;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_foundation::Migration),
            Box::new(m20261128_000002_who_we_are::Migration),
            Box::new(m20261128_000003_search_order::Migration),
            Box::new(m20261128_000004_talk::Migration),
            Box::new(m20261128_000005_notifications::Migration),
            Box::new(m20261128_000006_message_search::Migration),
            Box::new(m20261128_000007_code_of_conduct::Migration),
            Box::new(m20261128_000008_blocks::Migration),
            Box::new(m20261128_000009_conversations::Migration),
            Box::new(m20261128_000010_message_images::Migration),
            Box::new(m20261128_000011_topic_version::Migration),
            Box::new(m20261128_000012_synergy::Migration),
            Box::new(m20261128_000013_synergy_alerts::Migration),
            Box::new(m20261129_000014_ledger::Migration),
            Box::new(m20261129_000015_polls::Migration),
            Box::new(m20261129_000016_monthly_statements::Migration),
        ]
    }
}
