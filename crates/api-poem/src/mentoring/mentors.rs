//! A mentor's availability, free slots and public feedback.

use lyceum_app::mentoring::AvailabilityInput;
use lyceum_app::{AppError, Lyceum};
use lyceum_domain::mentoring::availability::{AvailabilityException, ExceptionKind, WeeklyWindow};
use poem::Request;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::dto::*;
use crate::ApiTags;
use crate::pagination::{encode_cursor, next_link, page_request};
use crate::problem::{ApiError, ApiResult};
use crate::responses::Listed;
use crate::security::Caller;

/// Mentor-facing and mentor-profile operations.
pub struct MentorsApi {
    /// The application.
    pub app: Lyceum,
}

fn parse_availability(body: AvailabilityDto) -> Result<AvailabilityInput, ApiError> {
    let mut errors = lyceum_domain::FieldErrors::new();
    let mut windows = Vec::new();
    for (i, w) in body.windows.iter().enumerate() {
        match (
            parse_weekday(&w.weekday),
            parse_hhmm(&w.start),
            parse_hhmm(&w.end),
        ) {
            (Some(weekday), Some(start), Some(end)) => match WeeklyWindow::new(weekday, start, end)
            {
                Ok(window) => windows.push(window),
                Err(e) => errors.push(format!("windows[{i}]"), e.to_string()),
            },
            _ => errors.push(
                format!("windows[{i}]"),
                "weekday must be monday…sunday and times HH:MM",
            ),
        }
    }
    let mut exceptions = Vec::new();
    for (i, e) in body.exceptions.iter().enumerate() {
        let kind = match e.kind.as_str() {
            "blocked" => Some(ExceptionKind::Blocked),
            "extra" => match (
                e.start.as_deref().and_then(parse_hhmm),
                e.end.as_deref().and_then(parse_hhmm),
            ) {
                (Some(start), Some(end)) if end > start => {
                    Some(ExceptionKind::ExtraWindow { start, end })
                }
                _ => None,
            },
            _ => None,
        };
        match kind {
            Some(kind) => exceptions.push(AvailabilityException { date: e.date, kind }),
            None => errors.push(
                format!("exceptions[{i}]"),
                "kind must be 'blocked', or 'extra' with start < end as HH:MM",
            ),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors).into());
    }
    Ok(AvailabilityInput {
        timezone: body.timezone,
        windows,
        exceptions,
    })
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Mentoring")]
impl MentorsApi {
    /// Set my weekly availability (mentors)
    ///
    /// Weekly windows in my own IANA time zone plus date exceptions; replaces what was there.
    #[oai(
        path = "/me/availability",
        method = "put",
        operation_id = "putMyAvailability"
    )]
    async fn put_availability(
        &self,
        caller: Caller,
        body: Json<AvailabilityDto>,
    ) -> ApiResult<Json<AvailabilityDto>> {
        let input = parse_availability(body.0)?;
        Ok(Json(AvailabilityDto::from(
            &self.app.set_my_availability(&caller, input).await?,
        )))
    }

    /// A mentor's availability rules
    #[oai(
        path = "/mentors/:id/availability-rules",
        method = "get",
        operation_id = "getMentorAvailabilityRules"
    )]
    async fn rules(&self, id: Path<Uuid>) -> ApiResult<Json<AvailabilityDto>> {
        let availability = self
            .app
            .mentor_availability(id.0)
            .await?
            .ok_or(AppError::NotFound(lyceum_app::Resource::Availability))?;
        Ok(Json(AvailabilityDto::from(&availability)))
    }

    /// A mentor's free slots
    ///
    /// Concrete free slots in UTC between `from` and `to` (at most 62 days), each
    /// `duration` minutes long, from the mentor's weekly availability in their time zone
    /// (correct across daylight-saving changes), minus their sessions and accepted requests.
    #[oai(
        path = "/mentors/:id/availability",
        method = "get",
        operation_id = "getMentorFreeSlots"
    )]
    async fn slots(
        &self,
        id: Path<Uuid>,
        /// Range start (RFC 3339).
        from: Query<OffsetDateTime>,
        /// Range end (RFC 3339).
        to: Query<OffsetDateTime>,
        /// Slot length in minutes (15–480, default 60).
        duration: Query<Option<i64>>,
    ) -> ApiResult<Json<Vec<SlotDto>>> {
        let slots = self
            .app
            .free_slots(id.0, from.0, to.0, duration.0.unwrap_or(60))
            .await?;
        Ok(Json(slots.iter().map(SlotDto::from).collect()))
    }

    /// A mentor's public feedback
    #[oai(
        path = "/mentors/:id/feedback",
        method = "get",
        operation_id = "listMentorFeedback"
    )]
    async fn feedback(
        &self,
        req: &Request,
        id: Path<Uuid>,
        /// Page size, 1–100 (default 20).
        limit: Query<Option<u32>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Listed<FeedbackPage>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let found = self.app.mentor_feedback(id.0, page).await?;
        let next_cursor = found.next_after.map(encode_cursor);
        let link = next_link(req, next_cursor.as_deref());
        Ok(Listed::Ok(
            Json(FeedbackPage {
                items: found.items.iter().map(FeedbackDto::from).collect(),
                next_cursor,
            }),
            link,
        ))
    }
}
