//! Which providers failed a request before the one that answered it, so the staff's error
//! rates count every attempt a provider got, not only the requests it ended.

use crate::sql::run;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A JSON array of provider names, in the order they were tried; NULL when the first
        // attempt was the last.
        run(
            manager,
            &["ALTER TABLE usage_records ADD COLUMN failed_over_from TEXT NULL"],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &["ALTER TABLE usage_records DROP COLUMN failed_over_from"],
        )
        .await
    }
}
