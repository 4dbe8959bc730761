//! A mentor's availability, free slots and public feedback.

use lyceum_app::Lyceum;
use poem::Request;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::dto::*;
use crate::ApiTags;
use crate::pagination::{listed, page_request};
use crate::problem::ApiResult;
use crate::responses::Listed;
use crate::security::Caller;

/// Mentor-facing and mentor-profile operations.
pub struct MentorsApi {
    /// The application.
    pub app: Lyceum,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Mentoring")]
impl MentorsApi {
    /// Set my weekly availability (mentors)
    ///
    /// Weekly windows in my own IANA time zone plus date exceptions; replaces what was there.
    /// Needs the mentor role (403 `mentor.role_required`).
    #[oai(
        path = "/me/availability",
        method = "put",
        operation_id = "putMyAvailability"
    )]
    async fn put_availability(
        &self,
        caller: Caller,
        body: Json<AvailabilityIn>,
    ) -> ApiResult<Json<AvailabilityOut>> {
        let input = body.0.try_into()?;
        let availability = self.app.set_my_availability(&caller, input).await?;
        Ok(Json(AvailabilityOut::from(&availability)))
    }

    /// A mentor's availability rules
    #[oai(
        path = "/mentors/:id/availability-rules",
        method = "get",
        operation_id = "getMentorAvailabilityRules"
    )]
    async fn rules(
        &self,
        /// The mentor's user id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<AvailabilityOut>> {
        let availability = self.app.mentor_availability(id.0).await?;
        Ok(Json(AvailabilityOut::from(&availability)))
    }

    /// A mentor's free slots
    ///
    /// Concrete free slots in UTC between `from` and `to` (at most 62 days), each
    /// `duration` minutes long, from the mentor's weekly availability in their time zone
    /// (correct across daylight-saving changes), minus every scheduled or active session
    /// they run (accepted requests included): only time the mentor could still give.
    #[oai(
        path = "/mentors/:id/availability",
        method = "get",
        operation_id = "getMentorFreeSlots"
    )]
    async fn slots(
        &self,
        /// The mentor's user id.
        id: Path<Uuid>,
        /// Range start (RFC 3339).
        from: Query<OffsetDateTime>,
        /// Range end (RFC 3339).
        to: Query<OffsetDateTime>,
        /// Slot length in minutes (15–480, default 60).
        #[oai(validator(minimum(value = "15"), maximum(value = "480")))]
        duration: Query<Option<i64>>,
    ) -> ApiResult<Json<Vec<SlotOut>>> {
        let slots = self
            .app
            .free_slots(id.0, from.0, to.0, duration.0.unwrap_or(60))
            .await?;
        Ok(Json(slots.iter().map(SlotOut::from).collect()))
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
        /// The mentor's user id.
        id: Path<Uuid>,
        /// Page size, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Listed<FeedbackPage>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let found = self.app.mentor_feedback(id.0, page).await?;
        Ok(listed::<FeedbackPage, _>(req, found))
    }
}

#[cfg(test)]
mod tests {
    use lyceum_domain::mentoring::availability::{MAX_SLOT_MINUTES, MIN_SLOT_MINUTES};
    use poem_openapi::OpenApi;

    use super::*;

    #[test]
    fn slot_duration_bounds_are_the_domain_bounds() {
        let duration = MentorsApi::meta()
            .into_iter()
            .flat_map(|api| api.paths)
            .flat_map(|path| path.operations)
            .flat_map(|op| op.params)
            .find(|p| p.name == "duration")
            .expect("the free-slots operation takes a duration");
        let schema = serde_json::to_value(&duration.schema).unwrap();
        assert_eq!(schema["minimum"], MIN_SLOT_MINUTES as f64);
        assert_eq!(schema["maximum"], MAX_SLOT_MINUTES as f64);
    }
}
