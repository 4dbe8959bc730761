//! Bookings: view, pay, cancel, move, leave feedback; my bookings.

use lyceum_app::Lyceum;
use lyceum_ports::mentoring::BookingFilter;
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

/// Booking operations.
pub struct BookingsApi {
    /// The application.
    pub app: Lyceum,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Mentoring")]
impl BookingsApi {
    /// One booking (its learner or the session's mentor)
    #[oai(path = "/bookings/:id", method = "get", operation_id = "getBooking")]
    async fn get(
        &self,
        caller: Caller,
        /// The booking's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<BookingOut>> {
        Ok(Json(BookingOut::from(
            &self.app.booking(&caller, id.0).await?.0,
        )))
    }

    /// Pay a pending booking
    ///
    /// Charges through the configured payment gateway (the `sandbox` gateway confirms)
    /// and confirms the seat. A hold that expired is 409 `booking.hold_expired`.
    #[oai(
        path = "/bookings/:id/pay",
        method = "post",
        operation_id = "payBooking"
    )]
    async fn pay(
        &self,
        caller: Caller,
        /// The booking's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<BookingOut>> {
        Ok(Json(BookingOut::from(
            &self.app.pay_booking(&caller, id.0).await?,
        )))
    }

    /// Cancel a booking
    ///
    /// The learner until the cut-off before the start (409 `booking.cancellation_closed`
    /// after), the session's mentor any time. The seat becomes bookable again.
    #[oai(
        path = "/bookings/:id/cancel",
        method = "post",
        operation_id = "cancelBooking"
    )]
    async fn cancel(
        &self,
        caller: Caller,
        /// The booking's id.
        id: Path<Uuid>,
        body: Json<Option<BookingCancelIn>>,
    ) -> ApiResult<Json<BookingOut>> {
        let reason = body.0.and_then(|b| b.reason);
        Ok(Json(BookingOut::from(
            &self.app.cancel_booking(&caller, id.0, reason).await?,
        )))
    }

    /// Move my booking to another session
    ///
    /// Same mentor, same price, a free seat, and a mentor who still mentors (409
    /// `booking.mentor_inactive`): the seat is taken in the target and released here
    /// atomically, or nothing changes.
    #[oai(
        path = "/bookings/:id/reschedule",
        method = "post",
        operation_id = "rescheduleBooking"
    )]
    async fn reschedule(
        &self,
        caller: Caller,
        /// The booking's id.
        id: Path<Uuid>,
        body: Json<RescheduleIn>,
    ) -> ApiResult<Json<BookingOut>> {
        Ok(Json(BookingOut::from(
            &self
                .app
                .reschedule_booking(&caller, id.0, body.0.target_session_id)
                .await?,
        )))
    }

    /// Leave feedback on my completed session
    ///
    /// Once per booking (409 `feedback.duplicate`), after completion only (409
    /// `feedback.session_not_completed`), every score 1–5 (422).
    #[oai(
        path = "/bookings/:id/feedback",
        method = "post",
        operation_id = "leaveFeedback"
    )]
    async fn feedback(
        &self,
        caller: Caller,
        /// The booking's id.
        id: Path<Uuid>,
        body: Json<FeedbackIn>,
    ) -> ApiResult<Created<FeedbackOut>> {
        let feedback = self
            .app
            .leave_feedback(&caller, id.0, body.0.into())
            .await?;
        Ok(Created::Created(
            Json(FeedbackOut::from(&feedback)),
            format!("/api/v1/mentors/{}/feedback", feedback.mentor_id),
        ))
    }

    /// My bookings
    #[oai(path = "/me/bookings", method = "get", operation_id = "listMyBookings")]
    async fn mine(
        &self,
        req: &Request,
        caller: Caller,
        /// Only this status.
        status: Query<Option<BookingStatus>>,
        /// Page size, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Listed<BookingPage>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let status = status.0.map(Into::into);
        let found = self
            .app
            .my_bookings(&caller, BookingFilter { status }, page)
            .await?;
        Ok(listed::<BookingPage, _>(req, found))
    }
}
