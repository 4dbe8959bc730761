//! Community adapters: per-user notifications.
//!
//! Database guard: a notification with a dedupe key is stored once
//! (`ux_notifications_dedupe_key`, `INSERT … ON CONFLICT DO NOTHING`), so reminder jobs
//! running in several processes notify once.

pub(crate) mod entities;
mod notifications;

pub use notifications::NotificationStore;
pub(crate) use notifications::from_row as notification_from_row;
pub(crate) use notifications::insert_notification;
