//! The single migration tree, for both backends. Never edit a migration once it has landed:
//! add a new one.

use sea_orm_migration::prelude::*;

mod m20261128_000001_foundation;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261128_000001_foundation::Migration)]
    }
}
