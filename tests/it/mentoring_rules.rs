//! The rules the mentoring seeds state, over HTTP on SQLite and (when configured)
//! PostgreSQL: a mentor is never in two places at once, and who may learn and who may
//! mentor (docs/domain-model.md).

use lyceum_e2e::{Answer, TestApp, TestDb, field_codes, on_each_backend, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A free one-seat session body starting at `starts_at` (RFC 3339) for `minutes`.
fn session_at(starts_at: &str, minutes: i64) -> Value {
    json!({"title": "Ownership and borrowing", "duration_minutes": minutes,
           "price": {"amount_minor": 0, "currency": "INR"}, "capacity": 3, "starts_at": starts_at})
}

/// A mentorship request body to `mentor_id` for `minutes` from `start`.
fn request_to(mentor_id: &str, start: &str, minutes: i64) -> Value {
    json!({"mentor_id": mentor_id, "subject": "Career advice", "message": "Can we talk?",
           "proposed_start": start, "duration_minutes": minutes})
}

fn id_of(answer: &Answer) -> String {
    answer.body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("an id in {:?}", answer.body))
        .to_owned()
}

/// Asserts a 409 `session.overlaps` naming `session_id`, also in its `detail`.
fn assert_overlaps(answer: &Answer, session_id: &str) {
    assert_eq!(
        (answer.status, answer.code()),
        (StatusCode::CONFLICT, "session.overlaps"),
        "{:?}",
        answer.body
    );
    assert_eq!(answer.body["conflicting_session_id"], session_id);
    assert!(
        answer.body["detail"].as_str().unwrap().contains(session_id),
        "{:?}",
        answer.body
    );
}

async fn create(app: &TestApp, mentor: &str, starts_at: &str, minutes: i64) -> Answer {
    app.post(
        "/api/v1/mentoring-sessions",
        Some(mentor),
        session_at(starts_at, minutes),
    )
    .await
}

#[tokio::test]
async fn a_mentor_cannot_be_in_two_places_at_once() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (mentor_id, mentor, _) = app.signed_up("mentor_once", "mentor").await;
        let (_, other_mentor, _) = app.signed_up("mentor_else", "mentor").await;
        let (_, learner, _) = app.signed_up("learner_once", "learner").await;

        // 2030-01-07 is a Monday. The mentor runs 15:00–16:00 UTC.
        let first = create(&app, &mentor, "2030-01-07T15:00:00Z", 60).await;
        assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
        let first = id_of(&first);

        // Creating: the same hour, a part of it, or around it is refused.
        for (start, minutes) in [
            ("2030-01-07T15:00:00Z", 60),
            ("2030-01-07T15:30:00Z", 15),
            ("2030-01-07T14:30:00Z", 120),
            ("2030-01-07T14:30:00+00:00", 31),
            ("2030-01-07T16:59:00+01:00", 60),
        ] {
            assert_overlaps(&create(&app, &mentor, start, minutes).await, &first);
        }
        // Back to back on either side is fine, and another mentor is elsewhere.
        let next = create(&app, &mentor, "2030-01-07T16:00:00Z", 60).await;
        assert_eq!(next.status, StatusCode::CREATED, "{:?}", next.body);
        let next = id_of(&next);
        let before = create(&app, &mentor, "2030-01-07T14:00:00Z", 60).await;
        assert_eq!(before.status, StatusCode::CREATED, "{:?}", before.body);
        let elsewhere = create(&app, &other_mentor, "2030-01-07T15:00:00Z", 60).await;
        assert_eq!(elsewhere.status, StatusCode::CREATED);

        // Editing: a new start or a longer duration onto another session is refused and
        // changes nothing; an edit that keeps the time goes through.
        let path = |id: &str| format!("/api/v1/mentoring-sessions/{id}");
        let moved = app
            .patch(
                &path(&next),
                Some(&mentor),
                json!({"starts_at": "2030-01-07T15:45:00Z"}),
            )
            .await;
        assert_overlaps(&moved, &first);
        let longer = app
            .patch(
                &path(&first),
                Some(&mentor),
                json!({"duration_minutes": 90}),
            )
            .await;
        assert_overlaps(&longer, &next);
        let stored = app.get(&path(&first), None).await;
        assert_eq!(stored.body["duration_minutes"], 60);
        let renamed = app
            .patch(&path(&next), Some(&mentor), json!({"title": "Lifetimes"}))
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);

        // Accepting: a 1:1 on the mentor's time is refused and the request stays pending;
        // on free time it is accepted and then takes the mentor's time in turn.
        let asked = app
            .post(
                "/api/v1/mentorship-requests",
                Some(&learner),
                request_to(&mentor_id, "2030-01-07T15:15:00Z", 30),
            )
            .await;
        assert_eq!(asked.status, StatusCode::CREATED, "{:?}", asked.body);
        let asked = id_of(&asked);
        let accept = |id: String| {
            let app = &app;
            let mentor = mentor.clone();
            async move {
                app.post(
                    &format!("/api/v1/mentorship-requests/{id}/accept"),
                    Some(&mentor),
                    json!({}),
                )
                .await
            }
        };
        assert_overlaps(&accept(asked.clone()).await, &first);
        let still = app
            .get(
                &format!("/api/v1/mentorship-requests/{asked}"),
                Some(&learner),
            )
            .await;
        assert_eq!(still.body["status"], "pending");
        let later = app
            .post(
                "/api/v1/mentorship-requests",
                Some(&learner),
                request_to(&mentor_id, "2030-01-07T18:00:00Z", 60),
            )
            .await;
        let accepted = accept(id_of(&later)).await;
        assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
        let one_to_one = accepted.body["session_id"].as_str().unwrap().to_owned();
        assert_overlaps(
            &create(&app, &mentor, "2030-01-07T18:30:00Z", 60).await,
            &one_to_one,
        );

        // A cancelled session gives its time back: the refused request now fits.
        let cancelled = app
            .post(
                &format!("{}/cancel", path(&first)),
                Some(&mentor),
                json!({}),
            )
            .await;
        assert_eq!(cancelled.status, StatusCode::OK, "{:?}", cancelled.body);
        let now_free = accept(asked).await;
        assert_eq!(now_free.status, StatusCode::OK, "{:?}", now_free.body);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn free_slots_offer_only_time_the_mentor_has_not_given_away() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (mentor_id, mentor, _) = app.signed_up("mentor_free", "mentor").await;
        let (_, learner, _) = app.signed_up("learner_free", "learner").await;
        let rules = json!({"timezone": "UTC", "windows": [{"weekday": "monday", "start": "09:00", "end": "13:00"}]});
        assert_eq!(
            app.put("/api/v1/me/availability", Some(&mentor), rules)
                .await
                .status,
            StatusCode::OK
        );
        let slots = || {
            let app = &app;
            let path = format!(
                "/api/v1/mentors/{mentor_id}/availability?from=2030-01-07T00:00:00Z&to=2030-01-08T00:00:00Z&duration=60"
            );
            async move {
                let answer = app.get(&path, None).await;
                assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
                answer
                    .body
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["start"].as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            slots().await,
            [
                "2030-01-07T09:00:00Z",
                "2030-01-07T10:00:00Z",
                "2030-01-07T11:00:00Z",
                "2030-01-07T12:00:00Z"
            ]
        );
        // A half-hour session in the middle of 10:00–11:00 takes that whole slot; an
        // accepted request takes 12:00; a cancelled session gives 09:00 back.
        let half = create(&app, &mentor, "2030-01-07T10:15:00Z", 30).await;
        assert_eq!(half.status, StatusCode::CREATED);
        let asked = app
            .post(
                "/api/v1/mentorship-requests",
                Some(&learner),
                request_to(&mentor_id, "2030-01-07T12:00:00Z", 60),
            )
            .await;
        let pending_only = slots().await;
        assert!(
            pending_only.contains(&"2030-01-07T12:00:00Z".to_owned()),
            "a pending request does not take the time: {pending_only:?}"
        );
        let accepted = app
            .post(
                &format!("/api/v1/mentorship-requests/{}/accept", id_of(&asked)),
                Some(&mentor),
                json!({}),
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK);
        let nine = id_of(&create(&app, &mentor, "2030-01-07T09:00:00Z", 60).await);
        assert_eq!(slots().await, ["2030-01-07T11:00:00Z"]);
        app.post(
            &format!("/api/v1/mentoring-sessions/{nine}/cancel"),
            Some(&mentor),
            json!({}),
        )
        .await;
        assert_eq!(
            slots().await,
            ["2030-01-07T09:00:00Z", "2030-01-07T11:00:00Z"]
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn every_account_may_learn_and_only_mentors_mentor() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (mentor_id, mentor, _) = app.signed_up("mentor_rule", "mentor").await;
        let (other_id, other_mentor, _) = app.signed_up("mentor_learns", "mentor").await;
        let (learner_id, learner, _) = app.signed_up("learner_rule", "learner").await;
        let (admin_id, admin) = app.admin("admin_rule").await;
        // An admin who holds no other role is an account too.
        let only_admin = app
            .delete(&format!("/api/v1/admin/users/{admin_id}/roles/learner"), Some(&admin))
            .await;
        assert_eq!(only_admin.body["roles"], json!(["admin"]), "{:?}", only_admin.body);

        // Mentoring needs the mentor role.
        let by_learner = create(&app, &learner, "2030-02-04T10:00:00Z", 60).await;
        assert_eq!(
            (by_learner.status, by_learner.code()),
            (StatusCode::FORBIDDEN, "mentor.role_required")
        );
        let by_admin = create(&app, &admin, "2030-02-04T10:00:00Z", 60).await;
        assert_eq!(by_admin.code(), "mentor.role_required");
        let rules = json!({"timezone": "UTC", "windows": [{"weekday": "monday", "start": "09:00", "end": "12:00"}]});
        let availability = app
            .put("/api/v1/me/availability", Some(&learner), rules)
            .await;
        assert_eq!(
            (availability.status, availability.code()),
            (StatusCode::FORBIDDEN, "mentor.role_required")
        );

        // Every account may book, but nobody their own session.
        let session = id_of(&create(&app, &mentor, "2030-02-04T10:00:00Z", 60).await);
        let later = id_of(&create(&app, &mentor, "2030-02-05T10:00:00Z", 60).await);
        let book = |token: String, session: String| {
            let app = &app;
            async move { app.book(&token, &session).await }
        };
        let own = book(mentor.clone(), session.clone()).await;
        assert_eq!(
            (own.status, own.code()),
            (StatusCode::CONFLICT, "booking.own_session")
        );
        for (who, token) in [("learner", &learner), ("mentor", &other_mentor), ("admin", &admin)] {
            let booked = book(token.clone(), session.clone()).await;
            assert_eq!(booked.status, StatusCode::CREATED, "{who}: {:?}", booked.body);
        }

        // Every account may send requests, to someone who mentors and not to itself.
        let ask = |token: String, to: String| {
            let app = &app;
            async move {
                app.post(
                    "/api/v1/mentorship-requests",
                    Some(&token),
                    request_to(&to, "2030-02-06T10:00:00Z", 60),
                )
                .await
            }
        };
        for (who, token) in [("learner", &learner), ("mentor", &other_mentor), ("admin", &admin)] {
            let asked = ask(token.clone(), mentor_id.clone()).await;
            assert_eq!(asked.status, StatusCode::CREATED, "{who}: {:?}", asked.body);
        }
        let to_learner = ask(mentor.clone(), learner_id.clone()).await;
        assert_eq!(
            (to_learner.status, to_learner.code()),
            (StatusCode::NOT_FOUND, "mentor.not_found")
        );
        let to_self = ask(other_mentor.clone(), other_id.clone()).await;
        assert_eq!(field_codes(&to_self), [("mentor_id", "not_allowed")]);
        let pending = app
            .get("/api/v1/me/mentorship-requests?side=received", Some(&mentor))
            .await;
        let pending: Vec<String> = pending.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(pending.len(), 3);

        // The mentor role is removed: mentoring stops, winding down does not.
        let demoted = app
            .delete(&format!("/api/v1/admin/users/{mentor_id}/roles/mentor"), Some(&admin))
            .await;
        assert_eq!(demoted.status, StatusCode::OK, "{:?}", demoted.body);
        let refused = |answer: &Answer| (answer.status, answer.code().to_owned());
        let role_required = (StatusCode::FORBIDDEN, "mentor.role_required".to_owned());
        assert_eq!(
            refused(&create(&app, &mentor, "2030-03-04T10:00:00Z", 60).await),
            role_required
        );
        let edit = app
            .patch(
                &format!("/api/v1/mentoring-sessions/{later}"),
                Some(&mentor),
                json!({"title": "Renamed"}),
            )
            .await;
        assert_eq!(refused(&edit), role_required);
        let accept = app
            .post(
                &format!("/api/v1/mentorship-requests/{}/accept", pending[0]),
                Some(&mentor),
                json!({}),
            )
            .await;
        assert_eq!(refused(&accept), role_required);
        let decline = app
            .post(
                &format!("/api/v1/mentorship-requests/{}/decline", pending[0]),
                Some(&mentor),
                json!({"response_message": "I no longer mentor here"}),
            )
            .await;
        assert_eq!(decline.body["status"], "declined", "{:?}", decline.body);

        // Nobody takes a new seat with them or asks them any more.
        let seat = book(learner.clone(), later.clone()).await;
        assert_eq!(
            (seat.status, seat.code()),
            (StatusCode::CONFLICT, "booking.mentor_inactive")
        );
        let my_booking = app.get("/api/v1/me/bookings", Some(&learner)).await.body["items"][0]
            ["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let moved = app
            .post(
                &format!("/api/v1/bookings/{my_booking}/reschedule"),
                Some(&learner),
                json!({"target_session_id": later}),
            )
            .await;
        assert_eq!(
            (moved.status, moved.code()),
            (StatusCode::CONFLICT, "booking.mentor_inactive")
        );
        let asked = ask(learner.clone(), mentor_id.clone()).await;
        assert_eq!(
            (asked.status, asked.code()),
            (StatusCode::NOT_FOUND, "mentor.not_found")
        );
        let slots = app
            .get(
                &format!("/api/v1/mentors/{mentor_id}/availability?from=2030-02-04T00:00:00Z&to=2030-02-05T00:00:00Z"),
                None,
            )
            .await;
        assert_eq!(slots.code(), "mentor.not_found");
        let wound_down = app
            .post(
                &format!("/api/v1/mentoring-sessions/{session}/cancel"),
                Some(&mentor),
                json!({}),
            )
            .await;
        assert_eq!(wound_down.body["status"], "cancelled", "{:?}", wound_down.body);

        // Granted again, the account mentors again.
        let granted = app
            .post(
                &format!("/api/v1/admin/users/{mentor_id}/roles"),
                Some(&admin),
                json!({"role": "mentor"}),
            )
            .await;
        assert_eq!(granted.status, StatusCode::OK, "{:?}", granted.body);
        assert_eq!(
            book(learner.clone(), later.clone()).await.status,
            StatusCode::CREATED
        );
        app.stop().await;
    })
    .await;
}
