//! The transactional outbox on SeaORM: [`write`] stores a command's notifications and
//! mail in the command's own transaction, and [`OutboxMailer`] is what the mail relay
//! reads and updates afterwards. A mail row holds the facts of the message (`message`,
//! JSON) from the start; the relay words it (fills `subject` and `body`), hands it to a
//! relay when one is configured, and marks it sent. The row is also what the end-to-end
//! tests read instead of a mailbox.

use lyceum_ports::outbox::Outbox;
use lyceum_ports::system::{MailMessage, OutgoingMail};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::community::insert_notification;
use crate::database::{Database, DbError, db_time, finish, unavailable};
use crate::guarded_write::GuardedWrite;
use lyceum_ports::RepoError;

/// Writes a command's outbox on `conn`, the command's transaction: its notifications
/// (a notice whose dedupe key is taken is skipped) and its mail, as facts for the relay.
pub(crate) async fn write(
    db: &Database,
    conn: &impl ConnectionTrait,
    outbox: Outbox,
) -> Result<(), DbErr> {
    for notice in outbox.notices {
        insert_notification(db, conn, notice.notification, notice.dedupe_key).await?;
    }
    for mail in outbox.mail {
        let row = mail_outbox::ActiveModel {
            id: Set(mail.id),
            recipient: Set(mail.to.clone()),
            subject: Set(String::new()),
            body: Set(String::new()),
            message: Set(Some(mail_facts(&mail.message).to_string())),
            created_at: Set(db_time(mail.created_at)),
            attempted_at: Set(None),
            sent_at: Set(None),
        };
        mail_outbox::Entity::insert(row)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// [`write`] inside a repository method, its failure a repository error.
pub(crate) async fn record(
    db: &Database,
    conn: &impl ConnectionTrait,
    outbox: Outbox,
) -> Result<(), RepoError> {
    if outbox.is_empty() {
        return Ok(());
    }
    write(db, conn, outbox).await.map_err(unavailable)
}

/// Ends a command's transaction: on success its outbox is written and everything is
/// committed together; on failure nothing is (see [`finish`]).
pub(crate) async fn finish_with<T>(
    db: &Database,
    tx: DatabaseTransaction,
    outcome: Result<T, RepoError>,
    outbox: Outbox,
) -> Result<T, RepoError> {
    let mails = !outbox.mail.is_empty();
    let outcome = match outcome {
        Ok(value) => record(db, &tx, outbox).await.map(|()| value),
        Err(error) => Err(error),
    };
    let committed = finish(tx, outcome).await?;
    if mails {
        db.wake_mail_relay();
    }
    Ok(committed)
}

/// A mail's facts as stored: the kind and what the wording needs, nothing worded.
fn mail_facts(message: &MailMessage) -> serde_json::Value {
    match message {
        MailMessage::EmailVerification {
            first_name,
            code,
            valid_for,
        } => serde_json::json!({"kind": "email_verification", "first_name": first_name,
                                "code": code, "valid_for_seconds": valid_for.whole_seconds()}),
        MailMessage::PasswordReset {
            first_name,
            code,
            valid_for,
        } => serde_json::json!({"kind": "password_reset", "first_name": first_name,
                                "code": code, "valid_for_seconds": valid_for.whole_seconds()}),
    }
}

/// The message back from its stored facts; `None` for facts this version cannot read.
fn message_from_facts(facts: &str) -> Option<MailMessage> {
    let facts: serde_json::Value = serde_json::from_str(facts).ok()?;
    let text = |name: &str| facts.get(name)?.as_str().map(str::to_owned);
    let first_name = text("first_name")?;
    let code = text("code")?;
    let valid_for = time::Duration::seconds(facts.get("valid_for_seconds")?.as_i64()?);
    match facts.get("kind")?.as_str()? {
        "email_verification" => Some(MailMessage::EmailVerification {
            first_name,
            code,
            valid_for,
        }),
        "password_reset" => Some(MailMessage::PasswordReset {
            first_name,
            code,
            valid_for,
        }),
        _ => None,
    }
}

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
        /// The message's facts (JSON), for the relay to word.
        pub message: Option<String>,
        pub created_at: TimeDateTimeWithTimeZone,
        pub attempted_at: Option<TimeDateTimeWithTimeZone>,
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
            message: Set(None),
            created_at: Set(time::OffsetDateTime::UNIX_EPOCH),
            attempted_at: Set(None),
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

    /// Resolves when this process commits mail (see [`Database::mail_committed`]).
    pub async fn committed(&self) {
        self.db.mail_committed().await;
    }

    /// Queues one mail outside any command (operator tools, tests): the same row a
    /// command's outbox writes.
    pub async fn queue(&self, mail: OutgoingMail) -> Result<(), DbError> {
        write(&self.db, self.db.connection(), Outbox::mail(mail)).await?;
        self.db.wake_mail_relay();
        Ok(())
    }

    /// Mail committed but not yet worded, oldest first, with its message: the relay
    /// words these.
    pub async fn unworded(&self, limit: u64) -> Result<Vec<OutgoingMail>, DbError> {
        let rows = mail_outbox::Entity::find()
            .filter(mail_outbox::Column::Subject.eq(""))
            .filter(mail_outbox::Column::Message.is_not_null())
            .order_by_asc(mail_outbox::Column::Id)
            .limit(limit)
            .all(self.db.connection())
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let message = message_from_facts(row.message.as_deref()?)?;
                Some(OutgoingMail {
                    id: row.id,
                    to: row.recipient,
                    message,
                    created_at: row.created_at,
                })
            })
            .collect())
    }

    /// Stores a mail's wording once (a second relay's wording of the same row changes
    /// nothing).
    pub async fn store_wording(&self, id: Uuid, subject: &str, body: &str) -> Result<(), DbError> {
        mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::Subject, Expr::value(subject))
            .col_expr(mail_outbox::Column::Body, Expr::value(body))
            .filter(mail_outbox::Column::Id.eq(id))
            .filter(mail_outbox::Column::Subject.eq(""))
            .exec(self.db.connection())
            .await?;
        Ok(())
    }

    /// Worded, unsent mail whose last attempt (if any) is older than `retry_after`,
    /// oldest first: candidates for a delivery attempt.
    pub async fn due_for_delivery(
        &self,
        now: OffsetDateTime,
        retry_after: time::Duration,
        limit: u64,
    ) -> Result<Vec<OutboxMail>, DbError> {
        let rows = mail_outbox::Entity::find()
            .filter(mail_outbox::Column::SentAt.is_null())
            .filter(mail_outbox::Column::Subject.ne(""))
            .filter(
                mail_outbox::Column::AttemptedAt
                    .is_null()
                    .or(mail_outbox::Column::AttemptedAt.lt(db_time(now - retry_after))),
            )
            .order_by_asc(mail_outbox::Column::Id)
            .limit(limit)
            .all(self.db.connection())
            .await?;
        Ok(rows.into_iter().map(worded_mail).collect())
    }

    /// Claims one delivery attempt: true for exactly one of several relays trying at
    /// once, by a guarded update of `attempted_at`.
    pub async fn claim_attempt(
        &self,
        id: Uuid,
        now: OffsetDateTime,
        retry_after: time::Duration,
    ) -> Result<bool, DbError> {
        let result = mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::AttemptedAt, Expr::value(db_time(now)))
            .filter(mail_outbox::Column::Id.eq(id))
            .filter(mail_outbox::Column::SentAt.is_null())
            .filter(
                mail_outbox::Column::AttemptedAt
                    .is_null()
                    .or(mail_outbox::Column::AttemptedAt.lt(db_time(now - retry_after))),
            )
            .exec(self.db.connection())
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Mail queued for `recipient`, newest first, as worded so far (tests read
    /// verification codes here once the relay has worded them).
    pub async fn sent_to(&self, recipient: &str) -> Result<Vec<OutboxMail>, DbError> {
        let rows = mail_outbox::Entity::find()
            .filter(mail_outbox::Column::Recipient.eq(recipient))
            .order_by_desc(mail_outbox::Column::CreatedAt)
            .order_by_desc(mail_outbox::Column::Id)
            .all(self.db.connection())
            .await?;
        Ok(rows.into_iter().map(worded_mail).collect())
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

fn worded_mail(row: mail_outbox::Model) -> OutboxMail {
    OutboxMail {
        id: row.id,
        to: row.recipient,
        subject: row.subject,
        body: row.body,
        created_at: row.created_at,
    }
}
