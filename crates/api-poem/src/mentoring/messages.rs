//! Direct messages and conversations.

use lyceum_app::Lyceum;
use poem::Request;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::dto::*;
use crate::ApiTags;
use crate::pagination::{listed, page_request};
use crate::problem::ApiResult;
use crate::responses::{Created, Listed};
use crate::security::Caller;
use crate::shared::{MarkedReadOut, MessageOut, MessagePage};

/// Messaging operations.
pub struct MessagesApi {
    /// The application.
    pub app: Lyceum,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Mentoring")]
impl MessagesApi {
    /// My conversations
    ///
    /// One entry per person, with the newest message and how many of theirs are unread.
    #[oai(
        path = "/me/conversations",
        method = "get",
        operation_id = "listMyConversations"
    )]
    async fn conversations(&self, caller: Caller) -> ApiResult<Json<Vec<ConversationOut>>> {
        Ok(Json(
            self.app
                .my_conversations(&caller)
                .await?
                .iter()
                .map(ConversationOut::from)
                .collect(),
        ))
    }

    /// Messages with one person
    ///
    /// Newest first, cursor-paginated.
    #[oai(
        path = "/me/conversations/:user_id/messages",
        method = "get",
        operation_id = "listConversationMessages"
    )]
    async fn history(
        &self,
        req: &Request,
        caller: Caller,
        /// The other person's user id.
        user_id: Path<Uuid>,
        /// Page size, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Listed<MessagePage>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let found = self.app.conversation(&caller, user_id.0, page).await?;
        Ok(listed::<MessagePage, _>(req, found))
    }

    /// Write to someone
    ///
    /// Only to people I share a booking, session or request with (403 otherwise);
    /// 1–2000 characters.
    #[oai(
        path = "/me/conversations/:user_id/messages",
        method = "post",
        operation_id = "sendMessage"
    )]
    async fn send(
        &self,
        caller: Caller,
        /// The other person's user id.
        user_id: Path<Uuid>,
        body: Json<MessageIn>,
    ) -> ApiResult<Created<MessageOut>> {
        let body = body.0.try_into()?;
        let message = self.app.send_message(&caller, user_id.0, body).await?;
        Ok(Created::Created(
            Json(MessageOut::from(&message)),
            format!("/api/v1/me/conversations/{}/messages", user_id.0),
        ))
    }

    /// Mark a conversation read
    ///
    /// Sets `read_at` on every message the other person sent me.
    #[oai(
        path = "/me/conversations/:user_id/read",
        method = "post",
        operation_id = "markConversationRead"
    )]
    async fn read(
        &self,
        caller: Caller,
        /// The other person's user id.
        user_id: Path<Uuid>,
    ) -> ApiResult<Json<MarkedReadOut>> {
        Ok(Json(MarkedReadOut {
            marked: self.app.mark_conversation_read(&caller, user_id.0).await?,
        }))
    }
}
