//! HTTP operations of the community context (tag `Community`): my notifications, and a
//! Server-Sent Events stream of my new notifications and messages.

use std::time::Duration;

use futures_util::stream::{self, BoxStream, StreamExt};
use lyceum_app::Lyceum;
use lyceum_app::community::LiveItem;
use lyceum_domain::community::Notification;
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{EventStream, Json};
use poem_openapi::{Object, OpenApi, Union};
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::ApiTags;
use crate::pagination::{encode_cursor, next_link, page_request};
use crate::problem::ApiResult;
use crate::responses::{Listed, NoContent};
use crate::security::Caller;
use crate::shared::{MarkedReadOut, MessageOut};

/// A notification.
#[derive(Debug, Clone, Object)]
pub struct NotificationOut {
    /// Id.
    pub id: Uuid,
    /// What about: `booking_confirmed`, `booking_cancelled`, `session_cancelled`,
    /// `session_rescheduled`, `request_received`, `request_accepted`, `request_declined`,
    /// `request_cancelled`, `new_message`, `feedback_received`, `session_reminder_24h`,
    /// `session_reminder_1h`.
    pub kind: String,
    /// Short title.
    pub title: String,
    /// Text.
    pub message: String,
    /// API path of the subject; absent when the notification has none.
    #[oai(skip_serializing_if_is_none)]
    pub link: Option<String>,
    /// Ids and facts, as a JSON object.
    pub data: serde_json::Value,
    /// When read; absent while unread.
    #[oai(skip_serializing_if_is_none)]
    pub read_at: Option<OffsetDateTime>,
    /// Created.
    pub created_at: OffsetDateTime,
}

impl From<&Notification> for NotificationOut {
    fn from(n: &Notification) -> Self {
        let data = serde_json::from_str(&n.data).unwrap_or(serde_json::Value::Null);
        let (title, message) = crate::notification_text::wording(n, &data);
        Self {
            id: n.id,
            kind: n.kind.as_str().to_owned(),
            title,
            message,
            link: n.subject.as_ref().map(crate::notification_text::link),
            data,
            read_at: n.read_at,
            created_at: n.created_at,
        }
    }
}

/// A page of notifications, newest first.
#[derive(Debug, Clone, Object)]
pub struct NotificationPage {
    /// Notifications.
    pub items: Vec<NotificationOut>,
    /// Cursor of the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

/// The unread count.
#[derive(Debug, Clone, Object)]
pub struct UnreadCountOut {
    /// Unread notifications.
    pub unread: i64,
}

/// A live event about a new notification.
#[derive(Debug, Clone, Object)]
pub struct NotificationEventOut {
    /// The notification, as `listMyNotifications` shows it.
    pub notification: NotificationOut,
}

/// A live event about a new direct message to me.
#[derive(Debug, Clone, Object)]
pub struct MessageEventOut {
    /// The message, as `listConversationMessages` shows it.
    pub message: MessageOut,
}

/// One live event, the JSON `data` of one Server-Sent Event; `event` says which kind.
#[derive(Debug, Clone, Union)]
#[oai(discriminator_name = "event")]
pub enum LiveEventOut {
    /// A new notification.
    #[oai(mapping = "notification")]
    Notification(NotificationEventOut),
    /// A new direct message to me.
    #[oai(mapping = "message")]
    Message(MessageEventOut),
}

/// Notification operations.
pub struct CommunityApi {
    /// The application.
    pub app: Lyceum,
    /// Cancelled when the server shuts down; every open stream ends then.
    pub shutdown: CancellationToken,
}

impl From<LiveItem> for LiveEventOut {
    fn from(item: LiveItem) -> Self {
        match item {
            LiveItem::Notification(n) => LiveEventOut::Notification(NotificationEventOut {
                notification: NotificationOut::from(&n),
            }),
            LiveItem::Message(m) => LiveEventOut::Message(MessageEventOut {
                message: MessageOut::from(&m),
            }),
        }
    }
}

#[OpenApi(prefix_path = "/api/v1/me", tag = "ApiTags::Community")]
impl CommunityApi {
    /// My notifications
    #[oai(
        path = "/notifications",
        method = "get",
        operation_id = "listMyNotifications"
    )]
    async fn list(
        &self,
        req: &Request,
        caller: Caller,
        /// Only unread ones.
        unread: Query<Option<bool>>,
        /// Page size, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Listed<NotificationPage>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let found = self
            .app
            .my_notifications(&caller, unread.0.unwrap_or(false), page)
            .await?;
        let next_cursor = found.next_after.map(encode_cursor);
        let link = next_link(req, next_cursor.as_deref());
        let items = found.items.iter().map(NotificationOut::from).collect();
        Ok(Listed::Ok(
            Json(NotificationPage { items, next_cursor }),
            link,
        ))
    }

    /// My unread notification count
    #[oai(
        path = "/notifications/unread-count",
        method = "get",
        operation_id = "countMyUnreadNotifications"
    )]
    async fn unread_count(&self, caller: Caller) -> ApiResult<Json<UnreadCountOut>> {
        Ok(Json(UnreadCountOut {
            unread: self.app.unread_notification_count(&caller).await?,
        }))
    }

    /// Mark a notification read
    #[oai(
        path = "/notifications/:id/read",
        method = "post",
        operation_id = "markNotificationRead"
    )]
    async fn mark_read(
        &self,
        caller: Caller,
        /// The notification's id.
        id: Path<Uuid>,
    ) -> ApiResult<NoContent> {
        self.app.mark_notification_read(&caller, id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Mark all my notifications read
    #[oai(
        path = "/notifications/read-all",
        method = "post",
        operation_id = "markAllNotificationsRead"
    )]
    async fn mark_all_read(&self, caller: Caller) -> ApiResult<Json<MarkedReadOut>> {
        Ok(Json(MarkedReadOut {
            marked: self.app.mark_all_notifications_read(&caller).await?,
        }))
    }

    /// Live events (Server-Sent Events)
    ///
    /// A `text/event-stream` of my new notifications and messages as they happen, each
    /// event a JSON `LiveEvent`. Only what arrives after the stream opened is sent. The
    /// stream ends when the access token expires, when its sign-in ends (sign-out, a
    /// revoked session, a ban, a deleted account) or the account's roles change, and when
    /// the server shuts down: reconnect then, with a fresh token if needed.
    #[oai(path = "/events", method = "get", operation_id = "streamMyEvents")]
    async fn events(
        &self,
        caller: Caller,
    ) -> ApiResult<EventStream<BoxStream<'static, LiveEventOut>>> {
        let live = self.app.open_live_stream(&caller, caller.access_token())?;
        // The token's end is the stream's end: a request with it would be refused then.
        let expiry = tokio::time::sleep(live.expires_in());
        let events = stream::unfold(live, |mut live| async move {
            let item = live.next().await?;
            Some((LiveEventOut::from(item), live))
        });
        // A shutting-down server ends the stream, so that the graceful drain does not wait
        // for clients that would never hang up.
        let events = events
            .take_until(self.shutdown.clone().cancelled_owned())
            .take_until(expiry);
        Ok(EventStream::new(events.boxed()).keep_alive(Duration::from_secs(15)))
    }
}
