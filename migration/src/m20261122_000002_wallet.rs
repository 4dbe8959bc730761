//! The points wallet: one wallet per user, an append-only ledger, and the idempotency
//! keys of money-moving requests.
//!
//! The balance is guarded twice: the adapter's conditional update refuses to overdraw,
//! and `CHECK (balance >= 0)` makes an overdraft impossible even for a buggy statement.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000002_wallet"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Wallets {
    Table,
    UserId,
    Balance,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LedgerEntries {
    Table,
    Id,
    UserId,
    Delta,
    Kind,
    Reason,
    Reference,
    BalanceAfter,
    ActorId,
    IdempotencyKey,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Scope,
    Key,
    Fingerprint,
    ResourceId,
    CreatedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Wallets::Table)
                    .col(pk_uuid(Wallets::UserId))
                    .col(big_integer(Wallets::Balance).default(0))
                    .col(timestamp_with_time_zone(Wallets::CreatedAt))
                    .col(timestamp_with_time_zone(Wallets::UpdatedAt))
                    .check(Check::named(
                        "ck_wallets_balance_non_negative",
                        Expr::col(Wallets::Balance).gte(0),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Wallets::Table, Wallets::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LedgerEntries::Table)
                    .col(pk_uuid(LedgerEntries::Id))
                    .col(uuid(LedgerEntries::UserId))
                    .col(big_integer(LedgerEntries::Delta))
                    .col(text(LedgerEntries::Kind))
                    .col(text(LedgerEntries::Reason))
                    .col(text_null(LedgerEntries::Reference))
                    .col(big_integer(LedgerEntries::BalanceAfter))
                    .col(uuid_null(LedgerEntries::ActorId))
                    .col(text_null(LedgerEntries::IdempotencyKey))
                    .col(timestamp_with_time_zone(LedgerEntries::CreatedAt))
                    .check(Check::named(
                        "ck_ledger_entries_balance_after_non_negative",
                        Expr::col(LedgerEntries::BalanceAfter).gte(0),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(LedgerEntries::Table, LedgerEntries::UserId)
                            .to(Wallets::Table, Wallets::UserId)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    // The admin who made an entry may be erased; the entry stays with
                    // the wallet owner, only the actor is forgotten.
                    .foreign_key(
                        ForeignKey::create()
                            .from(LedgerEntries::Table, LedgerEntries::ActorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_ledger_entries_user_id_id")
                    .table(LedgerEntries::Table)
                    .col(LedgerEntries::UserId)
                    .col(LedgerEntries::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_ledger_entries_actor_id")
                    .table(LedgerEntries::Table)
                    .col(LedgerEntries::ActorId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(text(IdempotencyKeys::Scope))
                    .col(text(IdempotencyKeys::Key))
                    .col(text(IdempotencyKeys::Fingerprint))
                    .col(uuid(IdempotencyKeys::ResourceId))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .col(timestamp_with_time_zone(IdempotencyKeys::ExpiresAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::Scope)
                            .col(IdempotencyKeys::Key),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(LedgerEntries::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Wallets::Table).to_owned())
            .await?;
        Ok(())
    }
}
