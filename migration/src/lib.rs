//! Lyceum's database migrations, portable to SQLite and PostgreSQL.
//!
//! Migrations are append-only: a schema change is a new migration, never an edit of one
//! that landed. They are written with SeaQuery's schema builder so that one definition
//! serves both backends, and they never depend on the domain crate: a migration must
//! keep producing the same schema whatever the domain later becomes.
#![forbid(unsafe_code)]

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_identity;
mod m20261122_000002_wallet;
mod m20261122_000003_mentoring;
mod m20261123_000004_notification_subjects;
mod m20261124_000005_text_characters;
mod m20261124_000006_calendar_feeds;
mod m20261124_000007_idempotency_answers;
mod m20261125_000008_mail_relay;
mod m20261125_000009_mentor_rating_totals;

pub use m20261124_000005_text_characters::rewrite_refused_text;

/// Every migration in order. The server runs `Migrator::up(&connection, None)` at
/// start-up (through `lyceum_infra_seaorm::Database::migrate`).
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_identity::Migration),
            Box::new(m20261122_000002_wallet::Migration),
            Box::new(m20261122_000003_mentoring::Migration),
            Box::new(m20261123_000004_notification_subjects::Migration),
            Box::new(m20261124_000005_text_characters::Migration),
            Box::new(m20261124_000006_calendar_feeds::Migration),
            Box::new(m20261124_000007_idempotency_answers::Migration),
            Box::new(m20261125_000008_mail_relay::Migration),
            Box::new(m20261125_000009_mentor_rating_totals::Migration),
        ]
    }
}

/// Applies every pending migration on `db`.
pub async fn run(db: &sea_orm_migration::sea_orm::DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
