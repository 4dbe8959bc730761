//! Recurring mentor availability (MedicalEdu AvailabilitySlot), expanded into bookable
//! UTC slots.
//!
//! Mentors think in their own wall clock ("Mondays 09:00–12:00 in Kolkata"), learners
//! book concrete instants. This module is the single place where the two meet, so that
//! daylight-saving transitions are handled once, with the tz database bundled into
//! `jiff`, instead of by every caller. Nothing here reads the clock: the query range
//! and the already-taken time come in as arguments.
//!
//! Local times that do not exist (spring-forward gap) or exist twice (fall-back fold)
//! are resolved with jiff's "compatible" rule, the same one RFC 5545 calendars use: a
//! time in a gap is pushed forward by the gap's length, a time in a fold takes the
//! earlier (pre-transition) offset.

use jiff::tz::TimeZone;
use time::{Date, Duration, Month, OffsetDateTime, Time, UtcOffset, Weekday};

use crate::validation::text::{self, ControlCharacters};
use crate::validation::{FieldRule, Violation};

/// The widest range one `free_slots` query may cover, so that a single request cannot
/// make the server expand years of recurring windows.
pub const MAX_QUERY_DAYS: i64 = 62;

/// At most this many weekly windows per mentor: far beyond any real schedule, small
/// enough that expanding them stays cheap.
pub const MAX_WINDOWS: usize = 100;

/// At most this many date exceptions per mentor: a full year of per-day overrides.
pub const MAX_EXCEPTIONS: usize = 366;

/// Shortest bookable slot, in minutes; shorter sessions are not worth scheduling.
pub const MIN_SLOT_MINUTES: i64 = 15;

/// Longest bookable slot, in minutes; matches the session duration limit.
pub const MAX_SLOT_MINUTES: i64 = 480;

/// Why availability rules or a slot query were refused, so the API can tell the
/// mentor or learner exactly which input to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AvailabilityError {
    /// A window (weekly or extra) whose end is not after its start; windows never
    /// cross midnight, so `22:00–01:00` must be split into two days.
    #[error("a window must end after it starts, on the same day")]
    EmptyWindow,
    /// An interval whose end is not after its start.
    #[error("an interval must end after it starts")]
    EmptyInterval,
    /// The zone name is not in the bundled tz database.
    #[error("must be an IANA time zone name such as 'Asia/Kolkata'")]
    UnknownTimezone,
    /// The zone name is not a single line of text (see [`crate::validation::text`]).
    #[error(transparent)]
    TimezoneCharacters(#[from] ControlCharacters),
    /// The query range is empty (`to <= from`).
    #[error("the end of the range must be after its start")]
    EmptyRange,
    /// The query range is longer than allowed.
    #[error("the range may cover at most {max_days} days")]
    RangeTooLong {
        /// The limit, [`MAX_QUERY_DAYS`].
        max_days: i64,
    },
    /// The slot duration is not a whole number of minutes in 15..=480.
    #[error("the duration must be a whole number of minutes between 15 and 480")]
    BadDuration,
    /// More weekly windows or exceptions than a schedule may hold.
    #[error("at most 100 weekly windows and 366 exceptions are allowed")]
    TooManyRules,
    /// Two weekly windows on the same weekday overlap; touching (`09–10`, `10–11`) is
    /// fine.
    #[error("weekly windows on {weekday} overlap")]
    OverlappingWindows {
        /// The weekday holding the overlapping windows.
        weekday: Weekday,
    },
    /// Two extra windows on the same date overlap.
    #[error("extra windows on {date} overlap")]
    OverlappingExtraWindows {
        /// The local date holding the overlapping windows.
        date: Date,
    },
    /// A date or instant outside the calendar range the tz database can convert.
    #[error("the dates are outside the supported calendar range")]
    OutOfRange,
}

impl FieldRule for AvailabilityError {
    fn violation(&self) -> Violation {
        match self {
            AvailabilityError::EmptyWindow
            | AvailabilityError::EmptyInterval
            | AvailabilityError::EmptyRange
            | AvailabilityError::OverlappingWindows { .. }
            | AvailabilityError::OverlappingExtraWindows { .. } => Violation::Inconsistent,
            AvailabilityError::UnknownTimezone => Violation::InvalidFormat,
            AvailabilityError::RangeTooLong { .. }
            | AvailabilityError::BadDuration
            | AvailabilityError::OutOfRange => Violation::OutOfRange,
            AvailabilityError::TooManyRules => Violation::TooLong,
            AvailabilityError::TimezoneCharacters(refusal) => refusal.violation(),
        }
    }
}

/// A recurring window in the mentor's local wall-clock time, because that is how
/// mentors plan their week; it becomes concrete UTC only per date, in their zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeeklyWindow {
    /// The local weekday the window repeats on.
    pub weekday: Weekday,
    /// Local start, inclusive.
    pub start: Time,
    /// Local end, exclusive; after `start` on the same day.
    pub end: Time,
}

impl WeeklyWindow {
    /// Refuses windows that are empty or would cross midnight (`end <= start`), so a
    /// window always belongs to exactly one local date.
    pub fn new(weekday: Weekday, start: Time, end: Time) -> Result<Self, AvailabilityError> {
        if end <= start {
            return Err(AvailabilityError::EmptyWindow);
        }
        Ok(Self {
            weekday,
            start,
            end,
        })
    }
}

/// What happens on an exception date, so mentors can take a day off or open extra
/// hours without touching their weekly pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExceptionKind {
    /// The weekly windows do not apply on this date.
    Blocked,
    /// An additional local window on this date (applies even if the date is blocked,
    /// which is how a mentor replaces a day's hours).
    ExtraWindow {
        /// Local start, inclusive.
        start: Time,
        /// Local end, exclusive; after `start`.
        end: Time,
    },
}

/// A one-off override for a local date in the mentor's zone; local, not UTC, because
/// "I am away on the 14th" means the mentor's 14th.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AvailabilityException {
    /// The local date in the mentor's zone.
    pub date: Date,
    /// Blocked, or an extra window.
    pub kind: ExceptionKind,
}

/// A half-open span `[start, end)` of absolute time in UTC: the common currency between
/// availability, sessions and requests, half-open so back-to-back slots do not clash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Interval {
    /// Inclusive start (UTC).
    pub start: OffsetDateTime,
    /// Exclusive end (UTC).
    pub end: OffsetDateTime,
}

impl Interval {
    /// Refuses empty intervals and normalises both ends to UTC, so stored and returned
    /// intervals compare and print the same way whatever offset they came in with.
    pub fn new(start: OffsetDateTime, end: OffsetDateTime) -> Result<Self, AvailabilityError> {
        if end <= start {
            return Err(AvailabilityError::EmptyInterval);
        }
        Ok(Self {
            start: start.to_offset(UtcOffset::UTC),
            end: end.to_offset(UtcOffset::UTC),
        })
    }

    /// True when the two share any instant; touching intervals (`a.end == b.start`) do
    /// not overlap, so a session may start the minute another ends. An interval built
    /// without [`Interval::new`] whose end is not after its start is empty and overlaps
    /// nothing.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < self.end
            && other.start < other.end
            && self.start < other.end
            && other.start < self.end
    }

    /// Whether `other` lies entirely inside `self`.
    fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// A mentor's validated schedule: zone, weekly windows and date exceptions. Holding one
/// means the zone is known to the tz database and no two weekly windows on a day
/// overlap, so expansion cannot fail on bad rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Availability {
    timezone: String,
    windows: Vec<WeeklyWindow>,
    exceptions: Vec<AvailabilityException>,
}

impl Availability {
    /// Validates the zone, the limits ([`MAX_WINDOWS`], [`MAX_EXCEPTIONS`]), every
    /// window's `end > start` (fields are public, so [`WeeklyWindow::new`] may have been
    /// bypassed), and that neither weekly windows on one weekday nor extra windows on
    /// one date overlap. Windows are stored sorted by weekday (Monday first) and start,
    /// exceptions by date, so equal schedules compare equal.
    pub fn new(
        timezone: &str,
        mut windows: Vec<WeeklyWindow>,
        mut exceptions: Vec<AvailabilityException>,
    ) -> Result<Self, AvailabilityError> {
        text::single_line(timezone)?;
        let timezone = timezone.trim();
        if timezone.is_empty() || jiff::tz::db().get(timezone).is_err() {
            return Err(AvailabilityError::UnknownTimezone);
        }
        if windows.len() > MAX_WINDOWS || exceptions.len() > MAX_EXCEPTIONS {
            return Err(AvailabilityError::TooManyRules);
        }
        if windows.iter().any(|w| w.end <= w.start) {
            return Err(AvailabilityError::EmptyWindow);
        }
        windows.sort_by_key(|w| (w.weekday.number_days_from_monday(), w.start, w.end));
        for pair in windows.windows(2) {
            if pair[0].weekday == pair[1].weekday && pair[1].start < pair[0].end {
                return Err(AvailabilityError::OverlappingWindows {
                    weekday: pair[0].weekday,
                });
            }
        }

        exceptions.sort_by_key(|e| (e.date, exception_order(&e.kind)));
        let mut extras: Vec<(Date, Time, Time)> = Vec::new();
        for exception in &exceptions {
            if let ExceptionKind::ExtraWindow { start, end } = exception.kind {
                if end <= start {
                    return Err(AvailabilityError::EmptyWindow);
                }
                extras.push((exception.date, start, end));
            }
        }
        // Already sorted by (date, start, end) through `exception_order`.
        for pair in extras.windows(2) {
            if pair[0].0 == pair[1].0 && pair[1].1 < pair[0].2 {
                return Err(AvailabilityError::OverlappingExtraWindows { date: pair[0].0 });
            }
        }

        Ok(Self {
            timezone: timezone.to_owned(),
            windows,
            exceptions,
        })
    }

    /// The mentor's IANA zone name, in which windows and exception dates are read.
    pub fn timezone(&self) -> &str {
        &self.timezone
    }

    /// The weekly windows, sorted by weekday (Monday first) and start.
    pub fn windows(&self) -> &[WeeklyWindow] {
        &self.windows
    }

    /// The date exceptions, sorted by date.
    pub fn exceptions(&self) -> &[AvailabilityException] {
        &self.exceptions
    }

    /// Concrete free slots in UTC within `[from, to)`, each `duration` long, minus
    /// `busy`: this is what a learner picks from, so every slot is bookable as is.
    ///
    /// Each local date's windows (weekly windows of its weekday unless the date is
    /// blocked, plus extra windows) are converted to UTC with the "compatible" rule,
    /// then cut into consecutive slots from the window start. Slots that leave
    /// `[from, to)` or overlap a busy interval are dropped; the survivors are sorted,
    /// and where two windows overlap in UTC (an extra window over a weekly one, or
    /// local windows squeezed together by a spring-forward gap) the earlier slot wins,
    /// so no two slots overlap. A window is never merged with its neighbour: every slot
    /// lies inside a single window.
    ///
    /// Errors: `to <= from` ([`AvailabilityError::EmptyRange`]), a range longer than
    /// [`MAX_QUERY_DAYS`], or a duration that is not a whole number of minutes in
    /// 15..=480 ([`AvailabilityError::BadDuration`]).
    pub fn free_slots(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        duration: Duration,
        busy: &[Interval],
    ) -> Result<Vec<Interval>, AvailabilityError> {
        validate_duration(duration)?;
        if to <= from {
            return Err(AvailabilityError::EmptyRange);
        }
        if to - from > Duration::days(MAX_QUERY_DAYS) {
            return Err(AvailabilityError::RangeTooLong {
                max_days: MAX_QUERY_DAYS,
            });
        }
        let tz = jiff::tz::db()
            .get(&self.timezone)
            .map_err(|_| AvailabilityError::UnknownTimezone)?;

        let range = Interval {
            start: from.to_offset(UtcOffset::UTC),
            end: to.to_offset(UtcOffset::UTC),
        };
        let relevant_busy: Vec<&Interval> = busy.iter().filter(|b| b.overlaps(&range)).collect();

        // One day either side: a window on the previous local date can still end after
        // `from` once shifted by a gap, and the ends are cheap to expand.
        let first = local_date(&tz, range.start)?
            .previous_day()
            .ok_or(AvailabilityError::OutOfRange)?;
        let last = local_date(&tz, range.end)?
            .next_day()
            .ok_or(AvailabilityError::OutOfRange)?;

        let mut candidates = Vec::new();
        let mut date = first;
        while date <= last {
            for (start, end) in self.local_windows(date) {
                let window = Interval {
                    start: local_to_utc(&tz, date, start)?,
                    end: local_to_utc(&tz, date, end)?,
                };
                // A window starting in a gap and ending just after it (02:30–03:00 on a
                // spring-forward day) maps to an empty or inverted span: nothing to offer.
                if window.end <= window.start {
                    continue;
                }
                let mut slot_start = window.start;
                while slot_start + duration <= window.end {
                    let slot = Interval {
                        start: slot_start,
                        end: slot_start + duration,
                    };
                    if range.contains(&slot) && !relevant_busy.iter().any(|b| b.overlaps(&slot)) {
                        candidates.push(slot);
                    }
                    slot_start = slot.end;
                }
            }
            match date.next_day() {
                Some(next) => date = next,
                None => break,
            }
        }

        candidates.sort();
        let mut slots: Vec<Interval> = Vec::with_capacity(candidates.len());
        for slot in candidates {
            match slots.last() {
                Some(previous) if slot.start < previous.end => {}
                _ => slots.push(slot),
            }
        }
        Ok(slots)
    }

    /// The local windows that apply on `date`: weekly ones unless blocked, plus extras.
    fn local_windows(&self, date: Date) -> Vec<(Time, Time)> {
        let todays = self.exceptions.iter().filter(|e| e.date == date);
        let blocked = todays
            .clone()
            .any(|e| matches!(e.kind, ExceptionKind::Blocked));
        let mut out: Vec<(Time, Time)> = Vec::new();
        if !blocked {
            out.extend(
                self.windows
                    .iter()
                    .filter(|w| w.weekday == date.weekday())
                    .map(|w| (w.start, w.end)),
            );
        }
        out.extend(todays.filter_map(|e| match e.kind {
            ExceptionKind::ExtraWindow { start, end } => Some((start, end)),
            ExceptionKind::Blocked => None,
        }));
        out
    }
}

/// Sort key putting `Blocked` before extra windows and extra windows by start, end.
fn exception_order(kind: &ExceptionKind) -> (u8, Time, Time) {
    match *kind {
        ExceptionKind::Blocked => (0, Time::MIDNIGHT, Time::MIDNIGHT),
        ExceptionKind::ExtraWindow { start, end } => (1, start, end),
    }
}

fn validate_duration(duration: Duration) -> Result<(), AvailabilityError> {
    let whole_minutes = duration.subsec_nanoseconds() == 0 && duration.whole_seconds() % 60 == 0;
    let minutes = duration.whole_minutes();
    if !whole_minutes || !(MIN_SLOT_MINUTES..=MAX_SLOT_MINUTES).contains(&minutes) {
        return Err(AvailabilityError::BadDuration);
    }
    Ok(())
}

fn to_timestamp(instant: OffsetDateTime) -> Result<jiff::Timestamp, AvailabilityError> {
    jiff::Timestamp::from_nanosecond(instant.unix_timestamp_nanos())
        .map_err(|_| AvailabilityError::OutOfRange)
}

fn from_timestamp(ts: jiff::Timestamp) -> Result<OffsetDateTime, AvailabilityError> {
    OffsetDateTime::from_unix_timestamp_nanos(ts.as_nanosecond())
        .map_err(|_| AvailabilityError::OutOfRange)
}

/// The mentor-local calendar date of an instant.
fn local_date(tz: &TimeZone, instant: OffsetDateTime) -> Result<Date, AvailabilityError> {
    let civil = tz.to_datetime(to_timestamp(instant)?).date();
    let month = u8::try_from(civil.month())
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or(AvailabilityError::OutOfRange)?;
    let day = u8::try_from(civil.day()).map_err(|_| AvailabilityError::OutOfRange)?;
    Date::from_calendar_date(i32::from(civil.year()), month, day)
        .map_err(|_| AvailabilityError::OutOfRange)
}

/// A local wall-clock time on a local date, as a UTC instant, resolving gaps and folds
/// with the "compatible" rule.
fn local_to_utc(tz: &TimeZone, date: Date, at: Time) -> Result<OffsetDateTime, AvailabilityError> {
    fn small<T: TryFrom<U>, U>(value: U) -> Result<T, AvailabilityError> {
        T::try_from(value).map_err(|_| AvailabilityError::OutOfRange)
    }
    let civil = jiff::civil::DateTime::new(
        small(date.year())?,
        small(u8::from(date.month()))?,
        small(date.day())?,
        small(at.hour())?,
        small(at.minute())?,
        small(at.second())?,
        small(at.nanosecond())?,
    )
    .map_err(|_| AvailabilityError::OutOfRange)?;
    let ts = tz
        .to_ambiguous_timestamp(civil)
        .compatible()
        .map_err(|_| AvailabilityError::OutOfRange)?;
    from_timestamp(ts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime, time};

    const NEW_YORK: &str = "America/New_York";

    fn minutes(m: i64) -> Duration {
        Duration::minutes(m)
    }

    fn starts(slots: &[Interval]) -> Vec<OffsetDateTime> {
        slots.iter().map(|s| s.start).collect()
    }

    fn window(weekday: Weekday, start: Time, end: Time) -> WeeklyWindow {
        WeeklyWindow::new(weekday, start, end).unwrap()
    }

    fn interval(start: OffsetDateTime, end: OffsetDateTime) -> Interval {
        Interval::new(start, end).unwrap()
    }

    fn monday_morning_new_york() -> Availability {
        Availability::new(
            NEW_YORK,
            vec![window(Weekday::Monday, time!(09:00), time!(12:00))],
            vec![],
        )
        .unwrap()
    }

    #[test]
    fn new_york_monday_morning_is_14_to_17_utc_in_january() {
        // 2026-01-05 is a Monday; New York is on EST (UTC-5).
        let slots = monday_morning_new_york()
            .free_slots(
                datetime!(2026-01-05 00:00 UTC),
                datetime!(2026-01-06 00:00 UTC),
                minutes(60),
                &[],
            )
            .unwrap();
        assert_eq!(
            starts(&slots),
            vec![
                datetime!(2026-01-05 14:00 UTC),
                datetime!(2026-01-05 15:00 UTC),
                datetime!(2026-01-05 16:00 UTC),
            ]
        );
        assert!(slots.iter().all(|s| s.end - s.start == minutes(60)));
    }

    #[test]
    fn new_york_monday_morning_is_13_to_16_utc_in_july() {
        // 2026-07-06 is a Monday; New York is on EDT (UTC-4).
        let slots = monday_morning_new_york()
            .free_slots(
                datetime!(2026-07-06 00:00 UTC),
                datetime!(2026-07-07 00:00 UTC),
                minutes(60),
                &[],
            )
            .unwrap();
        assert_eq!(
            starts(&slots),
            vec![
                datetime!(2026-07-06 13:00 UTC),
                datetime!(2026-07-06 14:00 UTC),
                datetime!(2026-07-06 15:00 UTC),
            ]
        );
    }

    fn sunday_early_new_york() -> Availability {
        Availability::new(
            NEW_YORK,
            vec![window(Weekday::Sunday, time!(01:00), time!(04:00))],
            vec![],
        )
        .unwrap()
    }

    fn sunday_slots(availability: &Availability, day: Date) -> Vec<Interval> {
        let from = day.midnight().assume_utc();
        availability
            .free_slots(from, from + Duration::days(1), minutes(60), &[])
            .unwrap()
    }

    #[test]
    fn ordinary_sunday_window_gives_three_hourly_slots() {
        // 2026-03-01, EST all night: 01:00-04:00 EST = 06:00-09:00 UTC.
        let slots = sunday_slots(&sunday_early_new_york(), date!(2026 - 03 - 01));
        assert_eq!(
            starts(&slots),
            vec![
                datetime!(2026-03-01 06:00 UTC),
                datetime!(2026-03-01 07:00 UTC),
                datetime!(2026-03-01 08:00 UTC),
            ]
        );
    }

    #[test]
    fn spring_forward_sunday_window_is_two_real_hours() {
        // 2026-03-08: at 02:00 EST clocks jump to 03:00 EDT, so 02:00-03:00 local does
        // not exist. Start 01:00 EST (UTC-5) = 06:00 UTC; end 04:00 EDT (UTC-4) =
        // 08:00 UTC. Only two real hours: slots at 06:00 UTC (01:00 EST) and 07:00 UTC
        // (03:00 EDT).
        let slots = sunday_slots(&sunday_early_new_york(), date!(2026 - 03 - 08));
        assert_eq!(
            slots,
            vec![
                interval(
                    datetime!(2026-03-08 06:00 UTC),
                    datetime!(2026-03-08 07:00 UTC)
                ),
                interval(
                    datetime!(2026-03-08 07:00 UTC),
                    datetime!(2026-03-08 08:00 UTC)
                ),
            ]
        );
    }

    #[test]
    fn fall_back_sunday_window_is_four_real_hours_starting_at_the_earlier_offset() {
        // 2026-11-01: at 02:00 EDT clocks fall back to 01:00 EST, so 01:00-02:00 local
        // happens twice. The start 01:00 is ambiguous and "compatible" takes the earlier
        // offset, EDT (UTC-4) = 05:00 UTC; the end 04:00 EST (UTC-5) = 09:00 UTC. Four
        // real hours: 05:00, 06:00 (the second 01:00, EST), 07:00, 08:00 UTC.
        let slots = sunday_slots(&sunday_early_new_york(), date!(2026 - 11 - 01));
        assert_eq!(
            starts(&slots),
            vec![
                datetime!(2026-11-01 05:00 UTC),
                datetime!(2026-11-01 06:00 UTC),
                datetime!(2026-11-01 07:00 UTC),
                datetime!(2026-11-01 08:00 UTC),
            ]
        );
    }

    #[test]
    fn window_starting_inside_the_spring_gap_moves_forward() {
        // 02:30 does not exist on 2026-03-08; "compatible" reads it with the offset
        // before the gap (EST, UTC-5): 07:30 UTC, i.e. 03:30 EDT. The end 04:00 EDT is
        // 08:00 UTC, leaving one 30-minute slot.
        let availability = Availability::new(
            NEW_YORK,
            vec![window(Weekday::Sunday, time!(02:30), time!(04:00))],
            vec![],
        )
        .unwrap();
        let slots = availability
            .free_slots(
                datetime!(2026-03-08 00:00 UTC),
                datetime!(2026-03-09 00:00 UTC),
                minutes(30),
                &[],
            )
            .unwrap();
        assert_eq!(
            slots,
            vec![interval(
                datetime!(2026-03-08 07:30 UTC),
                datetime!(2026-03-08 08:00 UTC)
            )]
        );
    }

    #[test]
    fn windows_in_the_spring_gap_shift_forward_or_vanish() {
        // 02:15-02:45 does not exist on 2026-03-08: both ends move forward by an hour
        // to 03:15-03:45 EDT = 07:15-07:45 UTC, still 30 minutes long.
        let availability = Availability::new(
            NEW_YORK,
            vec![window(Weekday::Sunday, time!(02:15), time!(02:45))],
            vec![],
        )
        .unwrap();
        let slots = availability
            .free_slots(
                datetime!(2026-03-08 00:00 UTC),
                datetime!(2026-03-09 00:00 UTC),
                minutes(30),
                &[],
            )
            .unwrap();
        assert_eq!(starts(&slots), vec![datetime!(2026-03-08 07:15 UTC)]);
        // But a window straddling the gap end (02:30-03:00) maps to 07:30-07:00 UTC:
        // empty, so no slot.
        let inverted = Availability::new(
            NEW_YORK,
            vec![window(Weekday::Sunday, time!(02:30), time!(03:00))],
            vec![],
        )
        .unwrap();
        let none = inverted
            .free_slots(
                datetime!(2026-03-08 00:00 UTC),
                datetime!(2026-03-09 00:00 UTC),
                minutes(15),
                &[],
            )
            .unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn kolkata_half_hour_offset_without_dst() {
        // IST is UTC+05:30 all year: Monday 09:00-12:00 IST = 03:30-06:30 UTC, in
        // January and July alike.
        let availability = Availability::new(
            "Asia/Kolkata",
            vec![window(Weekday::Monday, time!(09:00), time!(12:00))],
            vec![],
        )
        .unwrap();
        for day in [date!(2026 - 01 - 05), date!(2026 - 07 - 06)] {
            let from = day.midnight().assume_utc();
            let slots = availability
                .free_slots(from, from + Duration::days(1), minutes(90), &[])
                .unwrap();
            assert_eq!(
                starts(&slots),
                vec![
                    day.with_time(time!(03:30)).assume_utc(),
                    day.with_time(time!(05:00)).assume_utc(),
                ]
            );
        }
    }

    #[test]
    fn kolkata_monday_morning_seen_from_utc_sunday_evening() {
        // Monday 00:00-01:00 IST is Sunday 18:30-19:30 UTC: the local date differs from
        // the UTC date, and the query is entirely on the UTC Sunday.
        let availability = Availability::new(
            "Asia/Kolkata",
            vec![window(Weekday::Monday, time!(00:00), time!(01:00))],
            vec![],
        )
        .unwrap();
        let slots = availability
            .free_slots(
                datetime!(2026-01-04 12:00 UTC),
                datetime!(2026-01-04 20:00 UTC),
                minutes(30),
                &[],
            )
            .unwrap();
        assert_eq!(
            starts(&slots),
            vec![
                datetime!(2026-01-04 18:30 UTC),
                datetime!(2026-01-04 19:00 UTC)
            ]
        );
    }

    #[test]
    fn blocked_exception_removes_that_date_only() {
        let availability = Availability::new(
            NEW_YORK,
            vec![window(Weekday::Monday, time!(09:00), time!(12:00))],
            vec![AvailabilityException {
                date: date!(2026 - 01 - 05),
                kind: ExceptionKind::Blocked,
            }],
        )
        .unwrap();
        let slots = availability
            .free_slots(
                datetime!(2026-01-05 00:00 UTC),
                datetime!(2026-01-13 00:00 UTC),
                minutes(60),
                &[],
            )
            .unwrap();
        assert_eq!(
            starts(&slots),
            vec![
                datetime!(2026-01-12 14:00 UTC),
                datetime!(2026-01-12 15:00 UTC),
                datetime!(2026-01-12 16:00 UTC),
            ]
        );
    }

    #[test]
    fn extra_window_adds_slots_on_a_date_without_weekly_window() {
        // 2026-01-07 is a Wednesday; the only weekly window is on Monday.
        let availability = Availability::new(
            NEW_YORK,
            vec![window(Weekday::Monday, time!(09:00), time!(12:00))],
            vec![AvailabilityException {
                date: date!(2026 - 01 - 07),
                kind: ExceptionKind::ExtraWindow {
                    start: time!(18:00),
                    end: time!(19:00),
                },
            }],
        )
        .unwrap();
        let slots = availability
            .free_slots(
                datetime!(2026-01-06 00:00 UTC),
                datetime!(2026-01-09 00:00 UTC),
                minutes(30),
                &[],
            )
            .unwrap();
        // 18:00 EST = 23:00 UTC.
        assert_eq!(
            starts(&slots),
            vec![
                datetime!(2026-01-07 23:00 UTC),
                datetime!(2026-01-07 23:30 UTC)
            ]
        );
    }

    #[test]
    fn blocked_day_with_extra_window_replaces_the_weekly_hours() {
        let availability = Availability::new(
            NEW_YORK,
            vec![window(Weekday::Monday, time!(09:00), time!(12:00))],
            vec![
                AvailabilityException {
                    date: date!(2026 - 01 - 05),
                    kind: ExceptionKind::ExtraWindow {
                        start: time!(13:00),
                        end: time!(14:00),
                    },
                },
                AvailabilityException {
                    date: date!(2026 - 01 - 05),
                    kind: ExceptionKind::Blocked,
                },
            ],
        )
        .unwrap();
        let slots = availability
            .free_slots(
                datetime!(2026-01-05 00:00 UTC),
                datetime!(2026-01-06 00:00 UTC),
                minutes(60),
                &[],
            )
            .unwrap();
        assert_eq!(starts(&slots), vec![datetime!(2026-01-05 18:00 UTC)]);
    }

    #[test]
    fn extra_window_overlapping_weekly_window_never_yields_overlapping_slots() {
        // Weekly 09:00-12:00 EST (14:00-17:00 UTC) and extra 09:30-11:30 on the same
        // Monday: the earlier slot wins wherever they collide.
        let availability = Availability::new(
            NEW_YORK,
            vec![window(Weekday::Monday, time!(09:00), time!(12:00))],
            vec![AvailabilityException {
                date: date!(2026 - 01 - 05),
                kind: ExceptionKind::ExtraWindow {
                    start: time!(09:30),
                    end: time!(11:30),
                },
            }],
        )
        .unwrap();
        let slots = availability
            .free_slots(
                datetime!(2026-01-05 00:00 UTC),
                datetime!(2026-01-06 00:00 UTC),
                minutes(60),
                &[],
            )
            .unwrap();
        assert_eq!(
            starts(&slots),
            vec![
                datetime!(2026-01-05 14:00 UTC),
                datetime!(2026-01-05 15:00 UTC),
                datetime!(2026-01-05 16:00 UTC),
            ]
        );
    }

    #[test]
    fn busy_session_removes_only_overlapping_slots() {
        let busy = [interval(
            datetime!(2026-01-05 15:00 UTC),
            datetime!(2026-01-05 16:00 UTC),
        )];
        let slots = monday_morning_new_york()
            .free_slots(
                datetime!(2026-01-05 00:00 UTC),
                datetime!(2026-01-06 00:00 UTC),
                minutes(60),
                &busy,
            )
            .unwrap();
        // 14:00-15:00 and 16:00-17:00 only touch the session, so they stay.
        assert_eq!(
            starts(&slots),
            vec![
                datetime!(2026-01-05 14:00 UTC),
                datetime!(2026-01-05 16:00 UTC)
            ]
        );
    }

    #[test]
    fn busy_interval_partially_covering_a_slot_removes_it() {
        let busy = [interval(
            datetime!(2026-01-05 14:45 UTC),
            datetime!(2026-01-05 15:15 UTC),
        )];
        let slots = monday_morning_new_york()
            .free_slots(
                datetime!(2026-01-05 00:00 UTC),
                datetime!(2026-01-06 00:00 UTC),
                minutes(60),
                &busy,
            )
            .unwrap();
        assert_eq!(starts(&slots), vec![datetime!(2026-01-05 16:00 UTC)]);
    }

    #[test]
    fn range_clips_slots_that_do_not_fit_entirely() {
        // Window 14:00-17:00 UTC; range 14:30-16:30 keeps only the 15:00 slot: 14:00
        // starts before `from`, 16:00 ends after `to`.
        let slots = monday_morning_new_york()
            .free_slots(
                datetime!(2026-01-05 14:30 UTC),
                datetime!(2026-01-05 16:30 UTC),
                minutes(60),
                &[],
            )
            .unwrap();
        assert_eq!(starts(&slots), vec![datetime!(2026-01-05 15:00 UTC)]);
        // Slots keep their window-aligned grid: they are not re-aligned to `from`.
        let exact = monday_morning_new_york()
            .free_slots(
                datetime!(2026-01-05 15:00 UTC),
                datetime!(2026-01-05 16:00 UTC),
                minutes(60),
                &[],
            )
            .unwrap();
        assert_eq!(starts(&exact), vec![datetime!(2026-01-05 15:00 UTC)]);
    }

    #[test]
    fn range_given_with_non_utc_offset_is_the_same_instants() {
        let slots = monday_morning_new_york()
            .free_slots(
                datetime!(2026-01-05 09:00 -5),
                datetime!(2026-01-05 12:00 -5),
                minutes(60),
                &[],
            )
            .unwrap();
        assert_eq!(slots.len(), 3);
        assert!(slots.iter().all(|s| s.start.offset() == UtcOffset::UTC));
        assert_eq!(slots[0].start, datetime!(2026-01-05 14:00 UTC));
    }

    #[test]
    fn bad_query_inputs_are_refused() {
        let a = monday_morning_new_york();
        let from = datetime!(2026-01-05 00:00 UTC);
        let day = Duration::days(1);
        assert_eq!(
            a.free_slots(from, from, minutes(60), &[]),
            Err(AvailabilityError::EmptyRange)
        );
        assert_eq!(
            a.free_slots(from, from - day, minutes(60), &[]),
            Err(AvailabilityError::EmptyRange)
        );
        assert_eq!(
            a.free_slots(
                from,
                from + Duration::days(MAX_QUERY_DAYS) + minutes(1),
                minutes(60),
                &[]
            ),
            Err(AvailabilityError::RangeTooLong {
                max_days: MAX_QUERY_DAYS
            })
        );
        assert!(
            a.free_slots(
                from,
                from + Duration::days(MAX_QUERY_DAYS),
                minutes(60),
                &[]
            )
            .is_ok()
        );
        for bad in [
            minutes(14),
            minutes(481),
            minutes(0),
            minutes(-60),
            Duration::seconds(30 * 60 + 1),
            Duration::minutes(30) + Duration::nanoseconds(1),
        ] {
            assert_eq!(
                a.free_slots(from, from + day, bad, &[]),
                Err(AvailabilityError::BadDuration),
                "{bad}"
            );
        }
        assert!(a.free_slots(from, from + day, minutes(15), &[]).is_ok());
        assert!(a.free_slots(from, from + day, minutes(480), &[]).is_ok());
    }

    #[test]
    fn empty_windows_and_intervals_are_refused() {
        assert_eq!(
            WeeklyWindow::new(Weekday::Monday, time!(10:00), time!(10:00)),
            Err(AvailabilityError::EmptyWindow)
        );
        assert_eq!(
            WeeklyWindow::new(Weekday::Monday, time!(22:00), time!(01:00)),
            Err(AvailabilityError::EmptyWindow)
        );
        // Bypassing the constructor is caught by Availability::new.
        let raw = WeeklyWindow {
            weekday: Weekday::Monday,
            start: time!(12:00),
            end: time!(09:00),
        };
        assert_eq!(
            Availability::new(NEW_YORK, vec![raw], vec![]),
            Err(AvailabilityError::EmptyWindow)
        );
        let bad_extra = AvailabilityException {
            date: date!(2026 - 01 - 05),
            kind: ExceptionKind::ExtraWindow {
                start: time!(12:00),
                end: time!(12:00),
            },
        };
        assert_eq!(
            Availability::new(NEW_YORK, vec![], vec![bad_extra]),
            Err(AvailabilityError::EmptyWindow)
        );
        let t = datetime!(2026-01-05 10:00 UTC);
        assert_eq!(Interval::new(t, t), Err(AvailabilityError::EmptyInterval));
    }

    #[test]
    fn unknown_timezone_is_refused() {
        for name in ["Mars/Olympus", "", "   "] {
            assert_eq!(
                Availability::new(name, vec![], vec![]),
                Err(AvailabilityError::UnknownTimezone)
            );
        }
        assert_eq!(
            Availability::new(" Asia/Kolkata ", vec![], vec![])
                .unwrap()
                .timezone(),
            "Asia/Kolkata"
        );
    }

    #[test]
    fn too_many_rules_are_refused() {
        let windows: Vec<WeeklyWindow> = (0..=MAX_WINDOWS)
            .map(|i| {
                let minute = u8::try_from(i % 60).unwrap();
                let hour = u8::try_from(i / 60).unwrap();
                let start = Time::from_hms(hour, minute, 0).unwrap();
                window(Weekday::Tuesday, start, start + Duration::seconds(30))
            })
            .collect();
        assert_eq!(
            Availability::new(NEW_YORK, windows.clone(), vec![]),
            Err(AvailabilityError::TooManyRules)
        );
        assert!(Availability::new(NEW_YORK, windows[..MAX_WINDOWS].to_vec(), vec![]).is_ok());

        let exceptions: Vec<AvailabilityException> = (0..=MAX_EXCEPTIONS)
            .map(|i| AvailabilityException {
                date: date!(2026 - 01 - 01) + Duration::days(i64::try_from(i).unwrap()),
                kind: ExceptionKind::Blocked,
            })
            .collect();
        assert_eq!(
            Availability::new(NEW_YORK, vec![], exceptions.clone()),
            Err(AvailabilityError::TooManyRules)
        );
        assert!(Availability::new(NEW_YORK, vec![], exceptions[..MAX_EXCEPTIONS].to_vec()).is_ok());
    }

    #[test]
    fn overlapping_windows_on_the_same_weekday_are_refused() {
        assert_eq!(
            Availability::new(
                NEW_YORK,
                vec![
                    window(Weekday::Monday, time!(11:00), time!(13:00)),
                    window(Weekday::Monday, time!(09:00), time!(12:00)),
                ],
                vec![],
            ),
            Err(AvailabilityError::OverlappingWindows {
                weekday: Weekday::Monday
            })
        );
        // Touching windows, and the same hours on different days, are fine.
        let ok = Availability::new(
            NEW_YORK,
            vec![
                window(Weekday::Tuesday, time!(09:00), time!(12:00)),
                window(Weekday::Monday, time!(12:00), time!(13:00)),
                window(Weekday::Monday, time!(09:00), time!(12:00)),
            ],
            vec![],
        )
        .unwrap();
        assert_eq!(
            ok.windows(),
            &[
                window(Weekday::Monday, time!(09:00), time!(12:00)),
                window(Weekday::Monday, time!(12:00), time!(13:00)),
                window(Weekday::Tuesday, time!(09:00), time!(12:00)),
            ]
        );
    }

    #[test]
    fn overlapping_extra_windows_on_the_same_date_are_refused() {
        let extra = |start, end| AvailabilityException {
            date: date!(2026 - 01 - 07),
            kind: ExceptionKind::ExtraWindow { start, end },
        };
        assert_eq!(
            Availability::new(
                NEW_YORK,
                vec![],
                vec![
                    extra(time!(10:00), time!(12:00)),
                    extra(time!(11:00), time!(13:00))
                ],
            ),
            Err(AvailabilityError::OverlappingExtraWindows {
                date: date!(2026 - 01 - 07)
            })
        );
        assert!(
            Availability::new(
                NEW_YORK,
                vec![],
                vec![
                    extra(time!(12:00), time!(13:00)),
                    extra(time!(10:00), time!(12:00))
                ],
            )
            .is_ok()
        );
    }

    #[test]
    fn touching_intervals_do_not_overlap() {
        let a = interval(
            datetime!(2026-01-05 10:00 UTC),
            datetime!(2026-01-05 11:00 UTC),
        );
        let b = interval(
            datetime!(2026-01-05 11:00 UTC),
            datetime!(2026-01-05 12:00 UTC),
        );
        let c = interval(
            datetime!(2026-01-05 10:59 UTC),
            datetime!(2026-01-05 11:01 UTC),
        );
        assert!(!a.overlaps(&b) && !b.overlaps(&a));
        assert!(a.overlaps(&c) && c.overlaps(&b) && a.overlaps(&a));
        let inverted = Interval {
            start: b.end,
            end: a.start,
        };
        assert!(!inverted.overlaps(&a) && !a.overlaps(&inverted));
    }

    // ---- property test ----

    /// The UTC windows of one local date, computed independently of the module's own
    /// helpers (via `Zoned`, whose civil-to-zoned conversion is also "compatible").
    fn reference_utc_windows(a: &Availability, date: Date) -> Vec<Interval> {
        let tz = jiff::tz::TimeZone::get(a.timezone()).unwrap();
        let to_utc = |t: Time| {
            let dt = jiff::civil::date(
                i16::try_from(date.year()).unwrap(),
                i8::try_from(u8::from(date.month())).unwrap(),
                i8::try_from(date.day()).unwrap(),
            )
            .at(
                i8::try_from(t.hour()).unwrap(),
                i8::try_from(t.minute()).unwrap(),
                0,
                0,
            );
            let zoned = dt.to_zoned(tz.clone()).unwrap();
            OffsetDateTime::from_unix_timestamp(zoned.timestamp().as_second()).unwrap()
        };
        let todays: Vec<_> = a.exceptions().iter().filter(|e| e.date == date).collect();
        let blocked = todays.iter().any(|e| e.kind == ExceptionKind::Blocked);
        let mut local: Vec<(Time, Time)> = Vec::new();
        if !blocked {
            local.extend(
                a.windows()
                    .iter()
                    .filter(|w| w.weekday == date.weekday())
                    .map(|w| (w.start, w.end)),
            );
        }
        for e in todays {
            if let ExceptionKind::ExtraWindow { start, end } = e.kind {
                local.push((start, end));
            }
        }
        local
            .into_iter()
            .map(|(s, e)| Interval {
                start: to_utc(s),
                end: to_utc(e),
            })
            .collect()
    }

    const WEEKDAYS: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    fn quarter(q: u16) -> Time {
        // 0..=95 quarters of an hour.
        Time::from_hms(
            u8::try_from(q / 4).unwrap(),
            u8::try_from((q % 4) * 15).unwrap(),
            0,
        )
        .unwrap()
    }

    /// Non-overlapping windows per weekday: sorted distinct quarter-hour boundaries,
    /// paired up.
    fn weekly_windows() -> impl Strategy<Value = Vec<WeeklyWindow>> {
        proptest::collection::vec(proptest::collection::btree_set(0u16..96, 0..8), 7).prop_map(
            |days| {
                let mut out = Vec::new();
                for (weekday, bounds) in WEEKDAYS.iter().zip(days) {
                    let bounds: Vec<u16> = bounds.into_iter().collect();
                    for pair in bounds.chunks_exact(2) {
                        out.push(WeeklyWindow {
                            weekday: *weekday,
                            start: quarter(pair[0]),
                            end: quarter(pair[1]),
                        });
                    }
                }
                out
            },
        )
    }

    /// Base dates around both 2026 New York transitions plus an ordinary period.
    fn base_instant() -> impl Strategy<Value = OffsetDateTime> {
        (
            prop_oneof![
                Just(datetime!(2026-03-01 00:00 UTC)),
                Just(datetime!(2026-10-25 00:00 UTC)),
                Just(datetime!(2026-06-01 00:00 UTC)),
            ],
            0i64..(14 * 24 * 60),
        )
            .prop_map(|(base, offset)| base + Duration::minutes(offset))
    }

    fn exceptions_near(base: OffsetDateTime) -> impl Strategy<Value = Vec<AvailabilityException>> {
        let base_date = base.date();
        proptest::collection::btree_map(
            0i64..24,
            prop_oneof![
                Just(None),
                (0u16..95, 1u16..96).prop_map(|(s, len)| Some((s, (s + len).min(95).max(s + 1)))),
            ],
            0..6,
        )
        .prop_map(move |map| {
            map.into_iter()
                .map(|(day, kind)| AvailabilityException {
                    date: base_date + Duration::days(day - 3),
                    kind: match kind {
                        None => ExceptionKind::Blocked,
                        Some((s, e)) => ExceptionKind::ExtraWindow {
                            start: quarter(s),
                            end: quarter(e),
                        },
                    },
                })
                .collect()
        })
    }

    fn scenario() -> impl Strategy<
        Value = (
            Vec<WeeklyWindow>,
            Vec<AvailabilityException>,
            OffsetDateTime,
            OffsetDateTime,
            i64,
            Vec<Interval>,
        ),
    > {
        base_instant().prop_flat_map(|from| {
            (
                weekly_windows(),
                exceptions_near(from),
                Just(from),
                1i64..(20 * 24 * 60),
                (1i64..=16).prop_map(|q| q * 15),
                proptest::collection::vec((0i64..(20 * 24 * 60), 1i64..300), 0..12),
            )
                .prop_map(|(windows, exceptions, from, len, dur, busy)| {
                    let busy = busy
                        .into_iter()
                        .map(|(s, l)| Interval {
                            start: from + Duration::minutes(s),
                            end: from + Duration::minutes(s + l),
                        })
                        .collect();
                    (
                        windows,
                        exceptions,
                        from,
                        from + Duration::minutes(len),
                        dur,
                        busy,
                    )
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn free_slots_lie_in_windows_avoid_busy_and_never_overlap(
            (windows, exceptions, from, to, dur, busy) in scenario()
        ) {
            let availability = Availability::new(NEW_YORK, windows, exceptions).unwrap();
            let duration = Duration::minutes(dur);
            let slots = availability.free_slots(from, to, duration, &busy).unwrap();

            let tz = jiff::tz::TimeZone::get(NEW_YORK).unwrap();
            for slot in &slots {
                prop_assert_eq!(slot.end - slot.start, duration);
                prop_assert!(from <= slot.start && slot.end <= to);
                prop_assert_eq!(slot.start.offset(), UtcOffset::UTC);
                for b in &busy {
                    prop_assert!(!(slot.start < b.end && b.start < slot.end), "{:?} overlaps busy {:?}", slot, b);
                }
                // The slot must sit inside one window of a nearby local date.
                let ts = jiff::Timestamp::from_second(slot.start.unix_timestamp()).unwrap();
                let civil = tz.to_datetime(ts).date();
                let local = Date::from_calendar_date(
                    i32::from(civil.year()),
                    Month::try_from(u8::try_from(civil.month()).unwrap()).unwrap(),
                    u8::try_from(civil.day()).unwrap(),
                ).unwrap();
                let inside = [local.previous_day().unwrap(), local, local.next_day().unwrap()]
                    .into_iter()
                    .flat_map(|d| reference_utc_windows(&availability, d))
                    .any(|w| w.start <= slot.start && slot.end <= w.end);
                prop_assert!(inside, "{:?} is in no window", slot);
            }
            for pair in slots.windows(2) {
                prop_assert!(pair[0].end <= pair[1].start, "{:?} overlaps {:?}", pair[0], pair[1]);
            }
        }

        #[test]
        fn without_busy_or_exceptions_every_whole_window_is_used(
            windows in weekly_windows(),
            start_minute in 0i64..(24 * 60),
            dur in (1i64..=16).prop_map(|q| q * 15),
        ) {
            // Completeness, away from DST transitions (June in New York), where weekly
            // windows cannot collide in UTC: every window lying well inside the range
            // yields exactly floor(length / duration) slots.
            let availability = Availability::new(NEW_YORK, windows, vec![]).unwrap();
            let from = datetime!(2026-06-01 00:00 UTC) + Duration::minutes(start_minute);
            let to = from + Duration::days(14);
            let duration = Duration::minutes(dur);
            let slots = availability.free_slots(from, to, duration, &[]).unwrap();
            let mut date = from.date().next_day().unwrap().next_day().unwrap();
            while date < to.date().previous_day().unwrap() {
                for w in reference_utc_windows(&availability, date) {
                    let expected = (w.end - w.start).whole_minutes() / dur;
                    let got = slots.iter().filter(|s| w.start <= s.start && s.end <= w.end).count();
                    prop_assert_eq!(i64::try_from(got).unwrap(), expected);
                }
                date = date.next_day().unwrap();
            }
        }
    }
}
