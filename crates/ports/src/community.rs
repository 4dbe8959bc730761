//! Notifications, and the live event feed that pushes them (and direct messages) to open
//! streams.

use async_trait::async_trait;
use lyceum_domain::community::Notification;
use lyceum_domain::mentoring::Message;
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

/// What an open live stream of one user is told, in the order the feed learnt it.
///
/// The feed carries the stored rows themselves, loaded once per event for every stream of
/// the user, so that an idle stream costs no query; the two other signals tell the stream
/// when it must ask the database itself, which is rare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveSignal {
    /// A notification for the user was committed.
    Notification(Notification),
    /// A direct message to the user was committed.
    Message(Message),
    /// Something that decides whether the user may stay signed in changed (a sign-in
    /// session revoked, a ban, a role change, a deletion): the stream checks its access
    /// token again, because the feed cannot know which sign-in session a change ends.
    AccountChanged,
    /// The feed may have missed events (its listener reconnected, or this stream fell
    /// behind): the stream reads what it missed from its last position, and checks its
    /// access token again, since a missed event may have been an account change.
    CatchUp,
    /// The feed has stopped (the process is shutting down): the stream ends.
    Closed,
}

/// One stream's place in the feed: dropping it leaves the feed.
#[async_trait]
pub trait EventSubscription: Send {
    /// Waits for the next signal. Never fails: a feed that cannot deliver says
    /// [`LiveSignal::CatchUp`] or [`LiveSignal::Closed`].
    async fn next(&mut self) -> LiveSignal;
}

/// The process's live events, fanned out per user. A stream subscribes instead of asking
/// the database for news, so open streams cost no connection and no query while nothing
/// happens; the adapter makes events committed by any process reach every process.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait EventFeed: Send + Sync {
    /// Starts receiving what happens to `user_id` from now on.
    fn subscribe(&self, user_id: Uuid) -> Box<dyn EventSubscription>;
}
