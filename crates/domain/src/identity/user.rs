//! The user account: who someone is on Lyceum and whether they may act.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{Email, LoginRefusal, PersonName, PhoneNumber, Profile, Role, Roles, Username};
use crate::FieldErrors;
use crate::validation::{Violation, text};

/// An admin's ban: temporary when `expires_at` is set, permanent otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ban {
    /// Why, as the admin wrote it; shown to the banned user.
    pub reason: String,
    /// When the ban lifts by itself; `None` means permanent.
    pub expires_at: Option<OffsetDateTime>,
}

impl Ban {
    /// A ban an admin imposes at `now`: the reason is shown to the banned person, so it is
    /// required, at most 500 characters and may run over several lines (multi-line,
    /// trimmed); a temporary ban ends in the future. Every problem is reported at once.
    pub fn new(
        reason: &str,
        expires_at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let trimmed = reason.trim();
        if let Err(refusal) = text::multi_line(reason) {
            errors.reject("reason", refusal);
        } else if trimmed.is_empty() || trimmed.chars().count() > 500 {
            let violation = if trimmed.is_empty() {
                Violation::Required
            } else {
                Violation::TooLong
            };
            errors.push("reason", violation, "must be 1 to 500 characters");
        }
        if expires_at.is_some_and(|at| at <= now) {
            errors.push(
                "expires_at",
                Violation::OutOfRange,
                "must be in the future (omit it for a permanent ban)",
            );
        }
        errors.into_result()?;
        Ok(Self {
            reason: trimmed.to_owned(),
            expires_at,
        })
    }

    /// Whether the ban still applies at `now`.
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        self.expires_at.is_none_or(|expires| expires > now)
    }
}

/// A Lyceum account with its profile. Never carries the password hash: that is only
/// read by the sign-in use case through its own port method.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// UUIDv7 id.
    pub id: Uuid,
    /// Login and contact address, unique ignoring case.
    pub email: Email,
    /// Public handle, unique ignoring case.
    pub username: Username,
    /// Optional phone, unique.
    pub phone_number: Option<PhoneNumber>,
    /// Given name.
    pub first_name: PersonName,
    /// Family name.
    pub last_name: PersonName,
    /// What the user may do on the platform.
    pub roles: Roles,
    /// False once deactivated; inactive users cannot sign in.
    pub is_active: bool,
    /// Whether the email address was proven by a verification link.
    pub email_verified: bool,
    /// Last successful sign-in.
    pub last_login_at: Option<OffsetDateTime>,
    /// Current ban, if any (it may have expired).
    pub ban: Option<Ban>,
    /// Consecutive failed sign-ins since the last success or lock.
    pub failed_login_count: u32,
    /// Sign-in refused until then.
    pub locked_until: Option<OffsetDateTime>,
    /// Soft-deleted by an admin.
    pub deleted_at: Option<OffsetDateTime>,
    /// The profile (1:1).
    pub profile: Profile,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

impl User {
    /// Whether the user holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.has(role)
    }

    /// Whether this account mentors: it holds the mentor role and is neither deactivated
    /// nor deleted. Mentoring — running sessions, publishing availability, receiving
    /// requests and being booked — needs it; learning needs nothing but an account
    /// (docs/domain-model.md, "Who may learn and who may mentor").
    pub fn can_mentor(&self) -> bool {
        self.has_role(Role::Mentor) && self.is_active && self.deleted_at.is_none()
    }

    /// The ban that applies at `now`, ignoring expired ones.
    pub fn active_ban(&self, now: OffsetDateTime) -> Option<&Ban> {
        self.ban.as_ref().filter(|ban| ban.is_active(now))
    }

    /// Why this account may not act at `now`, checked before anything else on sign-in
    /// and on every authenticated request. The order matters: a deleted account says
    /// nothing about bans, and a ban outranks a temporary lock.
    pub fn refusal(&self, now: OffsetDateTime) -> Option<LoginRefusal> {
        if self.deleted_at.is_some() || !self.is_active {
            return Some(LoginRefusal::Inactive);
        }
        if let Some(ban) = self.active_ban(now) {
            return Some(LoginRefusal::Banned {
                until: ban.expires_at,
                reason: ban.reason.clone(),
            });
        }
        match self.locked_until {
            Some(until) if until > now => Some(LoginRefusal::Locked { until }),
            _ => None,
        }
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use time::macros::datetime;

    pub fn learner() -> User {
        let at = datetime!(2026-01-01 00:00 UTC);
        User {
            id: Uuid::nil(),
            email: Email::parse("asha@example.com").unwrap(),
            username: Username::parse("ashakumar").unwrap(),
            phone_number: None,
            first_name: PersonName::parse("Asha").unwrap(),
            last_name: PersonName::parse("Kumar").unwrap(),
            roles: Roles::single(Role::Learner),
            is_active: true,
            email_verified: false,
            last_login_at: None,
            ban: None,
            failed_login_count: 0,
            locked_until: None,
            deleted_at: None,
            profile: Profile::default(),
            created_at: at,
            updated_at: at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::learner;
    use super::*;
    use time::macros::datetime;

    #[test]
    fn temporary_ban_refuses_until_it_expires() {
        let now = datetime!(2026-02-01 12:00 UTC);
        let mut user = learner();
        user.ban = Some(Ban {
            reason: "spam".into(),
            expires_at: Some(datetime!(2026-02-02 00:00 UTC)),
        });
        assert!(matches!(
            user.refusal(now),
            Some(LoginRefusal::Banned { .. })
        ));
        assert_eq!(user.refusal(datetime!(2026-02-02 00:01 UTC)), None);
    }

    #[test]
    fn a_ban_states_its_reason_and_ends_in_the_future() {
        let now = datetime!(2026-02-01 12:00 UTC);
        let ban = Ban::new(" Spam.\nRepeated links. ", None, now).unwrap();
        assert_eq!(ban.reason, "Spam.\nRepeated links.");
        let refused = Ban::new("Spam\u{7}", Some(now), now).unwrap_err();
        assert_eq!(
            refused.field_codes(),
            [
                ("reason", "invalid_characters"),
                ("expires_at", "out_of_range")
            ]
        );
        assert_eq!(
            Ban::new(" \n ", None, now).unwrap_err().field_codes(),
            [("reason", "required")]
        );
        assert_eq!(
            Ban::new(&"x".repeat(501), None, now)
                .unwrap_err()
                .field_codes(),
            [("reason", "too_long")]
        );
    }

    #[test]
    fn permanent_ban_never_expires() {
        let mut user = learner();
        user.ban = Some(Ban {
            reason: "fraud".into(),
            expires_at: None,
        });
        assert!(user.refusal(datetime!(2099-01-01 00:00 UTC)).is_some());
    }

    #[test]
    fn lock_applies_until_its_time() {
        let mut user = learner();
        user.locked_until = Some(datetime!(2026-02-01 12:15 UTC));
        assert!(matches!(
            user.refusal(datetime!(2026-02-01 12:00 UTC)),
            Some(LoginRefusal::Locked { .. })
        ));
        assert_eq!(user.refusal(datetime!(2026-02-01 12:16 UTC)), None);
    }

    #[test]
    fn only_live_accounts_with_the_mentor_role_mentor() {
        let mut user = learner();
        assert!(!user.can_mentor(), "learning needs no role, mentoring does");
        user.roles.grant(Role::Mentor);
        assert!(user.can_mentor());
        user.is_active = false;
        assert!(!user.can_mentor(), "a deactivated mentor mentors no more");
        user.is_active = true;
        user.deleted_at = Some(datetime!(2026-01-02 00:00 UTC));
        assert!(!user.can_mentor(), "nor does a deleted one");
    }

    #[test]
    fn deleted_user_is_inactive() {
        let mut user = learner();
        user.deleted_at = Some(datetime!(2026-01-02 00:00 UTC));
        assert_eq!(
            user.refusal(datetime!(2026-01-03 00:00 UTC)),
            Some(LoginRefusal::Inactive)
        );
    }
}
