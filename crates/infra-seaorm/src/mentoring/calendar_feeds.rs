//! [`CalendarFeedStore`]: one secret feed token per user, stored as its digest.

use async_trait::async_trait;
use lyceum_ports::RepoError;
use lyceum_ports::mentoring::CalendarFeedRepository;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use time::OffsetDateTime;
use uuid::Uuid;

use super::entities::calendar_feeds::{self, Column};
use crate::database::{Database, db_time, is_foreign_key_violation, unavailable};

/// Calendar feeds on SeaORM.
#[derive(Debug, Clone)]
pub struct CalendarFeedStore {
    db: Database,
}

impl CalendarFeedStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

#[async_trait]
impl CalendarFeedRepository for CalendarFeedStore {
    async fn replace(
        &self,
        user_id: Uuid,
        digest: String,
        now: OffsetDateTime,
    ) -> Result<(), RepoError> {
        let row = calendar_feeds::ActiveModel {
            user_id: Set(user_id),
            digest: Set(digest),
            created_at: Set(db_time(now)),
        };
        // One upsert on the user's key: the old digest is gone the moment the new one is
        // stored, and of two racing requests the later write is the one that works.
        calendar_feeds::Entity::insert(row)
            .on_conflict(
                OnConflict::column(Column::UserId)
                    .update_columns([Column::Digest, Column::CreatedAt])
                    .to_owned(),
            )
            .exec_without_returning(self.db.connection())
            .await
            .map_err(|e| {
                if is_foreign_key_violation(&e) {
                    RepoError::NotFound
                } else {
                    unavailable(e)
                }
            })?;
        Ok(())
    }

    async fn revoke(&self, user_id: Uuid) -> Result<(), RepoError> {
        calendar_feeds::Entity::delete_many()
            .filter(Column::UserId.eq(user_id))
            .exec(self.db.connection())
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn owner(&self, digest: &str) -> Result<Option<Uuid>, RepoError> {
        calendar_feeds::Entity::find()
            .select_only()
            .column(Column::UserId)
            .filter(Column::Digest.eq(digest))
            .into_tuple::<Uuid>()
            .one(self.db.connection())
            .await
            .map_err(unavailable)
    }
}
