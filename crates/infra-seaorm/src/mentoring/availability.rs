//! [`AvailabilityStore`]: one row per mentor, windows and exceptions as JSON text
//! (portable, and only ever read whole):
//! `[{"weekday":"monday","start":"09:00","end":"12:00"}]` and
//! `[{"date":"2026-12-25","kind":"blocked"}, {"date":"…","kind":"extra","start":"…","end":"…"}]`.

use async_trait::async_trait;
use lyceum_domain::mentoring::availability::{
    Availability, AvailabilityException, ExceptionKind, WeeklyWindow,
};
use lyceum_ports::RepoError;
use lyceum_ports::mentoring::AvailabilityRepository;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time, Weekday};
use uuid::Uuid;

use super::entities::mentor_availability;
use super::guards::stmt;
use crate::database::{Database, corrupt, db_time, is_foreign_key_violation, unavailable};

/// Mentors' availability on SeaORM.
#[derive(Debug, Clone)]
pub struct AvailabilityStore {
    db: Database,
}

impl AvailabilityStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

#[derive(Serialize, Deserialize)]
struct WindowJson {
    weekday: String,
    start: String,
    end: String,
}

#[derive(Serialize, Deserialize)]
struct ExceptionJson {
    date: String,
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end: Option<String>,
}

const HH_MM: &[FormatItem<'static>] = format_description!("[hour]:[minute]");
const HH_MM_SS: &[FormatItem<'static>] = format_description!("[hour]:[minute]:[second]");
const DATE: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "monday"),
    (Weekday::Tuesday, "tuesday"),
    (Weekday::Wednesday, "wednesday"),
    (Weekday::Thursday, "thursday"),
    (Weekday::Friday, "friday"),
    (Weekday::Saturday, "saturday"),
    (Weekday::Sunday, "sunday"),
];

fn weekday_name(day: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(d, _)| *d == day)
        .map_or("monday", |(_, name)| name)
}

fn parse_weekday(name: &str) -> Option<Weekday> {
    WEEKDAYS.iter().find(|(_, n)| *n == name).map(|(d, _)| *d)
}

/// `HH:MM`, or `HH:MM:SS` when the time has seconds, so nothing is lost.
fn format_time(at: Time) -> String {
    let format = if at.second() == 0 { HH_MM } else { HH_MM_SS };
    at.format(format).unwrap_or_default()
}

fn parse_time(raw: &str) -> Option<Time> {
    Time::parse(raw, HH_MM)
        .or_else(|_| Time::parse(raw, HH_MM_SS))
        .ok()
}

fn to_json(availability: &Availability) -> Result<(String, String), RepoError> {
    let windows: Vec<WindowJson> = availability
        .windows()
        .iter()
        .map(|w| WindowJson {
            weekday: weekday_name(w.weekday).to_owned(),
            start: format_time(w.start),
            end: format_time(w.end),
        })
        .collect();
    let exceptions: Vec<ExceptionJson> = availability
        .exceptions()
        .iter()
        .map(|e| {
            let date = e.date.format(DATE).unwrap_or_default();
            match e.kind {
                ExceptionKind::Blocked => ExceptionJson {
                    date,
                    kind: "blocked".into(),
                    start: None,
                    end: None,
                },
                ExceptionKind::ExtraWindow { start, end } => ExceptionJson {
                    date,
                    kind: "extra".into(),
                    start: Some(format_time(start)),
                    end: Some(format_time(end)),
                },
            }
        })
        .collect();
    let encode = |e: serde_json::Error| RepoError::Unavailable(lyceum_ports::Cause::new(e));
    Ok((
        serde_json::to_string(&windows).map_err(encode)?,
        serde_json::to_string(&exceptions).map_err(encode)?,
    ))
}

fn from_row(row: mentor_availability::Model) -> Result<Availability, RepoError> {
    let bad = |what: &str| {
        corrupt(
            "mentor_availability",
            format!("{what} of {}", row.mentor_id),
        )
    };
    let windows: Vec<WindowJson> =
        serde_json::from_str(&row.windows).map_err(|_| bad("windows"))?;
    let exceptions: Vec<ExceptionJson> =
        serde_json::from_str(&row.exceptions).map_err(|_| bad("exceptions"))?;
    let windows = windows
        .into_iter()
        .map(|w| {
            Some(WeeklyWindow {
                weekday: parse_weekday(&w.weekday)?,
                start: parse_time(&w.start)?,
                end: parse_time(&w.end)?,
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| bad("windows"))?;
    let exceptions = exceptions
        .into_iter()
        .map(|e| {
            let date = Date::parse(&e.date, DATE).ok()?;
            let kind = match e.kind.as_str() {
                "blocked" => ExceptionKind::Blocked,
                "extra" => ExceptionKind::ExtraWindow {
                    start: parse_time(e.start.as_deref()?)?,
                    end: parse_time(e.end.as_deref()?)?,
                },
                _ => return None,
            };
            Some(AvailabilityException { date, kind })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| bad("exceptions"))?;
    Availability::new(&row.timezone, windows, exceptions).map_err(|e| bad(&e.to_string()))
}

#[async_trait]
impl AvailabilityRepository for AvailabilityStore {
    async fn of_mentor(&self, mentor_id: Uuid) -> Result<Option<Availability>, RepoError> {
        mentor_availability::Entity::find_by_id(mentor_id)
            .one(self.db.connection())
            .await
            .map_err(unavailable)?
            .map(from_row)
            .transpose()
    }

    async fn put(
        &self,
        mentor_id: Uuid,
        availability: Availability,
        now: OffsetDateTime,
    ) -> Result<(), RepoError> {
        let (windows, exceptions) = to_json(&availability)?;
        self.db
            .connection()
            .execute_raw(stmt(
                self.db.db_backend(),
                "INSERT INTO mentor_availability \
                 (mentor_id, timezone, windows, exceptions, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (mentor_id) DO UPDATE SET timezone = excluded.timezone, \
                 windows = excluded.windows, exceptions = excluded.exceptions, \
                 updated_at = excluded.updated_at",
                vec![
                    mentor_id.into(),
                    availability.timezone().into(),
                    windows.into(),
                    exceptions.into(),
                    db_time(now).into(),
                ],
            ))
            .await
            .map_err(|err| {
                if is_foreign_key_violation(&err) {
                    RepoError::NotFound
                } else {
                    unavailable(err)
                }
            })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, time};

    #[test]
    fn json_round_trips_windows_and_exceptions() {
        let availability = Availability::new(
            "Asia/Kolkata",
            vec![WeeklyWindow {
                weekday: Weekday::Monday,
                start: time!(09:00),
                end: time!(12:00:30),
            }],
            vec![
                AvailabilityException {
                    date: date!(2026 - 12 - 25),
                    kind: ExceptionKind::Blocked,
                },
                AvailabilityException {
                    date: date!(2026 - 12 - 26),
                    kind: ExceptionKind::ExtraWindow {
                        start: time!(18:00),
                        end: time!(19:00),
                    },
                },
            ],
        )
        .unwrap();
        let (windows, exceptions) = to_json(&availability).unwrap();
        assert_eq!(
            windows,
            r#"[{"weekday":"monday","start":"09:00","end":"12:00:30"}]"#
        );
        assert_eq!(
            exceptions,
            r#"[{"date":"2026-12-25","kind":"blocked"},{"date":"2026-12-26","kind":"extra","start":"18:00","end":"19:00"}]"#
        );
        let row = mentor_availability::Model {
            mentor_id: Uuid::nil(),
            timezone: "Asia/Kolkata".into(),
            windows,
            exceptions,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        };
        assert_eq!(from_row(row).unwrap(), availability);
    }
}
