//! Mentoring sessions: a scheduled live meeting run by a mentor, with a capacity (1 is a
//! one-to-one, more is a group).

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::Money;
use crate::validation::text::{self, ControlCharacters};
use crate::validation::{FieldRule, Violation};

/// Why a session value or change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Title blank.
    #[error("title must be 1 to 200 characters")]
    EmptyTitle,
    /// Title over 200 characters.
    #[error("title must be 1 to 200 characters")]
    LongTitle,
    /// Description too long.
    #[error("description must be at most 5000 characters")]
    Description,
    /// A title that is not a single line of text (see [`crate::validation::text`]).
    #[error(transparent)]
    TitleCharacters(ControlCharacters),
    /// A description with control characters other than tabs and line breaks.
    #[error(transparent)]
    DescriptionCharacters(ControlCharacters),
    /// A meeting URL that is not a single line of text.
    #[error(transparent)]
    MeetingUrlCharacters(ControlCharacters),
    /// Duration outside 15–480 minutes.
    #[error("duration must be between 15 and 480 minutes")]
    Duration,
    /// Capacity below one or absurdly high.
    #[error("capacity must be between 1 and 1000")]
    Capacity,
    /// Start not in the future.
    #[error("start must be in the future")]
    StartInPast,
    /// Start beyond the scheduling horizon.
    #[error("start must be within 10 years from now")]
    StartTooFar,
    /// A meeting URL that is not http(s).
    #[error("meeting URL must be an absolute http or https URL")]
    MeetingUrl,
    /// Lowering capacity below the seats already taken.
    #[error("capacity {requested} is below the {taken} seats already taken")]
    CapacityBelowSeatsTaken {
        /// Capacity asked for.
        requested: u32,
        /// Seats taken now.
        taken: u32,
    },
    /// A transition the state machine does not allow.
    #[error("a {from} session cannot become {to}")]
    InvalidTransition {
        /// Current status.
        from: SessionStatus,
        /// Wanted status.
        to: SessionStatus,
    },
    /// Only scheduled sessions can be edited.
    #[error("only scheduled sessions can be edited")]
    NotEditable,
    /// The mentor already runs another session at that time: a mentor cannot be in two
    /// places at once.
    #[error("the mentor already has session {session_id} at that time")]
    Overlaps {
        /// The session already taking that time (the earliest, when several do).
        session_id: Uuid,
    },
}

impl FieldRule for SessionError {
    /// State rules (`InvalidTransition`, `NotEditable`, `CapacityBelowSeatsTaken`,
    /// `Overlaps`) are
    /// [`Violation::NotAllowed`]: the value would be fine for another session state.
    fn violation(&self) -> Violation {
        match self {
            SessionError::EmptyTitle => Violation::Required,
            SessionError::LongTitle | SessionError::Description => Violation::TooLong,
            SessionError::Duration
            | SessionError::Capacity
            | SessionError::StartInPast
            | SessionError::StartTooFar => Violation::OutOfRange,
            SessionError::MeetingUrl => Violation::InvalidFormat,
            SessionError::TitleCharacters(refusal)
            | SessionError::DescriptionCharacters(refusal)
            | SessionError::MeetingUrlCharacters(refusal) => refusal.violation(),
            SessionError::CapacityBelowSeatsTaken { .. }
            | SessionError::InvalidTransition { .. }
            | SessionError::NotEditable
            | SessionError::Overlaps { .. } => Violation::NotAllowed,
        }
    }
}

/// A session's duration: 15 to 480 minutes (PeerLearn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionDuration(u16);

impl SessionDuration {
    /// The longest a session lasts, in minutes. Stores use it to bound how far back a
    /// session that still overlaps a given time can have started.
    pub const MAX_MINUTES: u16 = 480;

    /// Refuses durations outside 15–480 minutes.
    pub fn minutes(minutes: i64) -> Result<Self, SessionError> {
        u16::try_from(minutes)
            .ok()
            .filter(|m| (15..=Self::MAX_MINUTES).contains(m))
            .map(Self)
            .ok_or(SessionError::Duration)
    }

    /// Length in minutes.
    pub fn as_minutes(&self) -> u16 {
        self.0
    }

    /// Length as a duration.
    pub fn as_duration(&self) -> Duration {
        Duration::minutes(i64::from(self.0))
    }
}

/// How many learners a session seats: 1 to 1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Capacity(u32);

impl Capacity {
    /// Refuses 0 and anything above 1000.
    pub fn new(seats: i64) -> Result<Self, SessionError> {
        u32::try_from(seats)
            .ok()
            .filter(|s| (1..=1000).contains(s))
            .map(Self)
            .ok_or(SessionError::Capacity)
    }

    /// Seats.
    pub fn seats(&self) -> u32 {
        self.0
    }
}

/// Where a session's status stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionStatus {
    /// Announced; bookable while in the future.
    Scheduled,
    /// Running now.
    Active,
    /// Over; feedback may be left.
    Completed,
    /// Called off; its bookings are cancelled.
    Cancelled,
}

impl SessionStatus {
    /// Stable name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Active => "active",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "scheduled" => Some(Self::Scheduled),
            "active" => Some(Self::Active),
            "completed" => Some(Self::Completed),
            "cancelled" => Some(Self::Cancelled),
            _ => None,
        }
    }

    /// The allowed transitions: `scheduled → active → completed`,
    /// `scheduled|active → cancelled`.
    pub fn can_become(&self, to: SessionStatus) -> bool {
        use SessionStatus::*;
        matches!(
            (self, to),
            (Scheduled, Active)
                | (Active, Completed)
                | (Scheduled, Completed)
                | (Scheduled | Active, Cancelled)
        )
    }

    /// Whether a session in this status takes its mentor's time. Scheduled and active
    /// sessions do; completed and cancelled ones give it back, so a new session may take
    /// the place of a cancelled one.
    pub fn holds_mentor_time(&self) -> bool {
        matches!(self, Self::Scheduled | Self::Active)
    }

    /// `Ok(to)` if allowed, otherwise the typed error.
    pub fn transition(&self, to: SessionStatus) -> Result<SessionStatus, SessionError> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(SessionError::InvalidTransition { from: *self, to })
        }
    }
}

impl std::fmt::Display for SessionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Popularity of a session (PeerLearn popularity metrics), kept current by the events
/// that change it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Popularity {
    /// Times the session page was viewed.
    pub views: i64,
    /// Bookings ever made (cancelled ones included).
    pub bookings: i64,
    /// Bookings that reached `completed`.
    pub completed_bookings: i64,
    /// Average `session_rating` of its feedback, if any.
    pub rating_average: Option<f64>,
    /// How many feedbacks.
    pub rating_count: i64,
}

impl Popularity {
    /// Completed bookings over bookings that were not cancelled before the session, in
    /// percent; `None` before anyone booked.
    pub fn completion_rate(&self) -> Option<f64> {
        (self.bookings > 0).then(|| 100.0 * self.completed_bookings as f64 / self.bookings as f64)
    }
}

/// A scheduled live meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct MentoringSession {
    /// Id.
    pub id: Uuid,
    /// Who runs it.
    pub mentor_id: Uuid,
    /// Title.
    pub title: SessionTitle,
    /// What it covers.
    pub description: SessionDescription,
    /// Optional specialization, for discovery.
    pub specialization_id: Option<Uuid>,
    /// Length.
    pub duration: SessionDuration,
    /// Price per seat (zero = free).
    pub price: Money,
    /// Seats.
    pub capacity: Capacity,
    /// Seats held by pending or confirmed bookings.
    pub seats_taken: u32,
    /// Start (UTC).
    pub starts_at: OffsetDateTime,
    /// Video room.
    pub meeting_url: MeetingUrl,
    /// Status.
    pub status: SessionStatus,
    /// The mentorship request it came from, for 1:1 sessions created by accepting one.
    pub request_id: Option<Uuid>,
    /// Popularity.
    pub popularity: Popularity,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

impl MentoringSession {
    /// End (UTC).
    pub fn ends_at(&self) -> OffsetDateTime {
        self.starts_at + self.duration.as_duration()
    }

    /// Whether this session takes its mentor's time anywhere in `[starts_at, ends_at)`:
    /// it holds the mentor's time ([`SessionStatus::holds_mentor_time`]) and the two
    /// half-open spans share an instant, so a session may start the minute another ends.
    pub fn clashes_with(&self, starts_at: OffsetDateTime, ends_at: OffsetDateTime) -> bool {
        self.status.holds_mentor_time() && self.starts_at < ends_at && starts_at < self.ends_at()
    }

    /// Seats still free.
    pub fn seats_left(&self) -> u32 {
        self.capacity.seats().saturating_sub(self.seats_taken)
    }

    /// Whether a learner may take a seat at `now`: scheduled, not started, not full.
    pub fn is_bookable(&self, now: OffsetDateTime) -> bool {
        self.status == SessionStatus::Scheduled && self.starts_at > now && self.seats_left() > 0
    }

    /// Checks a capacity change: never below the seats already taken (the database
    /// repeats this check in the same statement that writes it).
    pub fn check_capacity(&self, capacity: Capacity) -> Result<Capacity, SessionError> {
        if capacity.seats() < self.seats_taken {
            return Err(SessionError::CapacityBelowSeatsTaken {
                requested: capacity.seats(),
                taken: self.seats_taken,
            });
        }
        Ok(capacity)
    }
}

/// A session's title: single-line, 1–200 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTitle(String);

impl SessionTitle {
    /// Checks the characters, trims and bounds the text.
    pub fn parse(raw: &str) -> Result<Self, SessionError> {
        text::single_line(raw).map_err(SessionError::TitleCharacters)?;
        let text = raw.trim();
        if text.is_empty() {
            return Err(SessionError::EmptyTitle);
        }
        if text.chars().count() > 200 {
            return Err(SessionError::LongTitle);
        }
        Ok(Self(text.to_owned()))
    }
}

text_newtype!(SessionTitle);

/// What a session covers: multi-line, at most 5000 characters after trimming, empty
/// allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionDescription(String);

impl SessionDescription {
    /// Checks the characters, trims and bounds the text.
    pub fn parse(raw: &str) -> Result<Self, SessionError> {
        text::multi_line(raw).map_err(SessionError::DescriptionCharacters)?;
        let text = raw.trim();
        if text.chars().count() > 5000 {
            return Err(SessionError::Description);
        }
        Ok(Self(text.to_owned()))
    }
}

text_newtype!(SessionDescription);

/// A session's video room: an absolute http or https URL (normalized).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingUrl(String);

impl MeetingUrl {
    /// Accepts absolute http(s) URLs only, on a single line.
    pub fn parse(raw: &str) -> Result<Self, SessionError> {
        text::single_line(raw).map_err(SessionError::MeetingUrlCharacters)?;
        crate::identity::WebUrl::parse(raw)
            .map(|u| Self(u.as_str().to_owned()))
            .map_err(|_| SessionError::MeetingUrl)
    }

    /// A meeting URL a mentor may leave blank (Lyceum then generates one): `None` for a
    /// blank text. The character rule applies to the blank text too, so a lone line feed
    /// is refused rather than read as "no URL".
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, SessionError> {
        text::single_line(raw).map_err(SessionError::MeetingUrlCharacters)?;
        if raw.trim().is_empty() {
            Ok(None)
        } else {
            Self::parse(raw).map(Some)
        }
    }

    /// The video room Lyceum generates when a mentor brings none: unique because it
    /// embeds the session id.
    pub fn generated(session_id: Uuid) -> Self {
        Self(format!("https://meet.lyceum.dev/{}", session_id.simple()))
    }
}

text_newtype!(MeetingUrl);

/// The validated fields of a session being created or edited.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionDetails {
    /// Title.
    pub title: SessionTitle,
    /// Description.
    pub description: SessionDescription,
    /// Length.
    pub duration: SessionDuration,
    /// Price.
    pub price: Money,
    /// Seats.
    pub capacity: Capacity,
    /// Start, in the future.
    pub starts_at: OffsetDateTime,
    /// Video room, if the mentor brings one.
    pub meeting_url: Option<MeetingUrl>,
    /// Optional specialization.
    pub specialization_id: Option<Uuid>,
}

impl SessionDetails {
    /// A start must lie in the future when a session is created or moved, and within the
    /// scheduling horizon: nobody books a mentor decades ahead, and the bound keeps every
    /// derived time (end, reminders) representable.
    pub fn check_start(
        starts_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<OffsetDateTime, SessionError> {
        if starts_at <= now {
            return Err(SessionError::StartInPast);
        }
        if starts_at > now + SCHEDULING_HORIZON {
            return Err(SessionError::StartTooFar);
        }
        Ok(starts_at)
    }
}

/// A mentor cannot be in two places at once (Lyceum, from the seeds' one mentor per
/// session): a new or moved session of a mentor, or the 1:1 an accepted request becomes,
/// must not clash with another of the mentor's `sessions` ([`MentoringSession::clashes_with`]).
/// `except` is the session being moved, which never clashes with itself. The refusal
/// names the earliest clashing session, so the answer does not depend on the order the
/// sessions were read in. The stores repeat this check inside the write's transaction,
/// after taking the mentor's lock, so two concurrent writes cannot both pass it.
pub fn check_mentor_free(
    sessions: &[MentoringSession],
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
    except: Option<Uuid>,
) -> Result<(), SessionError> {
    match sessions
        .iter()
        .filter(|s| Some(s.id) != except && s.clashes_with(starts_at, ends_at))
        .min_by_key(|s| (s.starts_at, s.id))
    {
        Some(clash) => Err(SessionError::Overlaps {
            session_id: clash.id,
        }),
        None => Ok(()),
    }
}

/// How far ahead sessions and requests may be scheduled.
pub const SCHEDULING_HORIZON: Duration = Duration::days(3650);

/// The video room Lyceum generates when a mentor brings none: unique because it embeds the
/// session id.
pub fn generated_meeting_url(session_id: Uuid) -> MeetingUrl {
    MeetingUrl::generated(session_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_is_15_to_480_minutes() {
        assert!(SessionDuration::minutes(15).is_ok());
        assert!(SessionDuration::minutes(480).is_ok());
        assert_eq!(SessionDuration::minutes(14), Err(SessionError::Duration));
        assert_eq!(SessionDuration::minutes(481), Err(SessionError::Duration));
    }

    #[test]
    fn start_is_in_the_future_and_within_the_horizon() {
        let now = time::macros::datetime!(2026-11-22 10:00 UTC);
        assert_eq!(
            SessionDetails::check_start(now, now),
            Err(SessionError::StartInPast)
        );
        assert!(SessionDetails::check_start(now + Duration::days(365), now).is_ok());
        let year_9999 = time::macros::datetime!(9999-12-31 23:30 UTC);
        assert_eq!(
            SessionDetails::check_start(year_9999, now),
            Err(SessionError::StartTooFar)
        );
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(SessionTitle::parse("  "), Err(SessionError::EmptyTitle));
        assert_eq!(SessionTitle::parse(" Rust ").unwrap().as_str(), "Rust");
        assert!(SessionTitle::parse(&"x".repeat(200)).is_ok());
        assert_eq!(
            SessionTitle::parse(&"x".repeat(201)),
            Err(SessionError::LongTitle)
        );
        assert_eq!(SessionDescription::parse("").unwrap().as_str(), "");
        assert!(SessionDescription::parse(&"x".repeat(5000)).is_ok());
        assert_eq!(
            SessionDescription::parse(&"x".repeat(5001)),
            Err(SessionError::Description)
        );
    }

    #[test]
    fn the_title_is_one_line_and_the_description_may_be_several() {
        use crate::validation::text::TextKind;
        let single = ControlCharacters(TextKind::SingleLine);
        for raw in [
            "Rust\tbasics",
            "Rust\nbasics",
            "Rust\u{7}",
            "Rust\u{85}",
            "\n",
        ] {
            assert_eq!(
                SessionTitle::parse(raw),
                Err(SessionError::TitleCharacters(single)),
                "{raw:?}"
            );
        }
        assert_eq!(
            SessionDescription::parse("Day 1:\n\tOwnership\r\nDay 2: borrowing\n")
                .unwrap()
                .as_str(),
            "Day 1:\n\tOwnership\r\nDay 2: borrowing"
        );
        assert_eq!(
            SessionDescription::parse("Day\u{7}1"),
            Err(SessionError::DescriptionCharacters(ControlCharacters(
                TextKind::MultiLine
            )))
        );
        assert_eq!(
            MeetingUrl::parse("https://meet.example.com/\nroom"),
            Err(SessionError::MeetingUrlCharacters(single))
        );
        assert_eq!(MeetingUrl::parse_optional("  "), Ok(None));
        assert_eq!(
            MeetingUrl::parse_optional("\n"),
            Err(SessionError::MeetingUrlCharacters(single))
        );
        assert!(
            MeetingUrl::parse_optional(" https://meet.example.com/r ")
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn meeting_url_is_absolute_http() {
        assert_eq!(
            MeetingUrl::parse("javascript:alert(1)"),
            Err(SessionError::MeetingUrl)
        );
        assert_eq!(MeetingUrl::parse("/room"), Err(SessionError::MeetingUrl));
        assert!(MeetingUrl::parse("https://zoom.example.com/j/1").is_ok());
    }

    #[test]
    fn capacity_is_at_least_one() {
        assert_eq!(Capacity::new(0), Err(SessionError::Capacity));
        assert_eq!(Capacity::new(1).unwrap().seats(), 1);
    }

    fn at(
        id: u128,
        start: OffsetDateTime,
        minutes: i64,
        status: SessionStatus,
    ) -> MentoringSession {
        MentoringSession {
            id: Uuid::from_u128(id),
            mentor_id: Uuid::nil(),
            title: SessionTitle::parse("Rust").unwrap(),
            description: SessionDescription::default(),
            specialization_id: None,
            duration: SessionDuration::minutes(minutes).unwrap(),
            price: Money::new(0, crate::Currency::parse("INR").unwrap()).unwrap(),
            capacity: Capacity::new(1).unwrap(),
            seats_taken: 0,
            starts_at: start,
            meeting_url: MeetingUrl::generated(Uuid::nil()),
            status,
            request_id: None,
            popularity: Popularity::default(),
            created_at: start,
            updated_at: start,
        }
    }

    #[test]
    fn a_mentor_cannot_be_in_two_places_at_once() {
        use SessionStatus::*;
        let ten = time::macros::datetime!(2030-01-07 10:00 UTC);
        let hour = Duration::hours(1);
        let booked = at(1, ten, 60, Scheduled);
        let sessions = [booked.clone()];
        let clash = Err(SessionError::Overlaps {
            session_id: booked.id,
        });
        // The same hour, one inside it, one around it, and each end reaching into it.
        assert_eq!(check_mentor_free(&sessions, ten, ten + hour, None), clash);
        let quarter = Duration::minutes(15);
        assert_eq!(
            check_mentor_free(&sessions, ten + quarter, ten + 2 * quarter, None),
            clash
        );
        assert_eq!(
            check_mentor_free(&sessions, ten - hour, ten + 2 * hour, None),
            clash
        );
        assert_eq!(
            check_mentor_free(&sessions, ten - quarter, ten + quarter, None),
            clash
        );
        assert_eq!(
            check_mentor_free(&sessions, ten + hour - quarter, ten + 2 * hour, None),
            clash
        );
        // Back to back on either side is fine: the spans are half-open.
        assert_eq!(
            check_mentor_free(&sessions, ten + hour, ten + 2 * hour, None),
            Ok(())
        );
        assert_eq!(check_mentor_free(&sessions, ten - hour, ten, None), Ok(()));
        // A session being moved does not clash with itself.
        assert_eq!(
            check_mentor_free(&sessions, ten + quarter, ten + hour, Some(booked.id)),
            Ok(())
        );
    }

    #[test]
    fn only_scheduled_and_active_sessions_take_the_mentors_time() {
        use SessionStatus::*;
        let ten = time::macros::datetime!(2030-01-07 10:00 UTC);
        let end = ten + Duration::hours(1);
        for (status, holds) in [
            (Scheduled, true),
            (Active, true),
            (Completed, false),
            (Cancelled, false),
        ] {
            assert_eq!(status.holds_mentor_time(), holds, "{status}");
            let result = check_mentor_free(&[at(1, ten, 60, status)], ten, end, None);
            assert_eq!(result.is_err(), holds, "{status}");
        }
    }

    #[test]
    fn the_earliest_clash_is_named_whatever_the_order() {
        let ten = time::macros::datetime!(2030-01-07 10:00 UTC);
        let first = at(2, ten, 60, SessionStatus::Scheduled);
        let second = at(1, ten + Duration::hours(1), 60, SessionStatus::Active);
        let wide = (ten, ten + Duration::hours(3));
        for sessions in [
            [first.clone(), second.clone()],
            [second.clone(), first.clone()],
        ] {
            assert_eq!(
                check_mentor_free(&sessions, wide.0, wide.1, None),
                Err(SessionError::Overlaps {
                    session_id: first.id
                })
            );
        }
        assert_eq!(
            SessionError::Overlaps {
                session_id: first.id
            }
            .violation(),
            Violation::NotAllowed
        );
    }

    #[test]
    fn status_follows_the_state_machine() {
        use SessionStatus::*;
        assert!(Scheduled.can_become(Active));
        assert!(Active.can_become(Completed));
        assert!(Active.can_become(Cancelled));
        assert!(!Completed.can_become(Cancelled));
        assert!(!Cancelled.can_become(Scheduled));
        assert_eq!(
            Completed.transition(Active),
            Err(SessionError::InvalidTransition {
                from: Completed,
                to: Active
            })
        );
    }
}
