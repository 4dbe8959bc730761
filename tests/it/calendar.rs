//! Calendars for calendar apps, on SQLite and (when configured) PostgreSQL: the secret
//! feed URL that works without signing in, its replacement and revocation, and the
//! iCalendar it serves.

use lyceum_e2e::{TestApp, TestDb, on_each_backend, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// A fetched calendar: status, content type, body.
struct Fetched {
    status: StatusCode,
    content_type: String,
    body: String,
}

/// Fetches a feed URL the way a calendar app does: no credentials at all.
async fn fetch(app: &TestApp, url: &str) -> Fetched {
    let path = url
        .strip_prefix(&app.config.public_url)
        .unwrap_or_else(|| panic!("{url} is under the public URL"));
    let response = app
        .http
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    Fetched {
        status: response.status(),
        content_type: response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default(),
        body: response.text().await.unwrap(),
    }
}

/// Asks for a new feed URL as `token`'s owner.
async fn new_feed(app: &TestApp, token: &str) -> String {
    let created = app
        .send(
            Method::POST,
            "/api/v1/me/calendar-feed",
            Some(token),
            None,
            &[],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let url = created.body["url"].as_str().unwrap().to_owned();
    assert_eq!(created.header("location"), Some(url.as_str()));
    assert!(url.ends_with(".ics"), "{url}");
    assert!(created.body["created_at"].as_str().unwrap().ends_with('Z'));
    url
}

fn assert_not_found(fetched: &Fetched) {
    assert_eq!(fetched.status, StatusCode::NOT_FOUND, "{}", fetched.body);
    assert!(
        fetched.content_type.starts_with("application/problem+json"),
        "{}",
        fetched.content_type
    );
    let problem: serde_json::Value = serde_json::from_str(&fetched.body).unwrap();
    assert_eq!(problem["code"], "calendar_feed.not_found");
}

#[tokio::test]
async fn a_feed_url_serves_my_sessions_without_signing_in_until_replaced_or_revoked() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, mentor, _) = app.signed_up("mentor_cal", "mentor").await;
        let (_, learner, _) = app.signed_up("learner_cal", "learner").await;
        let (_, other, _) = app.signed_up("other_cal", "learner").await;
        // Long enough that its SUMMARY line must be folded, with text that needs escaping.
        let title = format!("Ownership, borrowing; lifetimes — {}", "a long session title ".repeat(7));
        let title = title.trim();
        let starts_at = (time::OffsetDateTime::now_utc() + time::Duration::days(2))
            .replace_nanosecond(0)
            .unwrap();
        let created = app
            .post(
                "/api/v1/mentoring-sessions",
                Some(&mentor),
                json!({"title": title, "duration_minutes": 90, "capacity": 5,
                       "price": {"amount_minor": 0, "currency": "INR"},
                       "starts_at": starts_at.format(&time::format_description::well_known::Rfc3339).unwrap()}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        let mine = created.body["id"].as_str().unwrap().to_owned();
        let theirs = app.create_session(&mentor, 0, 5, 72).await["id"].as_str().unwrap().to_owned();
        let booked = app.book(&learner, &mine).await;
        assert_eq!(booked.status, StatusCode::CREATED, "{:?}", booked.body);
        assert_eq!(app.book(&other, &theirs).await.status, StatusCode::CREATED);

        let no_caller = app.send(Method::POST, "/api/v1/me/calendar-feed", None, None, &[]).await;
        assert_eq!(no_caller.status, StatusCode::UNAUTHORIZED);

        let first = new_feed(&app, &learner).await;
        let feed = fetch(&app, &first).await;
        assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
        assert!(feed.content_type.starts_with("text/calendar"), "{}", feed.content_type);
        let text = feed.body;
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"), "{text}");
        assert!(text.contains(&format!("\r\nUID:{mine}@lyceum\r\n")), "{text}");
        assert!(!text.contains(&theirs), "only my sessions: {text}");
        let start = format!(
            "\r\nDTSTART:{}\r\n",
            starts_at.format(time::macros::format_description!("[year][month][day]T[hour][minute][second]Z")).unwrap()
        );
        assert!(text.contains(&start), "UTC start {start:?} in {text}");
        // Content lines are folded at 75 octets, and unfold to the whole title.
        let lines: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(lines.iter().all(|line| line.len() <= 75), "{lines:#?}");
        assert!(lines.iter().any(|line| line.starts_with(' ')), "{lines:#?}");
        let escaped = title.replace(',', "\\,").replace(';', "\\;");
        assert!(
            text.replace("\r\n ", "").split("\r\n").any(|line| line == format!("SUMMARY:{escaped}")),
            "{text}"
        );
        // The bearer calendar is written the same way.
        let bearer = app.http.get(format!("{}/api/v1/me/calendar.ics", app.base)).bearer_auth(&learner).send().await.unwrap();
        let bearer = bearer.text().await.unwrap();
        assert!(bearer.split("\r\n").all(|line| line.len() <= 75) && bearer.contains(&mine), "{bearer}");

        // Someone else's feed never shows my sessions, nor mine theirs.
        let others = fetch(&app, &new_feed(&app, &other).await).await;
        assert_eq!(others.status, StatusCode::OK);
        assert!(others.body.contains(&format!("UID:{theirs}@lyceum")) && !others.body.contains(&mine), "{}", others.body);
        // The mentor's feed shows the session they run.
        let mentors = fetch(&app, &new_feed(&app, &mentor).await).await;
        assert!(mentors.body.contains(&mine) && mentors.body.contains(&theirs), "{}", mentors.body);

        // Replacing: the old URL is dead at once, the new one works.
        let second = new_feed(&app, &learner).await;
        assert_ne!(first, second);
        assert_not_found(&fetch(&app, &first).await);
        assert_eq!(fetch(&app, &second).await.status, StatusCode::OK);

        // A cancelled booking leaves the calendar.
        let booking = booked.body["id"].as_str().unwrap();
        let cancelled = app.post(&format!("/api/v1/bookings/{booking}/cancel"), Some(&learner), json!({})).await;
        assert_eq!(cancelled.status, StatusCode::OK, "{:?}", cancelled.body);
        let after = fetch(&app, &second).await;
        assert_eq!(after.status, StatusCode::OK);
        assert!(!after.body.contains(&mine) && !after.body.contains("BEGIN:VEVENT"), "{}", after.body);

        // Revoking: the URL is dead; revoking again changes nothing.
        for _ in 0..2 {
            let revoked = app.delete("/api/v1/me/calendar-feed", Some(&learner)).await;
            assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{:?}", revoked.body);
        }
        assert_not_found(&fetch(&app, &second).await);
        // Tokens that were never issued, and paths that are no token at all.
        let base = &app.config.public_url;
        for made_up in ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics", "not-a-feed", ".ics"] {
            assert_not_found(&fetch(&app, &format!("{base}/api/v1/calendar-feeds/{made_up}")).await);
        }
        // Other people's feeds were not touched by my revocation.
        assert_eq!(fetch(&app, &new_feed(&app, &mentor).await).await.status, StatusCode::OK);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_banned_users_feed_stops_working() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, admin) = app.admin("admin_cal").await;
        let (learner_id, learner, _) = app.signed_up("banned_cal", "learner").await;
        let url = new_feed(&app, &learner).await;
        assert_eq!(fetch(&app, &url).await.status, StatusCode::OK);
        let banned = app
            .post(
                &format!("/api/v1/admin/users/{learner_id}/ban"),
                Some(&admin),
                json!({"reason": "spam"}),
            )
            .await;
        assert!(banned.status.is_success(), "{:?}", banned.body);
        assert_not_found(&fetch(&app, &url).await);
        app.stop().await;
    })
    .await;
}
