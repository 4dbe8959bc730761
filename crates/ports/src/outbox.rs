//! The transactional outbox: what a command owes other people besides its change.
//!
//! A command that writes (a booking, a cancellation, a message, a registration) often
//! causes notifications and mail. They are written in the same transaction as the change
//! itself, so a crash can never keep the booking and lose its notifications, nor send a
//! mail for a registration that rolled back; and a command costs one commit, not one per
//! notification. Repository methods of commands take an [`Outbox`] (or
//! [`BookingNotices`] when the affected bookings are only known inside the transaction)
//! and write it with the change; a change that is refused, or that replays an earlier
//! request, writes none of it. Mail in the outbox is delivered afterwards by a relay,
//! which can retry: the committed row is the promise that the mail is due.

use lyceum_domain::community::Notification;
use lyceum_domain::mentoring::Booking;

use crate::system::OutgoingMail;

/// A notification that is due, with the key that makes it once-only across processes
/// (reminders); `None` for one-off notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The notification, with its id and time.
    pub notification: Notification,
    /// With a key, a second notice with the same key is silently not stored.
    pub dedupe_key: Option<String>,
}

impl Notice {
    /// A one-off notification.
    pub fn once(notification: Notification) -> Self {
        Self {
            notification,
            dedupe_key: None,
        }
    }
}

/// The notifications and mail a command causes, committed with its change or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outbox {
    /// Notifications to store.
    pub notices: Vec<Notice>,
    /// Mail to queue for the relay.
    pub mail: Vec<OutgoingMail>,
}

impl Outbox {
    /// Nothing to tell anyone.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Just these notices.
    pub fn notices(notices: Vec<Notice>) -> Self {
        Self {
            notices,
            mail: Vec::new(),
        }
    }

    /// Just this mail.
    pub fn mail(mail: OutgoingMail) -> Self {
        Self {
            notices: Vec::new(),
            mail: vec![mail],
        }
    }

    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.notices.is_empty() && self.mail.is_empty()
    }
}

/// The notices a change owes each booking it touched, for changes whose bookings are only
/// known inside their transaction (cancelling or moving a whole session, expiring holds):
/// the use case words the facts, the adapter calls it for every booking it changed and
/// writes the result in the same transaction.
pub type BookingNotices = Box<dyn Fn(&Booking) -> Vec<Notice> + Send + Sync>;
