//! The end-to-end tests, in one test binary (`--test it`) so that the whole server is
//! linked once, not once per file. Each module drives the real server over HTTP through
//! the `lyceum_e2e` support library, on SQLite and, when configured, PostgreSQL.
//!
//! A new area is a new module here plus its file in `tests/it/`.

mod calendar;
mod idempotency;
mod identity;
mod live_events;
mod mentoring;
mod mentoring_concurrency;
mod mentoring_rules;
mod platform;
mod serving;
mod text;
mod wallet;
