//! Sessions: create, discover, view, edit, cancel, book, list bookings, rate the learner.

use lyceum_app::Lyceum;
use lyceum_app::idempotency::Keyed;
use lyceum_app::mentoring::BookingResult;
use lyceum_ports::mentoring::{SessionCursor, SessionFilter};
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use time::OffsetDateTime;
use uuid::Uuid;

use super::dto::*;
use crate::ApiTags;
use crate::idempotency::{Replayable, render_with, reply};
use crate::pagination::{
    decode_keyed_cursor, encode_keyed_cursor, listed, next_link, page_request,
};
use crate::problem::ApiResult;
use crate::responses::{Created, Listed};
use crate::security::Caller;
use crate::shared::{PageShape, idempotency_key};

/// Session operations.
pub struct SessionsApi {
    /// The application.
    pub app: Lyceum,
}

/// A seat was taken, or an earlier identical request is replayed.
#[derive(ApiResponse)]
pub enum BookingCreated {
    /// Booked (or the first response again, with `Idempotent-Replayed: true`).
    #[oai(status = 201)]
    Created(
        Json<BookingOut>,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

impl BookingCreated {
    /// The 201 for `result`; `replayed` marks a booking given again from the store.
    fn of(result: &BookingResult, replayed: bool) -> Self {
        Self::Created(
            Json(BookingOut::from(&result.booking)),
            format!("/api/v1/bookings/{}", result.booking.id),
            replayed.then(|| "true".to_owned()),
        )
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Mentoring")]
impl SessionsApi {
    /// Create a session (mentors)
    ///
    /// A unique video-room URL is generated when `meeting_url` is absent. Needs the mentor
    /// role (403 `mentor.role_required`). A mentor is never in two places at once: a
    /// session overlapping another scheduled or active one of theirs is 409
    /// `session.overlaps`, whose `conflicting_session_id` names it (back to back is fine).
    #[oai(
        path = "/mentoring-sessions",
        method = "post",
        operation_id = "createSession"
    )]
    async fn create(
        &self,
        caller: Caller,
        body: Json<SessionIn>,
    ) -> ApiResult<Created<SessionOut>> {
        let session = self.app.create_session(&caller, body.0.into()).await?;
        Ok(Created::Created(
            Json(SessionOut::from(&session)),
            format!("/api/v1/mentoring-sessions/{}", session.id),
        ))
    }

    /// Discover sessions
    ///
    /// Scheduled sessions that have not started, filtered and sorted, cursor-paginated.
    /// Each item shows the seats left and the mentor's rating.
    #[oai(
        path = "/mentoring-sessions",
        method = "get",
        operation_id = "discoverSessions"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn discover(
        &self,
        req: &Request,
        /// Only this mentor's sessions.
        mentor: Query<Option<Uuid>>,
        /// Only this specialization.
        specialization: Query<Option<Uuid>>,
        /// Minimum price in minor units.
        min_price: Query<Option<i64>>,
        /// Maximum price in minor units.
        max_price: Query<Option<i64>>,
        /// Starting at or after (RFC 3339).
        from: Query<Option<OffsetDateTime>>,
        /// Starting before (RFC 3339).
        to: Query<Option<OffsetDateTime>>,
        /// Only sessions with a free seat.
        only_with_free_seats: Query<Option<bool>>,
        /// `soonest` (default), `price`, `rating` or `popularity`.
        sort: Query<Option<SessionSort>>,
        /// Page size, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Listed<SessionPage>> {
        let page = page_request(limit.0, None)?;
        let after = cursor
            .0
            .as_deref()
            .map(decode_keyed_cursor)
            .transpose()?
            .map(|(key, id)| SessionCursor { key, id });
        let sort = sort.0.unwrap_or(SessionSort::Soonest).into();
        let filter = SessionFilter {
            mentor_id: mentor.0,
            specialization_id: specialization.0,
            min_price_minor: min_price.0,
            max_price_minor: max_price.0,
            starts_from: from.0,
            starts_to: to.0,
            only_with_free_seats: only_with_free_seats.0.unwrap_or(false),
        };
        let (items, next) = self
            .app
            .discover_sessions(filter, sort, page.limit, after)
            .await?;
        let next_cursor = next.map(|c| encode_keyed_cursor(c.key, c.id));
        let link = next_link(req, next_cursor.as_deref());
        let items = items.iter().map(SessionOut::from).collect();
        Ok(Listed::Ok(Json(SessionPage::new(items, next_cursor)), link))
    }

    /// One session
    ///
    /// Counts a view towards the session's popularity.
    #[oai(
        path = "/mentoring-sessions/:id",
        method = "get",
        operation_id = "getSession"
    )]
    async fn get(
        &self,
        /// The session's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<SessionOut>> {
        Ok(Json(SessionOut::from(&self.app.view_session(id.0).await?)))
    }

    /// Edit a session (its mentor)
    ///
    /// Only scheduled sessions, while the mentor holds the mentor role (403
    /// `mentor.role_required`); the capacity never drops below the seats taken (409
    /// `session.capacity_below_seats_taken`); a new start or duration must not overlap
    /// another of the mentor's sessions (409 `session.overlaps`). Booked learners are
    /// told when it moves.
    #[oai(
        path = "/mentoring-sessions/:id",
        method = "patch",
        operation_id = "updateSession"
    )]
    async fn update(
        &self,
        caller: Caller,
        /// The session's id.
        id: Path<Uuid>,
        body: Json<SessionPatch>,
    ) -> ApiResult<Json<SessionOut>> {
        let session = self
            .app
            .update_session(&caller, id.0, body.0.into())
            .await?;
        Ok(Json(SessionOut::from(&session)))
    }

    /// Cancel a session (its mentor or an admin)
    ///
    /// Cancels every booking (paid seats are refunded) and notifies each booked learner.
    #[oai(
        path = "/mentoring-sessions/:id/cancel",
        method = "post",
        operation_id = "cancelSession"
    )]
    async fn cancel(
        &self,
        caller: Caller,
        /// The session's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<SessionOut>> {
        Ok(Json(SessionOut::from(
            &self.app.cancel_session(&caller, id.0).await?,
        )))
    }

    /// Book a seat
    ///
    /// Free sessions confirm at once; paid sessions create a `pending` booking that holds
    /// the seat for 15 minutes awaiting `POST /bookings/{id}/pay`. Never more seats than
    /// capacity (409 `booking.session_full`), one live booking per learner (409
    /// `booking.duplicate`). Any account may book, but not its own session (409
    /// `booking.own_session`) nor one whose mentor no longer mentors (409
    /// `booking.mentor_inactive`).
    ///
    /// Honours `Idempotency-Key`: the same key gets the first final answer again, with
    /// `Idempotent-Replayed: true` — the 201 as first sent (even if the booking was
    /// cancelled since), or the refusal (409 `booking.session_full`, 404…) even once a seat
    /// has freed — and takes no seat. A 400 or 422 about the request itself and a 5xx are
    /// not kept: a retry runs again. While the first is in flight, 409
    /// `idempotency.in_flight`. Keys are kept 24 hours.
    #[oai(
        path = "/mentoring-sessions/:id/bookings",
        method = "post",
        operation_id = "bookSession"
    )]
    async fn book(
        &self,
        caller: Caller,
        /// The session's id.
        id: Path<Uuid>,
        /// A unique key per intended booking (1–255 visible ASCII characters): for 24
        /// hours, the same key gets the first final answer again, success or refusal.
        #[oai(name = "Idempotency-Key")]
        idempotency_key_header: Header<Option<String>>,
    ) -> ApiResult<Replayable<BookingCreated>> {
        let idempotency = idempotency_key(idempotency_key_header.0, || format!("book:{}", id.0))?;
        let render = render_with(|result| BookingCreated::of(result, false));
        let keyed = idempotency.map(|request| Keyed {
            request,
            render: &render,
        });
        let replied = self.app.book_session(&caller, id.0, keyed).await?;
        reply(replied, |result| {
            BookingCreated::of(&result, result.replayed)
        })
    }

    /// A session's bookings (its mentor)
    #[oai(
        path = "/mentoring-sessions/:id/bookings",
        method = "get",
        operation_id = "listSessionBookings"
    )]
    async fn bookings(
        &self,
        req: &Request,
        caller: Caller,
        /// The session's id.
        id: Path<Uuid>,
        /// Page size, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Listed<BookingPage>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let found = self.app.session_bookings(&caller, id.0, page).await?;
        Ok(listed::<BookingPage, _>(req, found))
    }

    /// Rate the learner of a completed 1:1 (its mentor)
    #[oai(
        path = "/mentoring-sessions/:id/learner-rating",
        method = "post",
        operation_id = "rateLearner"
    )]
    async fn rate_learner(
        &self,
        caller: Caller,
        /// The session's id.
        id: Path<Uuid>,
        body: Json<LearnerRatingIn>,
    ) -> ApiResult<Json<LearnerRatingOut>> {
        let rating = self
            .app
            .rate_learner(&caller, id.0, body.0.rating, body.0.comment)
            .await?;
        Ok(Json(LearnerRatingOut::from(&rating)))
    }
}
