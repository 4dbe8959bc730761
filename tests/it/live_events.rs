//! Live events over HTTP: a stream ends with its sign-in (sign-out, ban, role change,
//! token expiry) without polling; events reach a stream served by another server process;
//! a thousand idle streams hold no pool connection and cause no query.

use std::time::Duration;

use futures_util::stream::{BoxStream, StreamExt};
use lyceum_e2e::{PASSWORD, TestApp, TestDb, on_each_backend, spawn_app, spawn_app_with};
use lyceum_infra_seaorm::Backend;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

type Events = BoxStream<'static, reqwest::Result<String>>;

async fn open_stream(app: &TestApp, token: &str) -> Events {
    let response = app
        .http
        .get(format!("{}/api/v1/me/events", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response
        .bytes_stream()
        .map(|chunk| chunk.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
        .boxed()
}

/// Whether the server ends the stream (cleanly) within `wait`.
async fn ends_within(events: &mut Events, wait: Duration) -> bool {
    tokio::time::timeout(wait, async {
        while let Some(chunk) = events.next().await {
            chunk.expect("the stream ends cleanly, not with an error");
        }
    })
    .await
    .is_ok()
}

/// What the stream sends until `done` holds for it, within ten seconds.
async fn read_until(events: &mut Events, done: impl Fn(&str) -> bool) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !done(&seen) {
        let chunk = tokio::time::timeout_at(deadline, events.next())
            .await
            .unwrap_or_else(|_| panic!("events arrive in time; so far: {seen}"))
            .expect("stream open")
            .unwrap();
        seen.push_str(&chunk);
    }
    seen
}

fn access_token(answer: &lyceum_e2e::Answer) -> String {
    answer.body["access_token"].as_str().unwrap().to_owned()
}

/// A mentor and a learner who share a session (so they may write to each other); returns
/// (mentor id, mentor token, learner token).
async fn sharing_mentoring(app: &TestApp, prefix: &str) -> (String, String, String) {
    let (mentor_id, mentor, _) = app.signed_up(&format!("{prefix}_mentor"), "mentor").await;
    let (_, learner, _) = app.signed_up(&format!("{prefix}_learner"), "learner").await;
    let id = app.create_session(&mentor, 0, 2, 24).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.book(&learner, &id).await.status, StatusCode::CREATED);
    (mentor_id, mentor, learner)
}

#[tokio::test]
async fn a_stream_ends_with_its_sign_in_a_ban_or_a_role_change_and_others_stay_open() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, admin) = app.admin("live_admin").await;
        let (learner_id, laptop, _) = app.signed_up("live_learner", "learner").await;
        let phone = access_token(&app.login("live_learner", PASSWORD).await);
        let mut on_laptop = open_stream(&app, &laptop).await;
        let mut on_phone = open_stream(&app, &phone).await;

        // Signing out on the laptop ends the laptop's stream, not the phone's.
        let signed_out = app
            .post("/api/v1/auth/logout", Some(&laptop), json!({}))
            .await;
        assert_eq!(signed_out.status, StatusCode::NO_CONTENT);
        assert!(ends_within(&mut on_laptop, Duration::from_secs(5)).await);
        assert!(!ends_within(&mut on_phone, Duration::from_secs(1)).await);

        // A role change ends the stream: the client reconnects as the account is now.
        let granted = app
            .post(
                &format!("/api/v1/admin/users/{learner_id}/roles"),
                Some(&admin),
                json!({"role": "mentor"}),
            )
            .await;
        assert_eq!(granted.status, StatusCode::OK, "{:?}", granted.body);
        assert!(ends_within(&mut on_phone, Duration::from_secs(5)).await);

        // The phone's sign-in still holds: a new stream opens, and a ban ends it.
        let mut again = open_stream(&app, &phone).await;
        assert!(!ends_within(&mut again, Duration::from_millis(500)).await);
        let banned = app
            .post(
                &format!("/api/v1/admin/users/{learner_id}/ban"),
                Some(&admin),
                json!({"reason": "spam"}),
            )
            .await;
        assert_eq!(banned.status, StatusCode::OK, "{:?}", banned.body);
        assert!(ends_within(&mut again, Duration::from_secs(5)).await);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_stream_ends_when_its_access_token_expires() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app_with(&db, |c| c.access_token_ttl_seconds = 3).await;
        let (_, token, _) = app.signed_up("live_expiring", "learner").await;
        let mut events = open_stream(&app, &token).await;
        assert!(!ends_within(&mut events, Duration::from_secs(1)).await);
        assert!(ends_within(&mut events, Duration::from_secs(5)).await);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn events_reach_a_stream_served_by_another_server_process() {
    on_each_backend(|db: TestDb| async move {
        if db.backend == Backend::Sqlite {
            // One process owns a SQLite file: two servers on it are not supported.
            return;
        }
        let writer = spawn_app(&db).await;
        let streamer = spawn_app(&db).await;
        let (mentor_id, mentor, learner) = sharing_mentoring(&writer, "apart").await;
        let mut events = open_stream(&streamer, &mentor).await;
        let sent = writer
            .post(
                &format!("/api/v1/me/conversations/{mentor_id}/messages"),
                Some(&learner),
                json!({"body": "Shall we start at nine?"}),
            )
            .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
        // The mentor may also be told of the booking made while setting up, so wait for
        // this message's own notification, not any notification.
        let seen = read_until(&mut events, |seen| {
            seen.contains("Shall we start at nine?") && seen.contains("new_message")
        })
        .await;
        assert!(seen.contains(r#""event":"message""#), "{seen}");
        assert!(seen.contains("new_message"), "{seen}");
        streamer.stop().await;
        writer.stop().await;
    })
    .await;
}

/// Reads of Lyceum's tables so far, as PostgreSQL counts them (sequential and index scans
/// per table): an independent check that no statement ran, which leaves out autovacuum's
/// work. PostgreSQL publishes a busy backend's counts up to ten seconds late.
async fn table_reads(db: &TestDb) -> i64 {
    tokio::time::sleep(Duration::from_secs(11)).await;
    db.database
        .connection()
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT COALESCE(SUM(COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0)), 0)::bigint \
             AS reads FROM pg_stat_user_tables",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "reads")
        .unwrap()
}

#[tokio::test]
async fn a_thousand_idle_streams_hold_no_connection_and_cause_no_query() {
    on_each_backend(|db: TestDb| async move {
        const USERS: usize = 10;
        const PER_USER: usize = 100;
        let app = spawn_app(&db).await;
        let (mentor_id, mentor, learner) = sharing_mentoring(&app, "crowd").await;
        // What sending a message costs while the mentor has no stream open.
        let conversation = format!("/api/v1/me/conversations/{mentor_id}/messages");
        let send = |body: &'static str| {
            app.post(&conversation, Some(&learner), json!({ "body": body }))
        };
        let before = app.statements_run();
        assert_eq!(send("Hello").await.status, StatusCode::CREATED);
        tokio::time::sleep(Duration::from_millis(500)).await;
        let sending = app.statements_run() - before;
        let mut tokens = vec![mentor.clone()];
        for n in 1..USERS {
            tokens.push(app.signed_up(&format!("crowd_member_{n}"), "learner").await.1);
        }
        let each: Vec<String> = tokens
            .iter()
            .flat_map(|token| vec![token.clone(); PER_USER])
            .collect();
        let server = &app;
        let streams: Vec<Events> = futures_util::stream::iter(each)
            .map(|token: String| async move { open_stream(server, &token).await })
            .buffered(50)
            .collect()
            .await;
        assert_eq!(streams.len(), USERS * PER_USER);
        assert_eq!(app.open_live_streams(), USERS * PER_USER);
        let (mentors_streams, others) = {
            let mut streams = streams;
            let others = streams.split_off(PER_USER);
            (streams, others)
        };

        // Idle: no pool connection is held and no statement runs. Polling once a second
        // per stream would run thousands in these three seconds.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before = app.statements_run();
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(app.pool_connections_in_use(), 0);
        assert_eq!(
            app.statements_run() - before,
            0,
            "statements run with 1,000 idle streams"
        );
        // PostgreSQL agrees, over a longer quiet time.
        if db.backend == Backend::Postgres {
            let before = table_reads(&db).await;
            let idle = table_reads(&db).await - before;
            assert_eq!(idle, 0, "table reads with 1,000 idle streams");
        }

        // A message to the mentor reaches all 100 of the mentor's streams. Its two rows
        // (the message, and the notification about it) are loaded once for all of them:
        // a read each (two on SQLite when the fan-out has to wait for the writer), not a
        // read per stream.
        let before = app.statements_run();
        assert_eq!(send("One for everyone").await.status, StatusCode::CREATED);
        let delivered = futures_util::future::join_all(mentors_streams.into_iter().map(
            |mut events| async move {
                read_until(&mut events, |seen| {
                    seen.contains("One for everyone") && seen.contains("new_message")
                })
                .await;
                events
            },
        ))
        .await;
        assert_eq!(delivered.len(), PER_USER);
        let delivering = app.statements_run() - before - sending;
        assert!(
            (2..=4).contains(&delivering),
            "{delivering} statements beyond sending ({sending}) to deliver one message to {PER_USER} streams"
        );
        // Nobody else heard of it (keep-alive comments aside).
        let heard = futures_util::future::join_all(others.into_iter().map(|mut events| async move {
            tokio::time::timeout(Duration::from_millis(300), async {
                while let Some(chunk) = events.next().await {
                    if chunk.unwrap().contains("data:") {
                        return true;
                    }
                }
                false
            })
            .await
            .unwrap_or(false)
        }))
        .await;
        assert!(
            heard.iter().all(|&h| !h),
            "a stream of another user got an event"
        );
        drop(delivered);
        app.stop().await;
    })
    .await;
}
