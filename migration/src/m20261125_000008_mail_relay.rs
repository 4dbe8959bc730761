//! Mail joins the transactional outbox: a command writes the mail's facts (`message`, a
//! JSON object) in its own transaction, and the relay words and delivers it afterwards.
//! `subject` and `body` stay empty until the relay words the mail; `attempted_at` is the
//! relay's claim on a delivery attempt, so two server processes never send one mail twice
//! and a failed attempt is retried after a pause.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000008_mail_relay"
    }
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Message,
    AttemptedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(MailOutbox::Table)
                    .add_column(text_null(MailOutbox::Message))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(MailOutbox::Table)
                    .add_column(timestamp_with_time_zone_null(MailOutbox::AttemptedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mail_outbox_unsent")
                    .table(MailOutbox::Table)
                    .col(MailOutbox::SentAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_mail_outbox_unsent")
                    .table(MailOutbox::Table)
                    .to_owned(),
            )
            .await?;
        for column in [MailOutbox::AttemptedAt, MailOutbox::Message] {
            manager
                .alter_table(
                    Table::alter()
                        .table(MailOutbox::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
