//! Notifications.

use async_trait::async_trait;
use lyceum_domain::community::Notification;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Page, PageRequest, RepoError};

/// Stored notifications.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait NotificationRepository: Send + Sync {
    /// Stores a notification. With a `dedupe_key` (e.g. `reminder_1h:<booking id>`) a second
    /// notification with the same key is silently not stored, so jobs running in several
    /// processes notify once; returns whether this call stored it.
    async fn create(
        &self,
        notification: Notification,
        dedupe_key: Option<String>,
    ) -> Result<bool, RepoError>;
    /// My notifications, newest first, optionally only unread ones.
    async fn of_user(
        &self,
        user_id: Uuid,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<Page<Notification>, RepoError>;
    /// Marks one of mine read; `NotFound` if it is not mine.
    async fn mark_read(
        &self,
        user_id: Uuid,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<(), RepoError>;
    /// Marks all of mine read; returns how many changed.
    async fn mark_all_read(&self, user_id: Uuid, now: OffsetDateTime) -> Result<u64, RepoError>;
    /// How many of mine are unread.
    async fn unread_count(&self, user_id: Uuid) -> Result<i64, RepoError>;
    /// Mine created after `after` (by id), oldest first, for live streams.
    async fn since(
        &self,
        user_id: Uuid,
        after: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<Notification>, RepoError>;
}
