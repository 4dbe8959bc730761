//! [`MessageStore`]: direct messages between people who share mentoring.

use std::collections::HashMap;

use async_trait::async_trait;
use lyceum_domain::mentoring::Message;
use lyceum_ports::mentoring::{ConversationSummary, MessageRepository};
use lyceum_ports::{Page, PageRequest, RepoError};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::entities::messages;
use super::guards::stmt;
use super::rows::{message_from_row, message_row};
use crate::database::{Database, db_time, is_foreign_key_violation, unavailable};
use crate::live::{self, LiveEvent};
use crate::outbox;
use crate::pagination::IdOrder::NewestFirst;
use crate::pagination::{page_from_rows, page_rows};
use lyceum_ports::outbox::Outbox;

/// Messages on SeaORM.
#[derive(Debug, Clone)]
pub struct MessageStore {
    db: Database,
}

impl MessageStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

#[async_trait]
impl MessageRepository for MessageStore {
    async fn share_mentoring(&self, a: Uuid, b: Uuid) -> Result<bool, RepoError> {
        // A booking links learner and mentor (either way), two bookings in one session
        // link two learners, and a request links its two sides; any status counts.
        let row = self
            .db
            .connection()
            .query_one_raw(stmt(
                self.db.db_backend(),
                "SELECT CASE WHEN EXISTS ( \
                     SELECT 1 FROM bookings b JOIN mentoring_sessions s ON s.id = b.session_id \
                     WHERE (b.learner_id = $1 AND s.mentor_id = $2) \
                        OR (b.learner_id = $2 AND s.mentor_id = $1)) \
                 OR EXISTS ( \
                     SELECT 1 FROM bookings x JOIN bookings y ON y.session_id = x.session_id \
                     WHERE x.learner_id = $1 AND y.learner_id = $2) \
                 OR EXISTS ( \
                     SELECT 1 FROM mentorship_requests r \
                     WHERE (r.learner_id = $1 AND r.mentor_id = $2) \
                        OR (r.learner_id = $2 AND r.mentor_id = $1)) \
                 THEN 1 ELSE 0 END AS shared",
                vec![a.into(), b.into()],
            ))
            .await
            .map_err(unavailable)?;
        let shared = row
            .map(|row| row.try_get::<i32>("", "shared"))
            .transpose()
            .map_err(unavailable)?;
        Ok(shared == Some(1))
    }

    async fn send(&self, message: Message, outbox: Outbox) -> Result<Message, RepoError> {
        let row = message_row(&message);
        let event = LiveEvent::Message {
            recipient_id: message.recipient_id,
            id: message.id,
        };
        let tx = self.db.begin_write().await?;
        let stored = messages::Entity::insert(messages::ActiveModel::from(row.clone()))
            .exec_without_returning(&tx)
            .await
            .map(|_| ())
            .map_err(|err| {
                if is_foreign_key_violation(&err) {
                    RepoError::NotFound
                } else {
                    unavailable(err)
                }
            });
        let outcome = match stored {
            Ok(_) => live::announce(&self.db, &tx, &event)
                .await
                .map_err(unavailable),
            Err(error) => Err(error),
        };
        outbox::finish_with(&self.db, tx, outcome, outbox).await?;
        message_from_row(row)
    }

    async fn between(
        &self,
        user_id: Uuid,
        other_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Message>, RepoError> {
        use messages::Column as C;
        let select = messages::Entity::find().filter(
            Condition::any()
                .add(C::SenderId.eq(user_id).and(C::RecipientId.eq(other_id)))
                .add(C::SenderId.eq(other_id).and(C::RecipientId.eq(user_id))),
        );
        let rows = page_rows(self.db.connection(), select, C::Id, NewestFirst, page).await?;
        page_from_rows(rows, page, message_from_row, |m| m.id)
    }

    async fn mark_read(
        &self,
        user_id: Uuid,
        other_id: Uuid,
        now: OffsetDateTime,
    ) -> Result<u64, RepoError> {
        let result = self
            .db
            .connection()
            .execute_raw(stmt(
                self.db.db_backend(),
                "UPDATE messages SET read_at = $1 \
                 WHERE sender_id = $2 AND recipient_id = $3 AND read_at IS NULL",
                vec![db_time(now).into(), other_id.into(), user_id.into()],
            ))
            .await
            .map_err(unavailable)?;
        Ok(result.rows_affected())
    }

    async fn conversations(&self, user_id: Uuid) -> Result<Vec<ConversationSummary>, RepoError> {
        let conn = self.db.connection();
        // The newest message per other person, in one query.
        let last = messages::Entity::find()
            .from_raw_sql(stmt(
                self.db.db_backend(),
                "SELECT id, sender_id, recipient_id, body, created_at, read_at FROM ( \
                     SELECT m.*, ROW_NUMBER() OVER ( \
                         PARTITION BY CASE WHEN m.sender_id = $1 THEN m.recipient_id \
                                           ELSE m.sender_id END \
                         ORDER BY m.id DESC) AS rn \
                     FROM messages m WHERE m.sender_id = $1 OR m.recipient_id = $1 \
                 ) latest WHERE rn = 1 ORDER BY id DESC",
                vec![user_id.into()],
            ))
            .all(conn)
            .await
            .map_err(unavailable)?;
        // And the unread count per sender, in a second.
        let unread: HashMap<Uuid, i64> = messages::Entity::find()
            .select_only()
            .column(messages::Column::SenderId)
            .column_as(messages::Column::Id.count(), "unread")
            .filter(messages::Column::RecipientId.eq(user_id))
            .filter(messages::Column::ReadAt.is_null())
            .group_by(messages::Column::SenderId)
            .into_tuple::<(Uuid, i64)>()
            .all(conn)
            .await
            .map_err(unavailable)?
            .into_iter()
            .collect();
        last.into_iter()
            .map(|row| {
                let other_user_id = if row.sender_id == user_id {
                    row.recipient_id
                } else {
                    row.sender_id
                };
                Ok(ConversationSummary {
                    other_user_id,
                    unread_count: unread.get(&other_user_id).copied().unwrap_or(0),
                    last_message: message_from_row(row)?,
                })
            })
            .collect()
    }

    async fn received_since(
        &self,
        user_id: Uuid,
        after: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<Message>, RepoError> {
        let mut select = messages::Entity::find().filter(messages::Column::RecipientId.eq(user_id));
        if let Some(after) = after {
            select = select.filter(messages::Column::Id.gt(after));
        }
        select
            .order_by_asc(messages::Column::Id)
            .limit(limit)
            .all(self.db.connection())
            .await
            .map_err(unavailable)?
            .into_iter()
            .map(message_from_row)
            .collect()
    }
}
