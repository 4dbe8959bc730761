//! Community and notifications (PeerLearn, Edupeak).
//!
//! Seed rules implemented here (what the seeds are: docs/domain-model.md): notifications
//! per user with a type, title, message, link and data, read or unread (PeerLearn
//! Notification, Edupeak notification).

mod notification;

pub use notification::{Notification, NotificationKind, Subject, SubjectKind};
