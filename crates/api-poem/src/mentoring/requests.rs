//! Mentorship requests: ask, accept, decline, withdraw or cancel, list.

use lyceum_app::Lyceum;
use lyceum_app::mentoring::{RequestAction, RequestInput};
use lyceum_domain::mentoring::RequestStatus;
use lyceum_ports::mentoring::RequestSide;
use poem::Request;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::dto::*;
use crate::ApiTags;
use crate::pagination::{encode_cursor, next_link, page_request};
use crate::problem::ApiResult;
use crate::responses::{Created, Listed};
use crate::security::Caller;

/// Mentorship request operations.
pub struct RequestsApi {
    /// The application.
    pub app: Lyceum,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Mentoring")]
impl RequestsApi {
    /// Ask a mentor for a 1:1
    ///
    /// Subject, message, a proposed future start and 30–180 minutes. Nobody can request
    /// themself.
    #[oai(
        path = "/mentorship-requests",
        method = "post",
        operation_id = "createMentorshipRequest"
    )]
    async fn create(
        &self,
        caller: Caller,
        body: Json<CreateRequestRequest>,
    ) -> ApiResult<Created<RequestDto>> {
        let b = body.0;
        let request = self
            .app
            .request_mentorship(
                &caller,
                RequestInput {
                    mentor_id: b.mentor_id,
                    subject: b.subject,
                    message: b.message,
                    proposed_start: b.proposed_start,
                    duration_minutes: b.duration_minutes,
                    notes: b.notes,
                },
            )
            .await?;
        Ok(Created::Created(
            Json(RequestDto::from(&request)),
            format!("/api/v1/mentorship-requests/{}", request.id),
        ))
    }

    /// One request (its learner or mentor)
    #[oai(
        path = "/mentorship-requests/:id",
        method = "get",
        operation_id = "getMentorshipRequest"
    )]
    async fn get(&self, caller: Caller, id: Path<Uuid>) -> ApiResult<Json<RequestDto>> {
        Ok(Json(RequestDto::from(
            &self.app.mentorship_request(&caller, id.0).await?,
        )))
    }

    /// Accept a request (the mentor)
    ///
    /// Creates the 1:1 session and the learner's confirmed booking in one transaction.
    /// Only from `pending`; any other transition is 409 `request.invalid_transition`.
    #[oai(
        path = "/mentorship-requests/:id/accept",
        method = "post",
        operation_id = "acceptMentorshipRequest"
    )]
    async fn accept(
        &self,
        caller: Caller,
        id: Path<Uuid>,
        body: Json<Option<AcceptRequestBody>>,
    ) -> ApiResult<Json<RequestDto>> {
        let b = body.0.unwrap_or_default();
        let action = RequestAction::Accept {
            meeting_url: b.meeting_url,
            response_message: b.response_message,
        };
        Ok(Json(RequestDto::from(
            &self.app.act_on_request(&caller, id.0, action).await?,
        )))
    }

    /// Decline a request (the mentor)
    #[oai(
        path = "/mentorship-requests/:id/decline",
        method = "post",
        operation_id = "declineMentorshipRequest"
    )]
    async fn decline(
        &self,
        caller: Caller,
        id: Path<Uuid>,
        body: Json<DeclineRequestBody>,
    ) -> ApiResult<Json<RequestDto>> {
        let action = RequestAction::Decline {
            response_message: body.0.response_message,
        };
        Ok(Json(RequestDto::from(
            &self.app.act_on_request(&caller, id.0, action).await?,
        )))
    }

    /// Withdraw or cancel a request
    ///
    /// The learner withdraws a pending request; either side cancels an accepted one
    /// (its session and booking are cancelled too).
    #[oai(
        path = "/mentorship-requests/:id/cancel",
        method = "post",
        operation_id = "cancelMentorshipRequest"
    )]
    async fn cancel(&self, caller: Caller, id: Path<Uuid>) -> ApiResult<Json<RequestDto>> {
        Ok(Json(RequestDto::from(
            &self
                .app
                .act_on_request(&caller, id.0, RequestAction::Cancel)
                .await?,
        )))
    }

    /// My requests
    #[oai(
        path = "/me/mentorship-requests",
        method = "get",
        operation_id = "listMyMentorshipRequests"
    )]
    async fn mine(
        &self,
        req: &Request,
        caller: Caller,
        /// `sent` (default) or `received`.
        side: Query<Option<RequestSideDto>>,
        /// Only this status.
        status: Query<Option<RequestStatusDto>>,
        /// Page size, 1–100 (default 20).
        limit: Query<Option<u32>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Listed<RequestPage>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let side = match side.0.unwrap_or(RequestSideDto::Sent) {
            RequestSideDto::Sent => RequestSide::AsLearner,
            RequestSideDto::Received => RequestSide::AsMentor,
        };
        let status = status.0.map(|s| match s {
            RequestStatusDto::Pending => RequestStatus::Pending,
            RequestStatusDto::Accepted => RequestStatus::Accepted,
            RequestStatusDto::Declined => RequestStatus::Declined,
            RequestStatusDto::Cancelled => RequestStatus::Cancelled,
            RequestStatusDto::Completed => RequestStatus::Completed,
        });
        let found = self.app.my_requests(&caller, side, status, page).await?;
        let next_cursor = found.next_after.map(encode_cursor);
        let link = next_link(req, next_cursor.as_deref());
        Ok(Listed::Ok(
            Json(RequestPage {
                items: found.items.iter().map(RequestDto::from).collect(),
                next_cursor,
            }),
            link,
        ))
    }
}
