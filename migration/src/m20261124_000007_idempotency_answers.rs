//! An idempotency key remembers its first request's final answer, whatever it was: a key
//! whose request was refused (insufficient points, a full session) has no resource, so
//! `resource_id` may be empty, and `response` keeps the answer as the HTTP adapter
//! rendered it. `CHECK (resource_id IS NOT NULL OR response IS NOT NULL)`: a key records
//! either what its request created or the refusal it answered.
//!
//! SQLite cannot make a column nullable in place, so there the table is rebuilt and its
//! rows copied; the whole migration runs in one transaction on both backends, so live
//! keys survive the upgrade and a crash leaves the old table whole.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000007_idempotency_answers"
    }
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Scope,
    Key,
    Fingerprint,
    ResourceId,
    Response,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeysNext {
    Table,
}

const CHECK_NAME: &str = "ck_idempotency_keys_resource_or_response";

/// The columns both shapes of the table share, in the copy's order.
const SHARED_COLUMNS: &str = r#"scope, "key", fingerprint, resource_id, created_at, expires_at"#;

/// The table as SQLite rebuilds it: with or without the answer.
fn sqlite_table(with_answers: bool) -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(IdempotencyKeysNext::Table)
        .col(text(IdempotencyKeys::Scope))
        .col(text(IdempotencyKeys::Key))
        .col(text(IdempotencyKeys::Fingerprint));
    if with_answers {
        table
            .col(uuid_null(IdempotencyKeys::ResourceId))
            .col(text_null(IdempotencyKeys::Response))
            .check(Check::named(
                CHECK_NAME,
                Expr::col(IdempotencyKeys::ResourceId)
                    .is_not_null()
                    .or(Expr::col(IdempotencyKeys::Response).is_not_null()),
            ));
    } else {
        table.col(uuid(IdempotencyKeys::ResourceId));
    }
    table
        .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
        .col(timestamp_with_time_zone(IdempotencyKeys::ExpiresAt))
        .primary_key(
            Index::create()
                .col(IdempotencyKeys::Scope)
                .col(IdempotencyKeys::Key),
        )
        .to_owned()
}

/// Rebuilds the SQLite table in the new shape and copies the rows the shape can hold.
async fn sqlite_rebuild(manager: &SchemaManager<'_>, with_answers: bool) -> Result<(), DbErr> {
    manager.create_table(sqlite_table(with_answers)).await?;
    let db = manager.get_connection();
    // Going back, refused keys cannot be kept without their answer: they are forgotten.
    let only = if with_answers {
        ""
    } else {
        " WHERE resource_id IS NOT NULL"
    };
    db.execute_unprepared(&format!(
        "INSERT INTO idempotency_keys_next ({SHARED_COLUMNS}) \
         SELECT {SHARED_COLUMNS} FROM idempotency_keys{only}"
    ))
    .await?;
    manager
        .drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
        .await?;
    manager
        .rename_table(
            Table::rename()
                .table(IdempotencyKeysNext::Table, IdempotencyKeys::Table)
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            DatabaseBackend::Sqlite => sqlite_rebuild(manager, true).await,
            _ => {
                db.execute_unprepared(
                    "ALTER TABLE idempotency_keys ALTER COLUMN resource_id DROP NOT NULL",
                )
                .await?;
                db.execute_unprepared("ALTER TABLE idempotency_keys ADD COLUMN response TEXT")
                    .await?;
                db.execute_unprepared(&format!(
                    "ALTER TABLE idempotency_keys ADD CONSTRAINT {CHECK_NAME} \
                     CHECK (resource_id IS NOT NULL OR response IS NOT NULL)"
                ))
                .await?;
                Ok(())
            }
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            DatabaseBackend::Sqlite => sqlite_rebuild(manager, false).await,
            _ => {
                // Refused keys cannot be kept without their answer: they are forgotten.
                db.execute_unprepared("DELETE FROM idempotency_keys WHERE resource_id IS NULL")
                    .await?;
                db.execute_unprepared(&format!(
                    "ALTER TABLE idempotency_keys DROP CONSTRAINT {CHECK_NAME}"
                ))
                .await?;
                db.execute_unprepared("ALTER TABLE idempotency_keys DROP COLUMN response")
                    .await?;
                db.execute_unprepared(
                    "ALTER TABLE idempotency_keys ALTER COLUMN resource_id SET NOT NULL",
                )
                .await?;
                Ok(())
            }
        }
    }

    /// The SQLite rebuild must not be seen half done.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
