//! [`OutboxMailer`]: mail goes into the `mail_outbox` table first. The row is the record
//! that a message was due (and what the end-to-end tests read instead of a mailbox); a
//! delivery worker marks rows sent.

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::database::{Database, DbError, db_time};
use crate::guarded_write::GuardedWrite;

/// A mail as worded for its reader: what the outbox keeps and a relay sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    /// Id (the outbox row's).
    pub id: Uuid,
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// When it was queued.
    pub created_at: OffsetDateTime,
}

pub(crate) mod mail_outbox {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mail_outbox")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub recipient: String,
        pub subject: String,
        pub body: String,
        pub created_at: TimeDateTimeWithTimeZone,
        pub sent_at: Option<TimeDateTimeWithTimeZone>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    /// A queued mail to `recipient`: a row with no foreign keys, for the unit tests of
    /// helpers that work on any table.
    #[cfg(test)]
    pub(crate) fn test_row(id: Uuid, recipient: &str) -> ActiveModel {
        use sea_orm::ActiveValue::Set;
        ActiveModel {
            id: Set(id),
            recipient: Set(recipient.to_owned()),
            subject: Set(format!("mail {id}")),
            body: Set(String::new()),
            created_at: Set(time::OffsetDateTime::UNIX_EPOCH),
            sent_at: Set(None),
        }
    }
}

/// The mail outbox on SeaORM.
#[derive(Debug, Clone)]
pub struct OutboxMailer {
    db: Database,
}

impl OutboxMailer {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }

    /// Records a worded mail as due. The mail adapter words it; the outbox keeps exactly
    /// what was (or will be) sent.
    pub async fn store(&self, mail: &OutboxMail) -> Result<(), DbError> {
        let row = mail_outbox::ActiveModel {
            id: Set(mail.id),
            recipient: Set(mail.to.clone()),
            subject: Set(mail.subject.clone()),
            body: Set(mail.body.clone()),
            created_at: Set(db_time(mail.created_at)),
            sent_at: Set(None),
        };
        mail_outbox::Entity::insert(row)
            .exec_without_returning(self.db.connection())
            .await?;
        Ok(())
    }

    /// Mail queued for `recipient`, newest first (tests read verification links here).
    pub async fn sent_to(&self, recipient: &str) -> Result<Vec<OutboxMail>, DbError> {
        let rows = mail_outbox::Entity::find()
            .filter(mail_outbox::Column::Recipient.eq(recipient))
            .order_by_desc(mail_outbox::Column::CreatedAt)
            .order_by_desc(mail_outbox::Column::Id)
            .all(self.db.connection())
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| OutboxMail {
                id: row.id,
                to: row.recipient,
                subject: row.subject,
                body: row.body,
                created_at: row.created_at,
            })
            .collect())
    }

    /// Records that a message was handed to the mail server.
    pub async fn mark_sent(&self, id: Uuid, now: OffsetDateTime) -> Result<(), DbError> {
        mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::SentAt, Expr::value(db_time(now)))
            .filter(mail_outbox::Column::Id.eq(id))
            .exec(self.db.connection())
            .await?
            .changed_or_else(|| DbError::Database(format!("no outbox mail with id {id}")))
    }
}
