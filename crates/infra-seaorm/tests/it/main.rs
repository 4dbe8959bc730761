//! The SeaORM adapters' integration tests, in one test binary (`--test it`) so that
//! sea-orm and the adapters are linked once, not once per file. Each module is one area;
//! its tests run every body on SQLite and, when configured, PostgreSQL.
//!
//! A new area is a new module here, not a new file directly in `tests/` (that would be
//! a binary of its own).

mod common;

mod auth;
mod database;
mod harness;
mod idempotency;
mod live;
mod mentoring_availability;
mod mentoring_bookings;
mod mentoring_calendar_feeds;
mod mentoring_feedback;
mod mentoring_messages;
mod mentoring_notifications;
mod mentoring_requests;
mod mentoring_sessions;
mod migrations;
mod profile_data;
mod users;
mod wallet;
