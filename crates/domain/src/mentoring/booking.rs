//! Bookings: one learner's seat in a mentoring session (PeerLearn Booking, MedicalEdu
//! Bookings).

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{MentoringSession, SessionStatus};
use crate::Money;
use crate::validation::text::{self, ControlCharacters};
use crate::validation::{FieldRule, Violation};

/// Why a booking was refused or could not change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookingError {
    /// Every seat is taken.
    #[error("all {capacity} seats are taken")]
    SessionFull {
        /// The session's capacity.
        capacity: u32,
    },
    /// Not scheduled, or already started.
    #[error("the session is not open for booking")]
    SessionNotBookable,
    /// Mentors do not book their own sessions.
    #[error("mentors cannot book their own session")]
    OwnSession,
    /// The learner already holds a seat in this session.
    #[error("you already hold a seat in this session")]
    Duplicate,
    /// A transition the state machine does not allow.
    #[error("a {from} booking cannot become {to}")]
    InvalidTransition {
        /// Current status.
        from: BookingStatus,
        /// Wanted status.
        to: BookingStatus,
    },
    /// Learners cancel only until the cut-off before the start.
    #[error("bookings can only be cancelled until {cutoff}")]
    CancellationClosed {
        /// The last moment a learner could cancel.
        cutoff: OffsetDateTime,
    },
    /// Rescheduling is only to another session of the same mentor.
    #[error("a booking can only move to another session of the same mentor")]
    OtherMentor,
    /// Rescheduling keeps the amount paid: the target must cost the same.
    #[error("the target session has a different price")]
    PriceDiffers,
    /// Moving to the session the booking is already in.
    #[error("the booking is already in this session")]
    SameSession,
}

/// A booking's life: `pending → confirmed → completed`, `pending|confirmed → cancelled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BookingStatus {
    /// Seat held, waiting for payment.
    Pending,
    /// Seat is the learner's.
    Confirmed,
    /// The session took place.
    Completed,
    /// Given up (by learner, mentor, session cancellation or hold expiry).
    Cancelled,
}

impl BookingStatus {
    /// Stable name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "confirmed" => Some(Self::Confirmed),
            "completed" => Some(Self::Completed),
            "cancelled" => Some(Self::Cancelled),
            _ => None,
        }
    }

    /// Whether this booking holds a seat.
    pub fn holds_seat(&self) -> bool {
        matches!(self, Self::Pending | Self::Confirmed)
    }

    /// `Ok(to)` if the state machine allows it.
    pub fn transition(&self, to: BookingStatus) -> Result<BookingStatus, BookingError> {
        use BookingStatus::*;
        let allowed = matches!(
            (self, to),
            (Pending, Confirmed) | (Confirmed, Completed) | (Pending | Confirmed, Cancelled)
        );
        if allowed {
            Ok(to)
        } else {
            Err(BookingError::InvalidTransition { from: *self, to })
        }
    }
}

impl std::fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the money of a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// Awaiting payment.
    Pending,
    /// Paid (free sessions count as paid: nothing is owed).
    Paid,
    /// Payment failed or the hold expired.
    Failed,
    /// Paid, then refunded.
    Refunded,
}

impl PaymentStatus {
    /// Stable name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "paid" => Some(Self::Paid),
            "failed" => Some(Self::Failed),
            "refunded" => Some(Self::Refunded),
            _ => None,
        }
    }
}

/// Why a cancellation reason was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CancellationReasonError {
    /// Longer than 500 characters.
    #[error("must be at most 500 characters")]
    TooLong,
    /// Characters a multi-line text refuses (see [`crate::validation::text`]).
    #[error(transparent)]
    Characters(#[from] ControlCharacters),
}

impl FieldRule for CancellationReasonError {
    fn violation(&self) -> Violation {
        match self {
            CancellationReasonError::TooLong => Violation::TooLong,
            CancellationReasonError::Characters(refusal) => refusal.violation(),
        }
    }
}

/// Why a booking was cancelled: multi-line, at most 500 characters after trimming, never
/// empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancellationReason(String);

impl CancellationReason {
    /// Checks the characters, trims and bounds the text; blank text is no reason (`None`).
    pub fn parse(raw: &str) -> Result<Option<Self>, CancellationReasonError> {
        text::multi_line(raw)?;
        let text = raw.trim();
        if text.chars().count() > 500 {
            return Err(CancellationReasonError::TooLong);
        }
        Ok((!text.is_empty()).then(|| Self(text.to_owned())))
    }

    /// Parses an optional text: absent stays absent.
    pub fn parse_optional(raw: Option<&str>) -> Result<Option<Self>, CancellationReasonError> {
        raw.map_or(Ok(None), Self::parse)
    }
}

text_newtype!(CancellationReason);

/// One learner's seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    /// Id.
    pub id: Uuid,
    /// The session.
    pub session_id: Uuid,
    /// The learner.
    pub learner_id: Uuid,
    /// Status.
    pub status: BookingStatus,
    /// Payment status.
    pub payment_status: PaymentStatus,
    /// What the seat costs: the session price.
    pub amount: Money,
    /// Until when a pending seat is held for payment.
    pub hold_expires_at: Option<OffsetDateTime>,
    /// Payment provider reference once paid.
    pub payment_reference: Option<String>,
    /// Who cancelled it.
    pub cancelled_by: Option<Uuid>,
    /// Why.
    pub cancellation_reason: Option<CancellationReason>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

/// How a new booking starts: free sessions confirm at once; paid ones hold the seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingStart {
    /// Initial status.
    pub status: BookingStatus,
    /// Initial payment status.
    pub payment_status: PaymentStatus,
    /// When the hold ends, for paid sessions.
    pub hold_expires_at: Option<OffsetDateTime>,
}

/// The rules for taking a seat, checked before the database repeats the capacity check
/// atomically.
pub fn check_booking(
    session: &MentoringSession,
    learner_id: Uuid,
    now: OffsetDateTime,
    hold: Duration,
) -> Result<BookingStart, BookingError> {
    if session.mentor_id == learner_id {
        return Err(BookingError::OwnSession);
    }
    if session.status != SessionStatus::Scheduled || session.starts_at <= now {
        return Err(BookingError::SessionNotBookable);
    }
    if session.seats_left() == 0 {
        return Err(BookingError::SessionFull {
            capacity: session.capacity.seats(),
        });
    }
    Ok(if session.price.is_zero() {
        BookingStart {
            status: BookingStatus::Confirmed,
            payment_status: PaymentStatus::Paid,
            hold_expires_at: None,
        }
    } else {
        BookingStart {
            status: BookingStatus::Pending,
            payment_status: PaymentStatus::Pending,
            hold_expires_at: Some(now + hold),
        }
    })
}

/// Who is cancelling a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canceller {
    /// The learner who holds it.
    Learner,
    /// The session's mentor.
    Mentor,
}

/// Checks a cancellation: learners only until `cutoff` before the start; mentors any time
/// before the session is over.
pub fn check_cancellation(
    booking: &Booking,
    session: &MentoringSession,
    by: Canceller,
    now: OffsetDateTime,
    learner_cutoff: Duration,
) -> Result<(), BookingError> {
    booking.status.transition(BookingStatus::Cancelled)?;
    if by == Canceller::Learner {
        let cutoff = session.starts_at - learner_cutoff;
        if now > cutoff {
            return Err(BookingError::CancellationClosed { cutoff });
        }
    }
    Ok(())
}

/// Checks moving a booking to `target`: same mentor, same price, a live booking, and a
/// bookable target. The seat move itself is one database transaction.
pub fn check_reschedule(
    booking: &Booking,
    from: &MentoringSession,
    target: &MentoringSession,
    now: OffsetDateTime,
) -> Result<(), BookingError> {
    if !booking.status.holds_seat() {
        return Err(BookingError::InvalidTransition {
            from: booking.status,
            to: booking.status,
        });
    }
    if target.id == from.id {
        return Err(BookingError::SameSession);
    }
    if target.mentor_id != from.mentor_id {
        return Err(BookingError::OtherMentor);
    }
    if target.price != booking.amount {
        return Err(BookingError::PriceDiffers);
    }
    if target.status != SessionStatus::Scheduled || target.starts_at <= now {
        return Err(BookingError::SessionNotBookable);
    }
    if target.seats_left() == 0 {
        return Err(BookingError::SessionFull {
            capacity: target.capacity.seats(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;
    use crate::mentoring::{
        Capacity, MeetingUrl, Popularity, SessionDescription, SessionDuration, SessionTitle,
    };
    use proptest::prelude::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

    fn session(price: i64, capacity: i64, taken: u32) -> MentoringSession {
        MentoringSession {
            id: Uuid::from_u128(1),
            mentor_id: Uuid::from_u128(2),
            title: SessionTitle::parse("Rust").unwrap(),
            description: SessionDescription::default(),
            specialization_id: None,
            duration: SessionDuration::minutes(60).unwrap(),
            price: Money::new(price, Currency::parse("INR").unwrap()).unwrap(),
            capacity: Capacity::new(capacity).unwrap(),
            seats_taken: taken,
            starts_at: NOW + Duration::days(2),
            meeting_url: MeetingUrl::parse("https://meet.example/x").unwrap(),
            status: SessionStatus::Scheduled,
            request_id: None,
            popularity: Popularity::default(),
            created_at: NOW,
            updated_at: NOW,
        }
    }

    fn booking(s: &MentoringSession) -> Booking {
        Booking {
            id: Uuid::from_u128(9),
            session_id: s.id,
            learner_id: Uuid::from_u128(3),
            status: BookingStatus::Confirmed,
            payment_status: PaymentStatus::Paid,
            amount: s.price,
            hold_expires_at: None,
            payment_reference: None,
            cancelled_by: None,
            cancellation_reason: None,
            created_at: NOW,
            updated_at: NOW,
        }
    }

    #[test]
    fn free_sessions_confirm_at_once_and_paid_ones_hold_the_seat() {
        let free = check_booking(
            &session(0, 5, 0),
            Uuid::from_u128(3),
            NOW,
            Duration::minutes(15),
        )
        .unwrap();
        assert_eq!(
            (free.status, free.payment_status, free.hold_expires_at),
            (BookingStatus::Confirmed, PaymentStatus::Paid, None)
        );
        let paid = check_booking(
            &session(49900, 5, 0),
            Uuid::from_u128(3),
            NOW,
            Duration::minutes(15),
        )
        .unwrap();
        assert_eq!(paid.status, BookingStatus::Pending);
        assert_eq!(paid.hold_expires_at, Some(NOW + Duration::minutes(15)));
    }

    #[test]
    fn mentors_cannot_book_their_own_session_and_full_or_past_sessions_refuse() {
        let s = session(0, 2, 2);
        assert_eq!(
            check_booking(&s, s.mentor_id, NOW, Duration::minutes(15)),
            Err(BookingError::OwnSession)
        );
        assert_eq!(
            check_booking(&s, Uuid::from_u128(3), NOW, Duration::minutes(15)),
            Err(BookingError::SessionFull { capacity: 2 })
        );
        let mut past = session(0, 2, 0);
        past.starts_at = NOW - Duration::minutes(1);
        assert_eq!(
            check_booking(&past, Uuid::from_u128(3), NOW, Duration::minutes(15)),
            Err(BookingError::SessionNotBookable)
        );
    }

    #[test]
    fn learners_cancel_only_until_the_cutoff_but_mentors_any_time() {
        let s = session(0, 2, 1);
        let b = booking(&s);
        let late = s.starts_at - Duration::hours(1);
        assert!(matches!(
            check_cancellation(&b, &s, Canceller::Learner, late, Duration::hours(2)),
            Err(BookingError::CancellationClosed { .. })
        ));
        assert_eq!(
            check_cancellation(&b, &s, Canceller::Mentor, late, Duration::hours(2)),
            Ok(())
        );
        assert_eq!(
            check_cancellation(&b, &s, Canceller::Learner, NOW, Duration::hours(2)),
            Ok(())
        );
    }

    #[test]
    fn completed_bookings_cannot_be_cancelled() {
        let s = session(0, 2, 1);
        let mut b = booking(&s);
        b.status = BookingStatus::Completed;
        assert!(matches!(
            check_cancellation(&b, &s, Canceller::Mentor, NOW, Duration::ZERO),
            Err(BookingError::InvalidTransition { .. })
        ));
    }

    #[test]
    fn reschedule_needs_same_mentor_same_price_and_a_free_seat() {
        let from = session(0, 2, 1);
        let b = booking(&from);
        let mut target = session(0, 1, 0);
        target.id = Uuid::from_u128(5);
        assert_eq!(check_reschedule(&b, &from, &target, NOW), Ok(()));
        target.seats_taken = 1;
        assert_eq!(
            check_reschedule(&b, &from, &target, NOW),
            Err(BookingError::SessionFull { capacity: 1 })
        );
        target.seats_taken = 0;
        target.mentor_id = Uuid::from_u128(77);
        assert_eq!(
            check_reschedule(&b, &from, &target, NOW),
            Err(BookingError::OtherMentor)
        );
        let mut pricier = session(100, 3, 0);
        pricier.id = Uuid::from_u128(6);
        assert_eq!(
            check_reschedule(&b, &from, &pricier, NOW),
            Err(BookingError::PriceDiffers)
        );
    }

    proptest! {
        /// Applying the booking rule to any sequence of bookings and cancellations never
        /// takes more seats than capacity.
        #[test]
        fn seats_taken_never_exceed_capacity(capacity in 1i64..20, ops in proptest::collection::vec(any::<bool>(), 0..100)) {
            let mut s = session(0, capacity, 0);
            for book in ops {
                if book {
                    if check_booking(&s, Uuid::from_u128(3), NOW, Duration::minutes(15)).is_ok() {
                        s.seats_taken += 1;
                    }
                } else {
                    s.seats_taken = s.seats_taken.saturating_sub(1);
                }
                prop_assert!(s.seats_taken <= s.capacity.seats());
            }
        }
    }
}
