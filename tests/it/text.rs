//! The one character rule for free text (docs/api-conventions.md#text): a single-line
//! field refuses every control character and the line separators, a multi-line field
//! keeps tabs and line breaks and refuses the other control characters — the same answer
//! on SQLite and PostgreSQL, and nothing stored when refused.

use lyceum_e2e::{Answer, PASSWORD, TestApp, TestDb, on_each_backend, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ONE_LINE: &str = "must be a single line without control characters";
const LINES: &str = "must not contain control characters other than tabs and line breaks";

/// What no single-line field may hold: a tab, a line feed, a bell (U+0007) and a C1
/// next-line (U+0085), each inside an otherwise valid value.
const NOT_ONE_LINE: [char; 4] = ['\t', '\n', '\u{7}', '\u{85}'];

/// Asserts a 422 that names exactly `field` as `invalid_characters`, worded by `rule`.
fn assert_refused(answer: &Answer, field: &str, rule: &str) {
    assert_eq!(
        lyceum_e2e::field_codes(answer),
        [(field, "invalid_characters")],
        "{:?}",
        answer.body
    );
    assert_eq!(answer.body["errors"][0]["message"], rule);
}

fn starts_in_a_week() -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::days(7))
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn session(title: &str, description: &str) -> Value {
    json!({"title": title, "description": description, "duration_minutes": 60,
           "price": {"amount_minor": 0, "currency": "INR"}, "capacity": 3,
           "starts_at": starts_in_a_week()})
}

async fn sessions_of(app: &TestApp, mentor_id: &str) -> usize {
    app.get(
        &format!("/api/v1/mentoring-sessions?mentor={mentor_id}"),
        None,
    )
    .await
    .body["items"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn single_line_fields_refuse_control_characters_and_store_nothing() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;

        for c in NOT_ONE_LINE {
            let sign_up = app
                .post(
                    "/api/v1/auth/register",
                    None,
                    json!({"email": "tab@example.com", "username": "tab_user1", "password": PASSWORD,
                           "first_name": format!("As{c}ha"), "last_name": "Kumar", "role": "learner"}),
                )
                .await;
            assert_refused(&sign_up, "first_name", ONE_LINE);
        }
        // Nothing was stored: the same email and username are still free.
        app.register("tab_user1", "learner").await;

        let (mentor_id, mentor, _) = app.signed_up("mentor_txt", "mentor").await;
        let (_, learner, _) = app.signed_up("learner_txt", "learner").await;
        for c in NOT_ONE_LINE {
            let created = app
                .post(
                    "/api/v1/mentoring-sessions",
                    Some(&mentor),
                    session(&format!("Ownership{c}in Rust"), "Borrowing."),
                )
                .await;
            assert_refused(&created, "title", ONE_LINE);

            let asked = app
                .post(
                    "/api/v1/mentorship-requests",
                    Some(&learner),
                    json!({"mentor_id": mentor_id, "subject": format!("Async{c}Rust"),
                           "proposed_start": starts_in_a_week(), "duration_minutes": 45}),
                )
                .await;
            assert_refused(&asked, "subject", ONE_LINE);

            let moved = app
                .patch(
                    "/api/v1/me",
                    Some(&learner),
                    json!({"location": format!("Benga{c}luru")}),
                )
                .await;
            assert_refused(&moved, "location", ONE_LINE);
        }
        assert_eq!(sessions_of(&app, &mentor_id).await, 0);
        let received = app
            .get("/api/v1/me/mentorship-requests?side=received", Some(&mentor))
            .await;
        assert_eq!(received.body["items"], json!([]));
        let me = app.get("/api/v1/me", Some(&learner)).await;
        assert!(me.body["profile"].get("location").is_none(), "{:?}", me.body);

        // A blank value does not slip a line break through: it is refused, not read as
        // "clear the field".
        let blank = app
            .patch("/api/v1/me", Some(&learner), json!({"location": "\n"}))
            .await;
        assert_refused(&blank, "location", ONE_LINE);

        // Query parameters are one line too.
        let searched = app.get("/api/v1/mentors?expertise=ru%09st", None).await;
        assert_refused(&searched, "expertise", ONE_LINE);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn multi_line_fields_keep_tabs_and_line_breaks_and_refuse_other_controls() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (mentor_id, mentor, _) = app.signed_up("mentor_lines", "mentor").await;
        let (_, learner, _) = app.signed_up("learner_lines", "learner").await;
        let text = "Day 1:\n\tOwnership\r\nDay 2:\tborrowing";

        let bio = app
            .patch("/api/v1/me", Some(&mentor), json!({"bio": text}))
            .await;
        assert_eq!(bio.status, StatusCode::OK, "{:?}", bio.body);
        assert_eq!(bio.body["profile"]["bio"], text);
        let rung = app
            .patch("/api/v1/me", Some(&mentor), json!({"bio": "Ring\u{7}"}))
            .await;
        assert_refused(&rung, "bio", LINES);
        let me = app.get("/api/v1/me", Some(&mentor)).await;
        assert_eq!(
            me.body["profile"]["bio"], text,
            "the refused bio is not stored"
        );

        let created = app
            .post(
                "/api/v1/mentoring-sessions",
                Some(&mentor),
                session("Ownership in Rust", text),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        let id = created.body["id"].as_str().unwrap().to_owned();
        let shown = app
            .get(&format!("/api/v1/mentoring-sessions/{id}"), None)
            .await;
        assert_eq!(shown.body["description"], text);
        let rung = app
            .post(
                "/api/v1/mentoring-sessions",
                Some(&mentor),
                session("Lifetimes", "Bring a laptop\u{7}"),
            )
            .await;
        assert_refused(&rung, "description", LINES);
        assert_eq!(sessions_of(&app, &mentor_id).await, 1);

        assert_eq!(app.book(&learner, &id).await.status, StatusCode::CREATED);
        let chat = format!("/api/v1/me/conversations/{mentor_id}/messages");
        let sent = app.post(&chat, Some(&learner), json!({"body": text})).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
        assert_eq!(sent.body["body"], text);
        let rung = app
            .post(&chat, Some(&learner), json!({"body": "Hello\u{7}"}))
            .await;
        assert_refused(&rung, "body", LINES);
        let history = app.get(&chat, Some(&learner)).await;
        let bodies: Vec<&Value> = history.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| &m["body"])
            .collect();
        assert_eq!(bodies, [text], "one message, kept intact");
        app.stop().await;
    })
    .await;
}
