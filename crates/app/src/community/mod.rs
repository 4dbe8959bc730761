//! Notifications: created by other use cases when something happens to a user, listed
//! and marked read by the user, and streamed live.
//!
//! Seed rules: PeerLearn and Edupeak notifications per user with type, title, message,
//! link, data and read status.

use std::collections::VecDeque;

use lyceum_domain::community::{Notification, NotificationKind, Subject};
use lyceum_domain::mentoring::Booking;
use lyceum_domain::mentoring::Message;
use lyceum_ports::community::{EventSubscription, LiveSignal};
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

    /// What arrived for me after the given positions: the read a live stream makes when
    /// the feed may have missed something (see [`LiveStream`]).
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
                .since(actor.id(), after_notification, CATCH_UP_PAGE)
                .await?,
            messages: self
                .ports
                .messages
                .received_since(actor.id(), after_message, CATCH_UP_PAGE)
                .await?,
        })
    }

    /// Opens my live stream: what happens to me from now on, pushed by the event feed
    /// rather than read by the stream, so that an open stream costs nothing while nothing
    /// happens. The stream lives as long as the access token it was opened with and ends
    /// early when that sign-in ends (see [`LiveStream::next`]).
    pub fn open_live_stream(
        &self,
        actor: &Actor,
        access_token: &str,
    ) -> Result<LiveStream, AppError> {
        let claims = self.verified_claims(access_token)?;
        if claims.user_id != actor.id() {
            return Err(AppError::Unauthenticated);
        }
        let lifetime = claims.expires_at - self.ports.clock.now();
        // Subscribe before taking the position, so nothing falls between the two. Ids are
        // UUIDv7, ordered by creation time: a fresh one marks "now", where a catch-up read
        // starts if the feed misses something before the first event.
        let subscription = self.ports.events.subscribe(actor.id());
        let now_marker = self.ports.ids.new_id();
        Ok(LiveStream {
            app: self.clone(),
            access_token: access_token.to_owned(),
            actor: actor.clone(),
            subscription,
            after_notification: Some(now_marker),
            after_message: Some(now_marker),
            pending: VecDeque::new(),
            sent: VecDeque::new(),
            expires_in: std::time::Duration::try_from(lifetime).unwrap_or_default(),
        })
    }
}

/// Rows per catch-up read.
const CATCH_UP_PAGE: u64 = 100;

/// How many sent ids a stream remembers. A catch-up read and the feed can both carry the
/// same event, and ids alone cannot tell a repeat from an event committed late with an
/// older id, so the stream remembers what it sent rather than only the newest id.
const REMEMBERED: usize = 256;

/// One thing a live stream sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveItem {
    /// A new notification of mine.
    Notification(Notification),
    /// A new direct message to me.
    Message(Message),
}

impl LiveItem {
    fn id(&self) -> Uuid {
        match self {
            LiveItem::Notification(n) => n.id,
            LiveItem::Message(m) => m.id,
        }
    }
}

/// My open live stream. It waits on the event feed and touches the database only when
/// the feed asks it to: once when my account changes (to check the sign-in again) and
/// once when the feed may have missed events (to read from the last position).
pub struct LiveStream {
    app: Lyceum,
    access_token: String,
    actor: Actor,
    subscription: Box<dyn EventSubscription>,
    after_notification: Option<Uuid>,
    after_message: Option<Uuid>,
    pending: VecDeque<LiveItem>,
    sent: VecDeque<Uuid>,
    expires_in: std::time::Duration,
}

impl LiveStream {
    /// How long the stream may stay open: its access token's remaining lifetime. The
    /// transport ends it then, as a request with that token would be refused then.
    pub fn expires_in(&self) -> std::time::Duration {
        self.expires_in
    }

    /// The next thing to send, oldest first; `None` ends the stream: the sign-in it was
    /// opened with was revoked, the account was banned, deleted or had its roles changed
    /// (the stream serves the account as it was when it opened, so the client reconnects
    /// as it is now), the database failed, or the feed stopped.
    pub async fn next(&mut self) -> Option<LiveItem> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            match self.subscription.next().await {
                LiveSignal::Notification(n) => {
                    if n.user_id == self.actor.id() && self.first_sending(n.id) {
                        self.after_notification = self.after_notification.max(Some(n.id));
                        return Some(LiveItem::Notification(n));
                    }
                }
                LiveSignal::Message(m) => {
                    if m.recipient_id == self.actor.id() && self.first_sending(m.id) {
                        self.after_message = self.after_message.max(Some(m.id));
                        return Some(LiveItem::Message(m));
                    }
                }
                LiveSignal::AccountChanged => {
                    if !self.still_signed_in().await {
                        return None;
                    }
                }
                LiveSignal::CatchUp => {
                    if !self.still_signed_in().await || self.catch_up().await.is_err() {
                        return None;
                    }
                }
                LiveSignal::Closed => return None,
            }
        }
    }

    /// Whether the access token still authenticates the same account with the same roles.
    async fn still_signed_in(&mut self) -> bool {
        match self.app.authenticate(&self.access_token).await {
            Ok(actor)
                if actor.id() == self.actor.id() && actor.user.roles == self.actor.user.roles =>
            {
                self.actor = actor;
                true
            }
            Ok(_) => false,
            Err(error) => {
                if let AppError::Internal(_) | AppError::Unavailable(_) = error {
                    tracing::warn!(user_id = %self.actor.id(), %error, "live stream ends: the sign-in could not be checked");
                }
                false
            }
        }
    }

    /// Reads everything after the stream's position, page by page, and queues what was
    /// not sent yet in id order.
    async fn catch_up(&mut self) -> Result<(), AppError> {
        loop {
            let news = self
                .app
                .live_events(&self.actor, self.after_notification, self.after_message)
                .await?;
            let more = news.notifications.len() as u64 == CATCH_UP_PAGE
                || news.messages.len() as u64 == CATCH_UP_PAGE;
            if let Some(last) = news.notifications.last() {
                self.after_notification = self.after_notification.max(Some(last.id));
            }
            if let Some(last) = news.messages.last() {
                self.after_message = self.after_message.max(Some(last.id));
            }
            let mut items: Vec<LiveItem> = news
                .notifications
                .into_iter()
                .map(LiveItem::Notification)
                .chain(news.messages.into_iter().map(LiveItem::Message))
                .collect();
            items.sort_by_key(LiveItem::id);
            for item in items {
                if self.first_sending(item.id()) {
                    self.pending.push_back(item);
                }
            }
            if !more {
                return Ok(());
            }
        }
    }

    /// Records `id` as sent; false if it already was.
    fn first_sending(&mut self, id: Uuid) -> bool {
        if self.sent.contains(&id) {
            return false;
        }
        if self.sent.len() == REMEMBERED {
            self.sent.pop_front();
        }
        self.sent.push_back(id);
        true
    }
}

#[cfg(test)]
mod tests;
