//! Mentors' weekly availability and the free slots it yields.

use lyceum_domain::mentoring::availability::{
    Availability, AvailabilityError, AvailabilityException, Interval, WeeklyWindow,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::Resource;
use crate::identity::Actor;
use crate::mentoring::MentoringError;
use crate::{AppError, Lyceum};

/// Availability as a mentor defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailabilityInput {
    /// IANA zone the windows are in.
    pub timezone: String,
    /// Weekly windows.
    pub windows: Vec<WeeklyWindow>,
    /// Blocked days and extra windows.
    pub exceptions: Vec<AvailabilityException>,
}

impl Lyceum {
    /// Replaces my weekly availability (mentors only).
    pub async fn set_my_availability(
        &self,
        actor: &Actor,
        input: AvailabilityInput,
    ) -> Result<Availability, AppError> {
        if !actor.user.can_mentor() {
            return Err(MentoringError::MentorRoleRequired.into());
        }
        let availability = Availability::new(&input.timezone, input.windows, input.exceptions)
            .map_err(|e| {
                let field = match e {
                    AvailabilityError::UnknownTimezone
                    | AvailabilityError::TimezoneCharacters(_) => "timezone",
                    _ => "availability",
                };
                AppError::rejected(field, e)
            })?;
        self.ports
            .availability
            .put(actor.id(), availability.clone(), self.ports.clock.now())
            .await?;
        Ok(availability)
    }

    /// A mentor's availability rules (public); not found until the mentor publishes some.
    pub async fn mentor_availability(&self, mentor_id: Uuid) -> Result<Availability, AppError> {
        self.ports
            .availability
            .of_mentor(mentor_id)
            .await?
            .ok_or(AppError::NotFound(Resource::Availability))
    }

    /// Free slots of a mentor in `[from, to)`, each `duration_minutes` long, in UTC:
    /// the weekly windows in the mentor's zone (DST-correct), minus every scheduled or
    /// active session they run (accepted requests are such sessions), so a learner is only
    /// offered time the mentor could still give. Cancelled and completed sessions free
    /// their time again; pending requests do not take it.
    pub async fn free_slots(
        &self,
        mentor_id: Uuid,
        from: OffsetDateTime,
        to: OffsetDateTime,
        duration_minutes: i64,
    ) -> Result<Vec<Interval>, AppError> {
        let mentor = self.ports.users.by_id(mentor_id).await?;
        if !mentor.is_some_and(|m| m.can_mentor()) {
            return Err(AppError::NotFound(Resource::Mentor));
        }
        let Some(availability) = self.ports.availability.of_mentor(mentor_id).await? else {
            return Ok(Vec::new());
        };
        let busy: Vec<Interval> = self
            .ports
            .sessions
            .busy_for_mentor(mentor_id, from, to)
            .await?
            .iter()
            .filter_map(|s| Interval::new(s.starts_at, s.ends_at()).ok())
            .collect();
        let now = self.ports.clock.now();
        let slots = availability
            .free_slots(from, to, Duration::minutes(duration_minutes), &busy)
            .map_err(|e| AppError::rejected("range", e))?;
        Ok(slots.into_iter().filter(|slot| slot.start > now).collect())
    }
}
