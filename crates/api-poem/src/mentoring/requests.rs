//! Mentorship requests: ask, accept, decline, withdraw or cancel, list.

use lyceum_app::Lyceum;
use lyceum_app::mentoring::RequestAction;
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

/// Mentorship request operations.
pub struct RequestsApi {
    /// The application.
    pub app: Lyceum,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Mentoring")]
impl RequestsApi {
    /// Ask a mentor for a 1:1
    ///
    /// Subject, message, a proposed future start and 30–180 minutes. Any account may ask;
    /// nobody can request themself (422 on `mentor_id`), and only someone who mentors can
    /// be asked (404 `mentor.not_found` otherwise).
    #[oai(
        path = "/mentorship-requests",
        method = "post",
        operation_id = "createMentorshipRequest"
    )]
    async fn create(
        &self,
        caller: Caller,
        body: Json<MentorshipRequestIn>,
    ) -> ApiResult<Created<MentorshipRequestOut>> {
        let request = self.app.request_mentorship(&caller, body.0.into()).await?;
        Ok(Created::Created(
            Json(MentorshipRequestOut::from(&request)),
            format!("/api/v1/mentorship-requests/{}", request.id),
        ))
    }

    /// One request (its learner or mentor)
    #[oai(
        path = "/mentorship-requests/:id",
        method = "get",
        operation_id = "getMentorshipRequest"
    )]
    async fn get(
        &self,
        caller: Caller,
        /// The mentorship request's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<MentorshipRequestOut>> {
        Ok(Json(MentorshipRequestOut::from(
            &self.app.mentorship_request(&caller, id.0).await?,
        )))
    }

    /// Accept a request (the mentor)
    ///
    /// Creates the 1:1 session and the learner's confirmed booking in one transaction.
    /// Only from `pending`; any other transition is 409 `request.invalid_transition`. Needs
    /// the mentor role still (403 `mentor.role_required`), and the 1:1 must not overlap
    /// another of the mentor's sessions (409 `session.overlaps`, naming it in
    /// `conflicting_session_id`); the request then stays pending.
    #[oai(
        path = "/mentorship-requests/:id/accept",
        method = "post",
        operation_id = "acceptMentorshipRequest"
    )]
    async fn accept(
        &self,
        caller: Caller,
        /// The mentorship request's id.
        id: Path<Uuid>,
        body: Json<Option<MentorshipRequestAcceptIn>>,
    ) -> ApiResult<Json<MentorshipRequestOut>> {
        let action = body.0.unwrap_or_default().into();
        Ok(Json(MentorshipRequestOut::from(
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
        /// The mentorship request's id.
        id: Path<Uuid>,
        body: Json<MentorshipRequestDeclineIn>,
    ) -> ApiResult<Json<MentorshipRequestOut>> {
        let action = body.0.into();
        Ok(Json(MentorshipRequestOut::from(
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
    async fn cancel(
        &self,
        caller: Caller,
        /// The mentorship request's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<MentorshipRequestOut>> {
        Ok(Json(MentorshipRequestOut::from(
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
        side: Query<Option<RequestSide>>,
        /// Only this status.
        status: Query<Option<RequestStatus>>,
        /// Page size, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Listed<MentorshipRequestPage>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let side = side.0.unwrap_or(RequestSide::Sent).into();
        let status = status.0.map(Into::into);
        let found = self.app.my_requests(&caller, side, status, page).await?;
        Ok(listed::<MentorshipRequestPage, _>(req, found))
    }
}
