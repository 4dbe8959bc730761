//! Calendars for calendar apps: my upcoming sessions as iCalendar (RFC 5545), behind my
//! bearer token or behind a secret feed URL that calendar apps can subscribe to, since
//! they cannot send a bearer header.
//!
//! Events are written by the `icalendar` crate, which escapes text and folds content
//! lines at 75 octets. Times are UTC (`DTSTART:20300101T100000Z`): valid everywhere
//! without a `VTIMEZONE`, and every calendar app shows them in its reader's zone. Only
//! sessions that still happen are listed: a cancelled session (or a cancelled booking)
//! is left out, and subscribed calendars drop it at their next refresh.

use icalendar::{Calendar as ICalendar, Component, DatePerhapsTime, Event, EventLike, EventStatus};
use lyceum_app::{AppError, Lyceum, Resource};
use lyceum_domain::mentoring::MentoringSession;
use poem_openapi::param::Path;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, OpenApi};
use time::OffsetDateTime;

use super::dto::CalendarFeedOut;
use crate::ApiTags;
use crate::problem::{ApiError, ApiResult};
use crate::responses::{Created, NoContent};
use crate::security::Caller;

/// The path under which feeds are served; the token follows, then `.ics`.
pub const FEED_PATH: &str = "/api/v1/calendar-feeds/";

/// How often subscribed calendar apps are asked to fetch the feed again.
const REFRESH: &str = "PT1H";

/// Calendar operations.
pub struct CalendarApi {
    /// The application.
    pub app: Lyceum,
    /// The server's public base URL, which feed URLs start with.
    pub public_url: String,
}

/// An iCalendar document.
#[derive(ApiResponse)]
pub enum Calendar {
    /// `text/calendar` with one event per upcoming session.
    #[oai(status = 200, content_type = "text/calendar; charset=utf-8")]
    Ok(PlainText<String>),
}

/// Renders sessions as an iCalendar document stamped at `stamp`.
pub fn calendar(sessions: &[MentoringSession], stamp: OffsetDateTime) -> String {
    let mut document = ICalendar::empty();
    document
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//Lyceum//Mentoring sessions//EN"))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property(("METHOD", "PUBLISH"))
        .append_property(("X-WR-CALNAME", "Lyceum sessions"))
        .append_property(
            icalendar::Property::new("REFRESH-INTERVAL", REFRESH)
                .add_parameter("VALUE", "DURATION")
                .done(),
        )
        .append_property(("X-PUBLISHED-TTL", REFRESH));
    let stamp = DatePerhapsTime::from(stamp).to_property("DTSTAMP");
    for session in sessions {
        let mut event = Event::new();
        event
            .uid(&format!("{}@lyceum", session.id))
            .append_property(stamp.clone())
            .starts(session.starts_at)
            .ends(session.ends_at())
            .summary(session.title.as_str())
            .url(session.meeting_url.as_str())
            .location(session.meeting_url.as_str())
            .status(EventStatus::Confirmed);
        let description = text(session.description.as_str());
        if !description.trim().is_empty() {
            event.description(&description);
        }
        document.push(event.done());
    }
    document.to_string()
}

/// Text for a TEXT value: the crate escapes `\`, `;`, `,` and line feeds, but a carriage
/// return would end the content line, so line breaks are normalised to `\n` first.
fn text(value: &str) -> String {
    value.replace("\r\n", "\n").replace('\r', "\n")
}

/// The token in a feed path segment (`<token>.ics`), if the segment has that shape.
fn feed_token(segment: &str) -> Option<&str> {
    segment.strip_suffix(".ics").filter(|token| {
        !token.is_empty()
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Mentoring")]
impl CalendarApi {
    /// My calendar (iCalendar)
    ///
    /// Upcoming sessions I mentor or hold a seat in. Calendar apps that cannot send a
    /// bearer token subscribe to a secret feed URL instead (`createMyCalendarFeed`).
    #[oai(
        path = "/me/calendar.ics",
        method = "get",
        operation_id = "getMyCalendar"
    )]
    async fn mine(&self, caller: Caller) -> ApiResult<Calendar> {
        let sessions = self.app.my_upcoming_sessions(&caller).await?;
        Ok(Calendar::Ok(PlainText(calendar(
            &sessions,
            OffsetDateTime::now_utc(),
        ))))
    }

    /// Create or replace my calendar feed URL
    ///
    /// A secret URL serving my calendar without signing in, for a calendar app's
    /// "subscribe" dialog. The URL is shown only in this answer (only a digest of its
    /// token is stored). Calling this again issues a new URL and the previous one stops
    /// working at once: do so if the URL leaked or was lost.
    #[oai(
        path = "/me/calendar-feed",
        method = "post",
        operation_id = "createMyCalendarFeed"
    )]
    async fn create_feed(&self, caller: Caller) -> ApiResult<Created<CalendarFeedOut>> {
        let issued = self.app.rotate_calendar_feed(&caller).await?;
        let path = format!("{FEED_PATH}{}.ics", issued.token);
        let url = format!("{}{path}", self.public_url.trim_end_matches('/'));
        Ok(Created::Created(
            Json(CalendarFeedOut {
                url: url.clone(),
                created_at: issued.created_at,
            }),
            url,
        ))
    }

    /// Revoke my calendar feed URL
    ///
    /// The URL stops working at once. Revoking when there is no feed does nothing.
    #[oai(
        path = "/me/calendar-feed",
        method = "delete",
        operation_id = "revokeMyCalendarFeed"
    )]
    async fn revoke_feed(&self, caller: Caller) -> ApiResult<NoContent> {
        self.app.revoke_calendar_feed(&caller).await?;
        Ok(NoContent::NoContent)
    }

    /// A calendar feed (iCalendar)
    ///
    /// The upcoming sessions of the feed's owner, for calendar apps; the secret in the
    /// URL is the only credential. A URL that was replaced or revoked, or whose owner
    /// can no longer sign in, is 404 `calendar_feed.not_found`.
    #[oai(
        path = "/calendar-feeds/:feed",
        method = "get",
        operation_id = "getCalendarFeed"
    )]
    async fn feed(
        &self,
        /// The feed's secret token followed by `.ics`, as in the URL
        /// `createMyCalendarFeed` returned.
        feed: Path<String>,
    ) -> ApiResult<Calendar> {
        let token = feed_token(&feed.0)
            .ok_or_else(|| ApiError::from(AppError::NotFound(Resource::CalendarFeed)))?;
        let sessions = self.app.calendar_feed(token).await?;
        Ok(Calendar::Ok(PlainText(calendar(
            &sessions,
            OffsetDateTime::now_utc(),
        ))))
    }
}

#[cfg(test)]
mod tests {
    use icalendar::{CalendarComponent, CalendarDateTime};
    use lyceum_domain::mentoring::{
        Capacity, MeetingUrl, Popularity, SessionDescription, SessionDuration, SessionStatus,
        SessionTitle,
    };
    use lyceum_domain::{Currency, Money};
    use time::macros::datetime;
    use uuid::Uuid;

    use super::*;

    const STAMP: OffsetDateTime = datetime!(2030-01-01 08:00:00.5 UTC);

    fn session(title: &str, description: &str) -> MentoringSession {
        MentoringSession {
            id: Uuid::now_v7(),
            mentor_id: Uuid::nil(),
            title: SessionTitle::parse(title).unwrap(),
            description: SessionDescription::parse(description).unwrap(),
            specialization_id: None,
            duration: SessionDuration::minutes(90).unwrap(),
            price: Money::new(0, Currency::parse("INR").unwrap()).unwrap(),
            capacity: Capacity::new(3).unwrap(),
            seats_taken: 1,
            // Not UTC on purpose: the feed must say the same instant in UTC.
            starts_at: datetime!(2030-01-15 15:30 +05:30),
            meeting_url: MeetingUrl::parse("https://meet.example.com/room?a=1;b=2").unwrap(),
            status: SessionStatus::Scheduled,
            request_id: None,
            popularity: Popularity::default(),
            created_at: STAMP,
            updated_at: STAMP,
        }
    }

    fn lines(document: &str) -> Vec<&str> {
        assert!(document.ends_with("\r\n"), "content lines end in CRLF");
        document.trim_end_matches("\r\n").split("\r\n").collect()
    }

    #[test]
    fn every_event_carries_the_required_properties_with_utc_times() {
        let s = session(
            "Ownership; borrowing, lifetimes",
            "Bring a laptop.\r\nAnd questions.",
        );
        let document = calendar(std::slice::from_ref(&s), STAMP);
        let lines = lines(&document);
        for expected in [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Lyceum//Mentoring sessions//EN",
            "BEGIN:VEVENT",
            &format!("UID:{}@lyceum", s.id),
            "DTSTAMP:20300101T080000Z",
            "DTSTART:20300115T100000Z",
            "DTEND:20300115T113000Z",
            "SUMMARY:Ownership\\; borrowing\\, lifetimes",
            "DESCRIPTION:Bring a laptop.\\nAnd questions.",
            "URL:https://meet.example.com/room?a=1;b=2",
            "STATUS:CONFIRMED",
            "END:VEVENT",
            "END:VCALENDAR",
        ] {
            assert!(lines.contains(&expected), "{expected} in\n{document}");
        }
        assert!(!document.replace("\r\n", "").contains('\r'), "{document:?}");

        let parsed: ICalendar = document.parse().unwrap();
        let events: Vec<&Event> = parsed.events().collect();
        assert_eq!(events.len(), 1);
        assert_eq!(
            events[0].get_summary(),
            Some("Ownership; borrowing, lifetimes")
        );
        assert_eq!(
            events[0].get_start(),
            Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(
                "2030-01-15T10:00:00Z".parse().unwrap()
            )))
        );
    }

    #[test]
    fn long_titles_are_folded_at_75_octets_and_unfold_to_the_title() {
        let title = format!(
            "{} Ümlauts and emoji 🦀 {}",
            "Lifetimes ".repeat(8),
            "x".repeat(60)
        );
        let document = calendar(&[session(&title, &"Long text. ".repeat(40))], STAMP);
        let lines = lines(&document);
        assert!(
            lines.iter().all(|line| line.len() <= 75),
            "{:?}",
            lines.iter().map(|l| l.len()).max()
        );
        assert!(lines.iter().any(|line| line.starts_with(' ')), "folded");
        let unfolded = document.replace("\r\n ", "");
        assert!(
            unfolded
                .split("\r\n")
                .any(|line| line == format!("SUMMARY:{title}")),
            "{unfolded}"
        );
        match document.parse::<ICalendar>().unwrap().components.first() {
            Some(CalendarComponent::Event(event)) => {
                assert_eq!(event.get_summary(), Some(title.as_str()))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_empty_calendar_is_still_a_valid_document() {
        let document = calendar(&[], STAMP);
        assert!(document.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(document.ends_with("END:VCALENDAR\r\n"));
        assert!(!document.contains("VEVENT"));
    }

    #[test]
    fn a_feed_segment_is_a_token_followed_by_ics() {
        assert_eq!(feed_token("abc-DEF_123.ics"), Some("abc-DEF_123"));
        for bad in [
            "abc",
            ".ics",
            "abc.ICS",
            "a/b.ics",
            "a b.ics",
            "a%00.ics",
            "abc.ics.ics",
        ] {
            assert_eq!(feed_token(bad), None, "{bad}");
        }
    }
}
