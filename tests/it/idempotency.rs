//! `Idempotency-Key` keeps the first final answer, whatever it was (Stripe's semantics):
//! a refusal is refused again once its cause is gone, a success is the same 201 even after
//! its resource changed, and answers that say "try again" are not kept.

use std::sync::Arc;

use lyceum_e2e::{Answer, TestApp, TestDb, on_each_backend, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn adjust(app: &TestApp, admin: &str, user: &str, body: Value, key: Option<&str>) -> Answer {
    let headers: Vec<(&str, &str)> = key
        .map(|k| vec![("Idempotency-Key", k)])
        .unwrap_or_default();
    app.send(
        Method::POST,
        &format!("/api/v1/admin/users/{user}/wallet/adjustments"),
        Some(admin),
        Some(body),
        &headers,
    )
    .await
}

async fn book(app: &TestApp, learner: &str, session: &str, key: &str) -> Answer {
    app.send(
        Method::POST,
        &format!("/api/v1/mentoring-sessions/{session}/bookings"),
        Some(learner),
        Some(json!({})),
        &[("Idempotency-Key", key)],
    )
    .await
}

async fn balance(app: &TestApp, token: &str) -> i64 {
    app.get("/api/v1/me/wallet", Some(token)).await.body["balance"]
        .as_i64()
        .unwrap()
}

fn deduct(points: i64) -> Value {
    json!({"direction": "deduct", "points": points, "reason": "late fee"})
}

fn grant(points: i64) -> Value {
    json!({"direction": "grant", "points": points, "reason": "top-up"})
}

/// The retry is the first answer again: same status, same body, same headers of its own,
/// marked as replayed.
fn assert_replays(first: &Answer, retry: &Answer) {
    assert_eq!(
        (retry.status, &retry.body),
        (first.status, &first.body),
        "the first answer again"
    );
    for header in ["content-type", "location"] {
        assert_eq!(retry.header(header), first.header(header), "{header}");
    }
    assert_eq!(first.header("idempotent-replayed"), None);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
}

#[tokio::test]
async fn a_deduction_refused_for_want_of_points_is_refused_again_after_a_top_up() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, admin) = app.admin("idem_admin").await;
        let (user, token, _) = app.signed_up("idem_payer", "learner").await;
        adjust(&app, &admin, &user, grant(2), None).await;

        let first = adjust(&app, &admin, &user, deduct(5), Some("fee-1")).await;
        assert_eq!(
            (first.status, first.code()),
            (StatusCode::CONFLICT, "wallet.insufficient_points"),
            "{:?}",
            first.body
        );
        let top_up = adjust(&app, &admin, &user, grant(100), None).await;
        assert_eq!(top_up.status, StatusCode::CREATED);

        let retry = adjust(&app, &admin, &user, deduct(5), Some("fee-1")).await;
        assert_replays(&first, &retry);
        assert_eq!(
            balance(&app, &token).await,
            102,
            "the deduction never applied"
        );
        let ledger = app.get("/api/v1/me/wallet/ledger", Some(&token)).await;
        assert_eq!(ledger.body["items"].as_array().unwrap().len(), 2);

        // The same key with another body is still a client error, and a new key runs.
        let other = adjust(&app, &admin, &user, deduct(6), Some("fee-1")).await;
        assert_eq!(other.code(), "idempotency.key_reused");
        let fresh = adjust(&app, &admin, &user, deduct(5), Some("fee-2")).await;
        assert_eq!(fresh.status, StatusCode::CREATED);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_wallet_that_does_not_exist_is_a_kept_404() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, admin) = app.admin("idem_admin404").await;
        let nobody = uuid::Uuid::now_v7().to_string();
        let first = adjust(&app, &admin, &nobody, grant(1), Some("who")).await;
        assert_eq!(first.status, StatusCode::NOT_FOUND);
        let retry = adjust(&app, &admin, &nobody, grant(1), Some("who")).await;
        assert_replays(&first, &retry);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_booking_refused_while_the_session_was_full_is_refused_again_once_a_seat_frees() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, mentor, _) = app.signed_up("idem_mentor", "mentor").await;
        let (_, holder, _) = app.signed_up("idem_holder", "learner").await;
        let (_, late, _) = app.signed_up("idem_late", "learner").await;
        let session = app.create_session(&mentor, 0, 1, 24).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let held = app.book(&holder, &session).await;
        assert_eq!(held.status, StatusCode::CREATED);

        let first = book(&app, &late, &session, "seat-1").await;
        assert_eq!(
            (first.status, first.code()),
            (StatusCode::CONFLICT, "booking.session_full")
        );
        let cancelled = app
            .post(
                &format!(
                    "/api/v1/bookings/{}/cancel",
                    held.body["id"].as_str().unwrap()
                ),
                Some(&holder),
                json!({}),
            )
            .await;
        assert_eq!(cancelled.status, StatusCode::OK);

        let retry = book(&app, &late, &session, "seat-1").await;
        assert_replays(&first, &retry);
        let seats = app
            .get(&format!("/api/v1/mentoring-sessions/{session}"), None)
            .await
            .body["seats_taken"]
            .clone();
        assert_eq!(seats, 0, "the retry took no seat");
        assert_eq!(
            book(&app, &late, &session, "seat-2").await.status,
            StatusCode::CREATED,
            "a new key runs"
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_refusal_for_the_mentors_own_session_is_kept() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, mentor, _) = app.signed_up("idem_self", "mentor").await;
        let session = app.create_session(&mentor, 0, 3, 24).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let first = book(&app, &mentor, &session, "own").await;
        assert!(first.status.is_client_error(), "{:?}", first.body);
        let retry = book(&app, &mentor, &session, "own").await;
        assert_replays(&first, &retry);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_replayed_booking_is_the_first_answer_even_after_it_was_cancelled() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, mentor, _) = app.signed_up("idem_mentor2", "mentor").await;
        let (_, learner, _) = app.signed_up("idem_learner2", "learner").await;
        let session = app.create_session(&mentor, 0, 2, 24).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let first = book(&app, &learner, &session, "seat").await;
        assert_eq!(first.status, StatusCode::CREATED);
        assert_eq!(first.body["status"], "confirmed");
        let booking = first.body["id"].as_str().unwrap().to_owned();
        let cancelled = app
            .post(
                &format!("/api/v1/bookings/{booking}/cancel"),
                Some(&learner),
                json!({}),
            )
            .await;
        assert_eq!(cancelled.body["status"], "cancelled");

        let retry = book(&app, &learner, &session, "seat").await;
        assert_replays(&first, &retry);
        assert_eq!(
            app.get(&format!("/api/v1/bookings/{booking}"), Some(&learner))
                .await
                .body["status"],
            "cancelled",
            "the booking itself stays cancelled; the replay took no seat"
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn invalid_requests_are_not_kept_so_the_key_stays_free() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, admin) = app.admin("idem_admin3").await;
        let (user, token, _) = app.signed_up("idem_user3", "learner").await;
        let invalid = adjust(
            &app,
            &admin,
            &user,
            json!({"direction": "grant", "points": 0, "reason": "nothing"}),
            Some("gift"),
        )
        .await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        let unknown_field = adjust(
            &app,
            &admin,
            &user,
            json!({"direction": "grant", "points": 3, "reason": "gift", "extra": 1}),
            Some("gift"),
        )
        .await;
        assert_eq!(unknown_field.status, StatusCode::UNPROCESSABLE_ENTITY);
        let corrected = adjust(&app, &admin, &user, grant(3), Some("gift")).await;
        assert_eq!(
            (corrected.status, corrected.header("idempotent-replayed")),
            (StatusCode::CREATED, None),
            "{:?}",
            corrected.body
        );
        assert_eq!(balance(&app, &token).await, 3);
        app.stop().await;
    })
    .await;
}

/// The failure seen under load: keys refused for want of points, retried late while
/// points arrive, must never apply. Every first request races a top-up, then every key is
/// retried at once while more points arrive; each retry must be its first answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_late_retries_racing_a_top_up_each_get_their_first_answer() {
    on_each_backend(|db: TestDb| async move {
        let app = Arc::new(spawn_app(&db).await);
        let (_, admin) = app.admin("idem_racer").await;
        let (user, token, _) = app.signed_up("idem_wallet", "learner").await;
        adjust(&app, &admin, &user, grant(30), None).await;

        let round = |top_up: i64| {
            let mut tasks = Vec::new();
            for i in 0..40 {
                let (app, admin, user) = (app.clone(), admin.clone(), user.clone());
                tasks.push(tokio::spawn(async move {
                    let key = format!("late-{i}");
                    adjust(&app, &admin, &user, deduct(3), Some(&key)).await
                }));
            }
            let (app, admin, user) = (app.clone(), admin.clone(), user.clone());
            let top_up =
                tokio::spawn(async move { adjust(&app, &admin, &user, grant(top_up), None).await });
            async move {
                let mut answers = Vec::new();
                for task in tasks {
                    answers.push(task.await.unwrap());
                }
                assert_eq!(top_up.await.unwrap().status, StatusCode::CREATED);
                answers
            }
        };

        let firsts = round(30).await;
        let applied = firsts
            .iter()
            .filter(|a| a.status == StatusCode::CREATED)
            .count() as i64;
        for first in &firsts {
            assert!(
                first.status == StatusCode::CREATED || first.code() == "wallet.insufficient_points",
                "{:?}",
                first.body
            );
        }
        assert!(applied < 40, "some first requests must be refused");
        assert_eq!(balance(&app, &token).await, 60 - 3 * applied);

        let retries = round(1000).await;
        for (first, retry) in firsts.iter().zip(&retries) {
            assert_replays(first, retry);
        }
        assert_eq!(
            balance(&app, &token).await,
            1060 - 3 * applied,
            "no retry applied"
        );
        Arc::try_unwrap(app)
            .ok()
            .expect("no other owner")
            .stop()
            .await;
    })
    .await;
}

/// Requests with one key that overlap: each answers with the key's one final answer or
/// 409 `idempotency.in_flight` (retry shortly), never with an answer of its own, and the
/// deduction applies at most once — even while a top-up changes what that answer would be.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_requests_with_one_key_share_its_one_final_answer() {
    on_each_backend(|db: TestDb| async move {
        let app = Arc::new(spawn_app(&db).await);
        let (_, admin) = app.admin("idem_overlap").await;
        // Starting empty the key's answer is most likely a refusal; starting with enough
        // points, a success. Either way there is one.
        for (n, start) in [(0, 0), (1, 5)] {
            let (user, token, _) = app.signed_up(&format!("idem_overlap{n}"), "learner").await;
            if start > 0 {
                adjust(&app, &admin, &user, grant(start), None).await;
            }
            let key = format!("one-key-{n}");
            let mut tasks = Vec::new();
            for _ in 0..20 {
                let (app, admin, user, key) =
                    (app.clone(), admin.clone(), user.clone(), key.clone());
                tasks.push(tokio::spawn(async move {
                    adjust(&app, &admin, &user, deduct(5), Some(&key)).await
                }));
            }
            let top_up = {
                let (app, admin, user) = (app.clone(), admin.clone(), user.clone());
                tokio::spawn(async move { adjust(&app, &admin, &user, grant(10), None).await })
            };
            let mut answers = Vec::new();
            for task in tasks {
                answers.push(task.await.unwrap());
            }
            assert_eq!(top_up.await.unwrap().status, StatusCode::CREATED);

            let kept = adjust(&app, &admin, &user, deduct(5), Some(&key)).await;
            assert_eq!(kept.header("idempotent-replayed"), Some("true"));
            for answer in &answers {
                if answer.code() == "idempotency.in_flight" {
                    continue;
                }
                assert_eq!(
                    (answer.status, &answer.body),
                    (kept.status, &kept.body),
                    "one final answer per key"
                );
            }
            let applied = i64::from(kept.status == StatusCode::CREATED);
            assert_eq!(balance(&app, &token).await, start + 10 - 5 * applied);
        }
        Arc::try_unwrap(app)
            .ok()
            .expect("no other owner")
            .stop()
            .await;
    })
    .await;
}
