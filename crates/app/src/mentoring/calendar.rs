//! Calendar feeds: my upcoming sessions for calendar apps. Those apps fetch a URL on
//! their own schedule and cannot send a bearer token, so besides the signed-in
//! `my_upcoming_sessions` a user may publish a secret feed URL, revoke it, or replace it
//! when it leaked.

use lyceum_domain::identity::LoginRefusal;
use lyceum_domain::mentoring::MentoringSession;
use time::OffsetDateTime;

use crate::identity::Actor;
use crate::{AppError, Lyceum, Resource};

/// How many upcoming sessions a calendar shows: far more than anyone attends, few enough
/// to bound one feed request.
pub(crate) const CALENDAR_SESSIONS: u64 = 500;

/// A newly minted calendar feed. The token is shown once: only its digest is stored, so a
/// lost feed URL cannot be shown again, only replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCalendarFeed {
    /// The secret that goes in the feed's URL.
    pub token: String,
    /// When it was issued.
    pub created_at: OffsetDateTime,
}

impl Lyceum {
    /// Creates my calendar feed, or replaces it: the previous URL stops working at once,
    /// so replacing is how a leaked URL is made useless.
    pub async fn rotate_calendar_feed(
        &self,
        actor: &Actor,
    ) -> Result<IssuedCalendarFeed, AppError> {
        let secret = self.ports.secrets.mint();
        let now = self.ports.clock.now();
        self.ports
            .calendar_feeds
            .replace(actor.id(), secret.digest, now)
            .await
            .map_err(AppError::from_repo(Resource::User))?;
        Ok(IssuedCalendarFeed {
            token: secret.plain,
            created_at: now,
        })
    }

    /// Revokes my calendar feed, if I have one: its URL stops working.
    pub async fn revoke_calendar_feed(&self, actor: &Actor) -> Result<(), AppError> {
        Ok(self.ports.calendar_feeds.revoke(actor.id()).await?)
    }

    /// The upcoming sessions of the calendar feed `token` opens. The token is the only
    /// credential, so anything that does not open a live feed is the same "not found":
    /// an unknown, replaced or revoked token, or an account that may no longer sign in
    /// (deactivated, deleted, banned).
    pub async fn calendar_feed(&self, token: &str) -> Result<Vec<MentoringSession>, AppError> {
        let missing = || AppError::NotFound(Resource::CalendarFeed);
        let digest = self.ports.secrets.digest(token);
        let owner = self
            .ports
            .calendar_feeds
            .owner(&digest)
            .await?
            .ok_or_else(missing)?;
        let user = self.ports.users.by_id(owner).await?.ok_or_else(missing)?;
        let now = self.ports.clock.now();
        match user.refusal(now) {
            None | Some(LoginRefusal::Locked { .. }) => {}
            Some(LoginRefusal::Banned { .. } | LoginRefusal::Inactive) => return Err(missing()),
        }
        Ok(self
            .ports
            .sessions
            .upcoming_for_user(owner, now, CALENDAR_SESSIONS)
            .await?)
    }
}
