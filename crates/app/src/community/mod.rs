//! Notifications: created by other use cases when something happens to a user, listed
//! and marked read by the user, and streamed live.
//!
//! Seed rules: PeerLearn and Edupeak notifications per user with type, title, message,
//! link, data and read status.

use lyceum_domain::community::{Notification, NotificationKind, Subject};
use lyceum_domain::mentoring::Booking;
use lyceum_domain::mentoring::Message;
use lyceum_ports::outbox::{BookingNotices, Notice};
use lyceum_ports::{Page, PageRequest};
use uuid::Uuid;

use crate::Resource;
use crate::identity::Actor;
use crate::{AppError, Lyceum};

/// What happened to whom, before it gets an id and a time. It holds facts only (times as
/// RFC 3339 text in UTC): the adapters word them for their readers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationDraft {
    /// For whom.
    pub user_id: Uuid,
    /// What happened.
    pub kind: NotificationKind,
    /// What it is about.
    pub subject: Subject,
    /// Ids and facts for clients and for the wording, as JSON.
    pub data: serde_json::Value,
}

/// A time as notification facts carry it: RFC 3339 in UTC, which every reader can parse
/// and show in its own time zone.
pub(crate) fn fact_time(at: time::OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The notification a draft becomes with its id and time.
fn drafted(draft: NotificationDraft, id: Uuid, now: time::OffsetDateTime) -> Notification {
    Notification {
        id,
        user_id: draft.user_id,
        kind: draft.kind,
        subject: Some(draft.subject),
        data: draft.data.to_string(),
        read_at: None,
        created_at: now,
    }
}

/// New things for a live stream since the client's last position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveEvents {
    /// New notifications, oldest first.
    pub notifications: Vec<Notification>,
    /// New messages to me, oldest first.
    pub messages: Vec<Message>,
}

impl Lyceum {
    /// A notice for a command's outbox: the notification gets its id and time here and is
    /// stored in the command's own transaction.
    pub(crate) fn notice(&self, draft: NotificationDraft) -> Notice {
        Notice::once(self.notification(draft))
    }

    fn notification(&self, draft: NotificationDraft) -> Notification {
        drafted(draft, self.ports.ids.new_id(), self.ports.clock.now())
    }

    /// Notices for each booking a change touches, drafted by `draft` (`None`: nothing to
    /// tell that booking), for changes whose bookings only the adapter's transaction knows.
    pub(crate) fn notices_per_booking(
        &self,
        draft: impl Fn(&Booking) -> Option<NotificationDraft> + Send + Sync + 'static,
    ) -> BookingNotices {
        let ids = self.ports.ids.clone();
        let now = self.ports.clock.now();
        Box::new(move |booking| {
            draft(booking)
                .map(|draft| Notice::once(drafted(draft, ids.new_id(), now)))
                .into_iter()
                .collect()
        })
    }

    /// Stores a notification on its own, for jobs whose only write is the notification
    /// (reminders): one statement, so it is its own transaction. Notifying is a side effect of something that already
    /// happened, so a failure is logged rather than undoing that; returns whether it was
    /// stored (false also when `dedupe_key` was already used).
    pub(crate) async fn notify(
        &self,
        draft: NotificationDraft,
        dedupe_key: Option<String>,
    ) -> bool {
        let notification = self.notification(draft.clone());
        match self
            .ports
            .notifications
            .create(notification, dedupe_key)
            .await
        {
            Ok(stored) => stored,
            Err(error) => {
                tracing::warn!(user_id = %draft.user_id, kind = draft.kind.as_str(), %error, "could not store a notification");
                false
            }
        }
    }

    /// My notifications, newest first.
    pub async fn my_notifications(
        &self,
        actor: &Actor,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<Page<Notification>, AppError> {
        Ok(self
            .ports
            .notifications
            .of_user(actor.id(), unread_only, page)
            .await?)
    }

    /// Marks one of my notifications read.
    pub async fn mark_notification_read(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        self.ports
            .notifications
            .mark_read(actor.id(), id, self.ports.clock.now())
            .await
            .map_err(AppError::from_repo(Resource::Notification))
    }

    /// Marks all my notifications read; returns how many changed.
    pub async fn mark_all_notifications_read(&self, actor: &Actor) -> Result<u64, AppError> {
        Ok(self
            .ports
            .notifications
            .mark_all_read(actor.id(), self.ports.clock.now())
            .await?)
    }

    /// How many of my notifications are unread.
    pub async fn unread_notification_count(&self, actor: &Actor) -> Result<i64, AppError> {
        Ok(self.ports.notifications.unread_count(actor.id()).await?)
    }

    /// What arrived for me after the given positions. Read from the database, so a stream
    /// served by one process sees what another process created.
    pub async fn live_events(
        &self,
        actor: &Actor,
        after_notification: Option<Uuid>,
        after_message: Option<Uuid>,
    ) -> Result<LiveEvents, AppError> {
        Ok(LiveEvents {
            notifications: self
                .ports
                .notifications
                .since(actor.id(), after_notification, 100)
                .await?,
            messages: self
                .ports
                .messages
                .received_since(actor.id(), after_message, 100)
                .await?,
        })
    }
}
