//! Time-driven work: expiring seat holds, starting and completing sessions, and session
//! reminders (to every booked learner, and once per session to its mentor). Each step
//! claims its work through guarded database updates (a row changes state for exactly one
//! caller) and reminders are deduplicated by key, so several server
//! processes on one PostgreSQL can run the jobs at once without doing anything twice, and
//! work missed during a restart is picked up by the next run.

use lyceum_domain::community::NotificationKind;
use time::Duration;

use crate::community::{NotificationDraft, fact_time};
use crate::{AppError, Lyceum};
use lyceum_domain::community::{Subject, SubjectKind};

/// What one run of the jobs did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobReport {
    /// Holds expired (seats freed).
    pub holds_expired: usize,
    /// Sessions that became active.
    pub sessions_started: usize,
    /// Sessions completed.
    pub sessions_completed: usize,
    /// Reminders sent.
    pub reminders_sent: usize,
    /// Expired idempotency keys deleted.
    pub idempotency_keys_purged: u64,
}

impl Lyceum {
    /// Runs every job once.
    pub async fn run_jobs(&self) -> Result<JobReport, AppError> {
        let now = self.ports.clock.now();
        let mut report = JobReport::default();

        let tell = self.notices_per_booking(|booking| {
            Some(NotificationDraft {
                user_id: booking.learner_id,
                kind: NotificationKind::BookingCancelled,
                subject: Subject::new(SubjectKind::Booking, booking.id),
                data: serde_json::json!({"booking_id": booking.id, "session_id": booking.session_id, "reason": "hold_expired"}),
            })
        });
        report.holds_expired = self.ports.bookings.expire_holds(now, tell).await?.len();

        report.sessions_started = self.ports.sessions.start_due(now).await?.len();
        report.sessions_completed = self.ports.sessions.complete_due(now).await?.len();

        let reminders = [
            (
                NotificationKind::SessionReminder24h,
                "reminder_24h",
                Duration::hours(1),
                Duration::hours(24),
            ),
            (
                NotificationKind::SessionReminder1h,
                "reminder_1h",
                Duration::ZERO,
                Duration::hours(1),
            ),
        ];
        for (kind, key, from, to) in reminders {
            let due = self.ports.bookings.starting_within(now, from, to).await?;
            let mut mentors_told = std::collections::HashSet::new();
            for (booking, session) in &due {
                // The mentor hears once per session, however many learners booked it.
                if mentors_told.insert(session.id) {
                    let sent = self
                        .notify(
                            NotificationDraft {
                                user_id: session.mentor_id,
                                kind,
                                subject: Subject::new(SubjectKind::SessionRoster, session.id),
                                data: serde_json::json!({"audience": "mentor", "session_id": session.id, "session_title": session.title.as_str(),
                                                         "starts_at": fact_time(session.starts_at), "meeting_url": session.meeting_url.as_str()}),
                            },
                            Some(format!("{key}:session:{}", session.id)),
                        )
                        .await;
                    report.reminders_sent += usize::from(sent);
                }
                let sent = self
                    .notify(
                        NotificationDraft {
                            user_id: booking.learner_id,
                            kind,
                            subject: Subject::new(SubjectKind::MentoringSession, session.id),
                            data: serde_json::json!({"audience": "learner", "session_id": session.id, "session_title": session.title.as_str(),
                                                     "starts_at": fact_time(session.starts_at), "booking_id": booking.id,
                                                     "meeting_url": session.meeting_url.as_str()}),
                        },
                        Some(format!("{key}:{}", booking.id)),
                    )
                    .await;
                report.reminders_sent += usize::from(sent);
            }
        }
        report.idempotency_keys_purged = self.ports.idempotency_keys.purge_expired(now).await?;
        Ok(report)
    }
}
