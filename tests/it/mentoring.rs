//! Mentoring over HTTP, on SQLite and (when configured) PostgreSQL: sessions and
//! discovery, bookings and payment holds, requests, messages, feedback, availability,
//! notifications, the calendar feed and the live event stream.

use lyceum_e2e::{TestDb, field_codes, on_each_backend, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_mentor_publishes_a_session_and_a_learner_finds_and_books_it() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (mentor_id, mentor, _) = app.signed_up("mentor_anna", "mentor").await;
        let (_, learner, _) = app.signed_up("learner_bo", "learner").await;
        let refused = app.post("/api/v1/mentoring-sessions", Some(&learner), json!({"title": "x", "duration_minutes": 60, "price": {"amount_minor": 0, "currency": "INR"}, "capacity": 1, "starts_at": "2030-01-01T10:00:00Z"})).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "only mentors create sessions");
        let invalid = app.post("/api/v1/mentoring-sessions", Some(&mentor), json!({"title": "", "duration_minutes": 10, "price": {"amount_minor": -1, "currency": "INR"}, "capacity": 0, "starts_at": "2000-01-01T10:00:00Z"})).await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            field_codes(&invalid),
            [("capacity", "out_of_range"), ("duration_minutes", "out_of_range"), ("price.amount_minor", "out_of_range"), ("title", "required")]
        );
        let past = app.post("/api/v1/mentoring-sessions", Some(&mentor), json!({"title": "Past", "duration_minutes": 60, "price": {"amount_minor": 0, "currency": "INR"}, "capacity": 1, "starts_at": "2000-01-01T10:00:00Z"})).await;
        assert_eq!(field_codes(&past), [("starts_at", "out_of_range")]);

        let session = app.create_session(&mentor, 0, 3, 48).await;
        let id = session["id"].as_str().unwrap().to_owned();
        assert!(session["meeting_url"].as_str().unwrap().starts_with("https://"), "a room is generated");
        assert_eq!(session["seats_left"], 3);

        let found = app.get(&format!("/api/v1/mentoring-sessions?mentor={mentor_id}&only_with_free_seats=true"), None).await;
        assert_eq!(found.body["items"][0]["id"], id.as_str());

        let own = app.book(&mentor, &id).await;
        assert_eq!((own.status, own.code()), (StatusCode::CONFLICT, "booking.own_session"));
        let booked = app.book(&learner, &id).await;
        assert_eq!(booked.status, StatusCode::CREATED, "{:?}", booked.body);
        assert_eq!((booked.body["status"].as_str(), booked.body["payment_status"].as_str()), (Some("confirmed"), Some("paid")));
        assert_eq!(booked.body["amount"]["amount_minor"], 0);
        let again = app.book(&learner, &id).await;
        assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "booking.duplicate"));

        let viewed = app.get(&format!("/api/v1/mentoring-sessions/{id}"), None).await;
        assert_eq!((viewed.body["seats_taken"].as_i64(), viewed.body["seats_left"].as_i64()), (Some(1), Some(2)));
        assert_eq!(viewed.body["popularity"]["bookings"], 1);
        assert!(viewed.body["popularity"]["views"].as_i64().unwrap() >= 1);

        let mine = app.get("/api/v1/me/bookings", Some(&learner)).await;
        assert_eq!(mine.body["items"][0]["session_id"], id.as_str());
        let roster = app.get(&format!("/api/v1/mentoring-sessions/{id}/bookings"), Some(&mentor)).await;
        assert_eq!(roster.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(app.get(&format!("/api/v1/mentoring-sessions/{id}/bookings"), Some(&learner)).await.status, StatusCode::FORBIDDEN);
        assert!(app.notification_kinds(&learner).await.contains(&"booking_confirmed".to_owned()));
        // Stored as facts, worded and linked by the HTTP adapter when read.
        let told = app.get("/api/v1/me/notifications?limit=100", Some(&learner)).await;
        let confirmed = told.body["items"].as_array().unwrap().iter().find(|n| n["kind"] == "booking_confirmed").unwrap().clone();
        let booking_id = mine.body["items"][0]["id"].as_str().unwrap();
        assert_eq!(confirmed["link"], format!("/api/v1/bookings/{booking_id}"));
        assert_eq!(confirmed["title"], "Booking confirmed");
        assert!(confirmed["message"].as_str().unwrap().contains(viewed.body["title"].as_str().unwrap()), "{confirmed}");
        // The start is shown as RFC 3339 in UTC, the same instant the session has.
        let message = confirmed["message"].as_str().unwrap();
        let shown = message.rsplit_once(" at ").and_then(|(_, rest)| rest.strip_suffix(" is confirmed.")).unwrap_or_else(|| panic!("{message}"));
        assert!(shown.ends_with('Z') && !shown.contains(' '), "{message}");
        let rfc3339 = &time::format_description::well_known::Rfc3339;
        assert_eq!(
            time::OffsetDateTime::parse(shown, rfc3339).unwrap(),
            time::OffsetDateTime::parse(viewed.body["starts_at"].as_str().unwrap(), rfc3339).unwrap()
        );
        let mentor_told = app.get("/api/v1/me/notifications?limit=100", Some(&mentor)).await;
        let booked = mentor_told.body["items"].as_array().unwrap().iter().find(|n| n["kind"] == "booking_confirmed").unwrap().clone();
        assert_eq!(booked["link"], format!("/api/v1/mentoring-sessions/{id}/bookings"));
        assert_eq!(booked["title"], "New booking");

        let ics = app.http.get(format!("{}/api/v1/me/calendar.ics", app.base)).bearer_auth(&learner).send().await.unwrap();
        assert!(ics.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
        let text = ics.text().await.unwrap();
        assert!(text.contains("BEGIN:VEVENT") && text.contains(&format!("UID:{id}@lyceum")), "{text}");
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn discovery_filters_sorts_and_pages_with_a_cursor() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, mentor, _) = app.signed_up("mentor_sort", "mentor").await;
        for (price, hours) in [(300, 30), (100, 10), (200, 20)] {
            app.create_session(&mentor, price, 2, hours).await;
        }
        let by_price = app
            .get("/api/v1/mentoring-sessions?sort=price&limit=2", None)
            .await;
        let prices: Vec<i64> = by_price.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["price"]["amount_minor"].as_i64().unwrap())
            .collect();
        assert_eq!(prices, [100, 200]);
        let cursor = by_price.body["next_cursor"].as_str().unwrap();
        let rest = app
            .get(
                &format!("/api/v1/mentoring-sessions?sort=price&limit=2&cursor={cursor}"),
                None,
            )
            .await;
        assert_eq!(rest.body["items"][0]["price"]["amount_minor"], 300);
        assert!(rest.body.get("next_cursor").is_none(), "absent on the last page");
        let soonest = app.get("/api/v1/mentoring-sessions", None).await;
        let firsts: Vec<i64> = soonest.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["price"]["amount_minor"].as_i64().unwrap())
            .collect();
        assert_eq!(firsts, [100, 200, 300]);
        let ranged = app
            .get(
                "/api/v1/mentoring-sessions?min_price=150&max_price=250",
                None,
            )
            .await;
        assert_eq!(ranged.body["items"].as_array().unwrap().len(), 1);
        for day in [1, 2] {
            let personal_room = json!({"title": "Office hours", "duration_minutes": 30,
                "price": {"amount_minor": 0, "currency": "INR"}, "capacity": 3,
                "meeting_url": "https://zoom.example.com/j/123",
                "starts_at": format!("2030-02-{day:02}T10:00:00Z")});
            let created = app
                .post("/api/v1/mentoring-sessions", Some(&mentor), personal_room)
                .await;
            assert_eq!(
                created.status,
                StatusCode::CREATED,
                "a mentor may reuse their own room: {:?}",
                created.body
            );
            assert_eq!(
                created.body["meeting_url"],
                "https://zoom.example.com/j/123"
            );
        }
        let far = json!({"title": "Far", "duration_minutes": 60, "price": {"amount_minor": 0, "currency": "INR"},
                         "capacity": 1, "starts_at": "9999-12-31T23:30:00Z"});
        let too_far = app.post("/api/v1/mentoring-sessions", Some(&mentor), far).await;
        assert_eq!(too_far.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", too_far.body);
        assert_eq!(too_far.body["errors"][0]["field"], "starts_at");
        let bad = app
            .get("/api/v1/mentoring-sessions?sort=cheapest", None)
            .await;
        assert_eq!(field_codes(&bad), [("sort", "invalid_choice")]);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn paid_bookings_hold_the_seat_until_paid_and_expired_holds_free_it() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, mentor, _) = app.signed_up("mentor_paid", "mentor").await;
        let (_, first, _) = app.signed_up("learner_pay1", "learner").await;
        let (_, second, _) = app.signed_up("learner_pay2", "learner").await;
        let session = app.create_session(&mentor, 49900, 1, 24).await;
        let id = session["id"].as_str().unwrap().to_owned();

        let held = app.book(&first, &id).await;
        assert_eq!(
            (
                held.body["status"].as_str(),
                held.body["payment_status"].as_str()
            ),
            (Some("pending"), Some("pending"))
        );
        assert_eq!(held.body["amount"]["amount_minor"], 49900);
        assert!(held.body["hold_expires_at"].is_string());
        let full = app.book(&second, &id).await;
        assert_eq!(
            (full.status, full.code()),
            (StatusCode::CONFLICT, "booking.session_full"),
            "a held seat is taken"
        );

        let booking = held.body["id"].as_str().unwrap().to_owned();
        app.expire_hold(&booking).await;
        let report = app.lyceum().await.run_jobs().await.unwrap();
        assert_eq!(report.holds_expired, 1);
        let expired = app
            .get(&format!("/api/v1/bookings/{booking}"), Some(&first))
            .await;
        assert_eq!(
            (
                expired.body["status"].as_str(),
                expired.body["payment_status"].as_str()
            ),
            (Some("cancelled"), Some("failed"))
        );
        let late_pay = app
            .post(
                &format!("/api/v1/bookings/{booking}/pay"),
                Some(&first),
                json!({}),
            )
            .await;
        assert_eq!(late_pay.status, StatusCode::CONFLICT);

        let retaken = app.book(&second, &id).await;
        assert_eq!(
            retaken.status,
            StatusCode::CREATED,
            "the freed seat is bookable again"
        );
        let paid = app
            .post(
                &format!(
                    "/api/v1/bookings/{}/pay",
                    retaken.body["id"].as_str().unwrap()
                ),
                Some(&second),
                json!({}),
            )
            .await;
        assert_eq!(paid.status, StatusCode::OK, "{:?}", paid.body);
        assert_eq!(
            (
                paid.body["status"].as_str(),
                paid.body["payment_status"].as_str()
            ),
            (Some("confirmed"), Some("paid"))
        );
        assert!(
            paid.body["payment_reference"]
                .as_str()
                .unwrap()
                .starts_with("sandbox_")
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn cancellations_free_seats_and_respect_the_cutoff() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, mentor, _) = app.signed_up("mentor_cut", "mentor").await;
        let (_, learner, _) = app.signed_up("learner_cut", "learner").await;
        let (_, other, _) = app.signed_up("learner_cut2", "learner").await;
        let session = app.create_session(&mentor, 0, 1, 24).await;
        let id = session["id"].as_str().unwrap().to_owned();
        let booking = app.book(&learner, &id).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();

        let lowered = app
            .patch(
                &format!("/api/v1/mentoring-sessions/{id}"),
                Some(&mentor),
                json!({"capacity": 0}),
            )
            .await;
        assert_eq!(lowered.status, StatusCode::UNPROCESSABLE_ENTITY);

        app.move_session_start(&id, 60, 60).await;
        // Actions need no body at all.
        let too_late = app
            .send(
                reqwest::Method::POST,
                &format!("/api/v1/bookings/{booking}/cancel"),
                Some(&learner),
                None,
                &[],
            )
            .await;
        assert_eq!(
            (too_late.status, too_late.code()),
            (StatusCode::CONFLICT, "booking.cancellation_closed")
        );
        let stranger = app
            .post(
                &format!("/api/v1/bookings/{booking}/cancel"),
                Some(&other),
                json!({}),
            )
            .await;
        assert_eq!(stranger.status, StatusCode::NOT_FOUND);
        let by_mentor = app
            .post(
                &format!("/api/v1/bookings/{booking}/cancel"),
                Some(&mentor),
                json!({"reason": "travel"}),
            )
            .await;
        assert_eq!(by_mentor.status, StatusCode::OK, "{:?}", by_mentor.body);
        assert_eq!(by_mentor.body["status"], "cancelled");
        assert!(
            app.notification_kinds(&learner)
                .await
                .contains(&"booking_cancelled".to_owned())
        );
        assert_eq!(
            app.book(&other, &id).await.status,
            StatusCode::CREATED,
            "the seat is free again"
        );

        let cancelled = app
            .post(
                &format!("/api/v1/mentoring-sessions/{id}/cancel"),
                Some(&mentor),
                json!({}),
            )
            .await;
        assert_eq!(cancelled.body["status"], "cancelled");
        assert_eq!(cancelled.body["seats_taken"], 0);
        assert!(
            app.notification_kinds(&other)
                .await
                .contains(&"session_cancelled".to_owned())
        );
        let twice = app
            .post(
                &format!("/api/v1/mentoring-sessions/{id}/cancel"),
                Some(&mentor),
                json!({}),
            )
            .await;
        assert_eq!(
            (twice.status, twice.code()),
            (StatusCode::CONFLICT, "session.invalid_transition")
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_booking_moves_to_another_session_of_the_same_mentor() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, mentor, _) = app.signed_up("mentor_move", "mentor").await;
        let (_, other_mentor, _) = app.signed_up("mentor_other", "mentor").await;
        let (_, learner, _) = app.signed_up("learner_move", "learner").await;
        let from = app.create_session(&mentor, 0, 2, 24).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let to = app.create_session(&mentor, 0, 2, 48).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let elsewhere = app.create_session(&other_mentor, 0, 2, 48).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let booking = app.book(&learner, &from).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let wrong = app
            .post(
                &format!("/api/v1/bookings/{booking}/reschedule"),
                Some(&learner),
                json!({"target_session_id": elsewhere}),
            )
            .await;
        assert_eq!(
            (wrong.status, wrong.code()),
            (StatusCode::CONFLICT, "booking.other_mentor")
        );
        let moved = app
            .post(
                &format!("/api/v1/bookings/{booking}/reschedule"),
                Some(&learner),
                json!({"target_session_id": to}),
            )
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
        assert_eq!(moved.body["session_id"], to.as_str());
        assert_eq!(
            app.get(&format!("/api/v1/mentoring-sessions/{from}"), None)
                .await
                .body["seats_taken"],
            0
        );
        assert_eq!(
            app.get(&format!("/api/v1/mentoring-sessions/{to}"), None)
                .await
                .body["seats_taken"],
            1
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn mentorship_requests_follow_their_state_machine() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (mentor_id, mentor, _) = app.signed_up("mentor_req", "mentor").await;
        let (learner_id, learner, _) = app.signed_up("learner_req", "learner").await;
        let start = "2030-06-01T10:00:00Z";
        let ask = |subject: &str| json!({"mentor_id": mentor_id, "subject": subject, "message": "Can we talk about Rust?", "proposed_start": start, "duration_minutes": 45});
        let to_self = app.post("/api/v1/mentorship-requests", Some(&mentor), json!({"mentor_id": mentor_id, "subject": "me", "proposed_start": start, "duration_minutes": 45})).await;
        assert_eq!(to_self.status, StatusCode::UNPROCESSABLE_ENTITY);
        let not_mentor = app.post("/api/v1/mentorship-requests", Some(&mentor), json!({"mentor_id": learner_id, "subject": "x", "proposed_start": start, "duration_minutes": 45})).await;
        assert_eq!(not_mentor.status, StatusCode::NOT_FOUND);

        let first = app.post("/api/v1/mentorship-requests", Some(&learner), ask("Career")).await;
        assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
        let id = first.body["id"].as_str().unwrap().to_owned();
        assert!(app.notification_kinds(&mentor).await.contains(&"request_received".to_owned()));
        let by_learner = app.post(&format!("/api/v1/mentorship-requests/{id}/accept"), Some(&learner), json!({})).await;
        assert_eq!(by_learner.status, StatusCode::FORBIDDEN);
        let accepted = app.post(&format!("/api/v1/mentorship-requests/{id}/accept"), Some(&mentor), json!({"response_message": "Gladly"})).await;
        assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
        let session_id = accepted.body["session_id"].as_str().unwrap().to_owned();
        let session = app.get(&format!("/api/v1/mentoring-sessions/{session_id}"), None).await;
        assert_eq!((session.body["capacity"].as_i64(), session.body["seats_taken"].as_i64()), (Some(1), Some(1)));
        assert_eq!(session.body["duration_minutes"], 45);
        let bookings = app.get("/api/v1/me/bookings", Some(&learner)).await;
        assert_eq!(bookings.body["items"][0]["session_id"], session_id.as_str());
        assert_eq!(bookings.body["items"][0]["status"], "confirmed");

        let again = app.post(&format!("/api/v1/mentorship-requests/{id}/accept"), Some(&mentor), json!({})).await;
        assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "request.invalid_transition"));
        let decline_accepted = app.post(&format!("/api/v1/mentorship-requests/{id}/decline"), Some(&mentor), json!({"response_message": "no"})).await;
        assert_eq!(decline_accepted.code(), "request.invalid_transition");
        let cancelled = app.post(&format!("/api/v1/mentorship-requests/{id}/cancel"), Some(&mentor), json!({})).await;
        assert_eq!(cancelled.body["status"], "cancelled");
        assert_eq!(app.get(&format!("/api/v1/mentoring-sessions/{session_id}"), None).await.body["status"], "cancelled");

        let second = app.post("/api/v1/mentorship-requests", Some(&learner), ask("Interview")).await.body["id"].as_str().unwrap().to_owned();
        let no_reason = app.post(&format!("/api/v1/mentorship-requests/{second}/decline"), Some(&mentor), json!({"response_message": " "})).await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        let declined = app.post(&format!("/api/v1/mentorship-requests/{second}/decline"), Some(&mentor), json!({"response_message": "Fully booked this month"})).await;
        assert_eq!((declined.body["status"].as_str(), declined.body["response_message"].as_str()), (Some("declined"), Some("Fully booked this month")));
        let withdraw_declined = app.post(&format!("/api/v1/mentorship-requests/{second}/cancel"), Some(&learner), json!({})).await;
        assert_eq!(withdraw_declined.code(), "request.invalid_transition");

        let third = app.post("/api/v1/mentorship-requests", Some(&learner), ask("Resume")).await.body["id"].as_str().unwrap().to_owned();
        let withdrawn = app.post(&format!("/api/v1/mentorship-requests/{third}/cancel"), Some(&learner), json!({})).await;
        assert_eq!(withdrawn.body["status"], "cancelled");
        let received = app.get("/api/v1/me/mentorship-requests?side=received&status=declined", Some(&mentor)).await;
        assert_eq!(received.body["items"].as_array().unwrap().len(), 1);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn messages_flow_only_between_people_who_share_mentoring() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (mentor_id, mentor, _) = app.signed_up("mentor_msg", "mentor").await;
        let (learner_id, learner, _) = app.signed_up("learner_msg", "learner").await;
        let path = format!("/api/v1/me/conversations/{mentor_id}/messages");
        let cold = app.post(&path, Some(&learner), json!({"body": "hi"})).await;
        assert_eq!(cold.status, StatusCode::FORBIDDEN, "strangers cannot write");
        let id = app.create_session(&mentor, 0, 2, 24).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.book(&learner, &id).await;
        let empty = app
            .post(&path, Some(&learner), json!({"body": "   "}))
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        for text in ["Hello!", "Looking forward to it."] {
            assert_eq!(
                app.post(&path, Some(&learner), json!({"body": text}))
                    .await
                    .status,
                StatusCode::CREATED
            );
        }
        let inbox = app.get("/api/v1/me/conversations", Some(&mentor)).await;
        assert_eq!(inbox.body[0]["user_id"], learner_id.as_str());
        assert_eq!(inbox.body[0]["unread_count"], 2);
        assert_eq!(
            inbox.body[0]["last_message"]["body"],
            "Looking forward to it."
        );
        let read = app
            .post(
                &format!("/api/v1/me/conversations/{learner_id}/read"),
                Some(&mentor),
                json!({}),
            )
            .await;
        assert_eq!(read.body["marked"], 2);
        let history = app
            .get(
                &format!("/api/v1/me/conversations/{mentor_id}/messages"),
                Some(&learner),
            )
            .await;
        assert!(
            history.body["items"][0]["read_at"].is_string(),
            "read receipts are visible to the sender"
        );
        assert!(
            app.notification_kinds(&mentor)
                .await
                .contains(&"new_message".to_owned())
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn feedback_opens_after_completion_and_feeds_the_mentor_rating() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (mentor_id, mentor, _) = app.signed_up("mentor_fb1", "mentor").await;
        let (_, learner, _) = app.signed_up("learner_fb1", "learner").await;
        let id = app.create_session(&mentor, 0, 1, 24).await["id"].as_str().unwrap().to_owned();
        let booking = app.book(&learner, &id).await.body["id"].as_str().unwrap().to_owned();
        let form = |score: i64| json!({"mentor_rating": score, "session_rating": 4, "content_quality": 5, "communication": 5, "helpfulness": 4,
                                       "platform_rating": 5, "overall_experience": 5, "would_recommend": true, "comments": "Great"});
        let early = app.post(&format!("/api/v1/bookings/{booking}/feedback"), Some(&learner), form(5)).await;
        assert_eq!((early.status, early.code()), (StatusCode::CONFLICT, "feedback.session_not_completed"));

        app.move_session_into_the_past(&id).await;
        let report = app.lyceum().await.run_jobs().await.unwrap();
        assert_eq!(report.sessions_completed, 1);
        assert_eq!(app.get(&format!("/api/v1/mentoring-sessions/{id}"), None).await.body["status"], "completed");
        assert_eq!(app.get(&format!("/api/v1/bookings/{booking}"), Some(&learner)).await.body["status"], "completed");

        let out_of_range = app.post(&format!("/api/v1/bookings/{booking}/feedback"), Some(&learner), form(6)).await;
        assert_eq!(out_of_range.status, StatusCode::UNPROCESSABLE_ENTITY);
        let left = app.post(&format!("/api/v1/bookings/{booking}/feedback"), Some(&learner), form(5)).await;
        assert_eq!(left.status, StatusCode::CREATED, "{:?}", left.body);
        let twice = app.post(&format!("/api/v1/bookings/{booking}/feedback"), Some(&learner), form(4)).await;
        assert_eq!((twice.status, twice.code()), (StatusCode::CONFLICT, "feedback.duplicate"));

        let mentors = app.get("/api/v1/mentors", None).await;
        let me = mentors.body["items"].as_array().unwrap().iter().find(|m| m["id"] == mentor_id.as_str()).unwrap().clone();
        assert_eq!((me["rating"]["average"].as_f64(), me["rating"]["count"].as_i64()), (Some(5.0), Some(1)));
        let profile = app.get(&format!("/api/v1/users/{mentor_id}"), None).await;
        assert_eq!(profile.body["rating"]["count"], 1);
        let public = app.get(&format!("/api/v1/mentors/{mentor_id}/feedback"), None).await;
        assert_eq!(public.body["items"][0]["comments"], "Great");
        let session = app.get(&format!("/api/v1/mentoring-sessions/{id}"), None).await;
        assert_eq!(session.body["popularity"]["rating_average"], 4.0);
        assert_eq!(session.body["popularity"]["completion_rate"], 100.0);

        let rated = app.post(&format!("/api/v1/mentoring-sessions/{id}/learner-rating"), Some(&mentor), json!({"rating": 5, "comment": "Prepared"})).await;
        assert_eq!(rated.status, StatusCode::OK, "{:?}", rated.body);
        let rated_twice = app.post(&format!("/api/v1/mentoring-sessions/{id}/learner-rating"), Some(&mentor), json!({"rating": 4})).await;
        assert_eq!((rated_twice.status, rated_twice.code()), (StatusCode::CONFLICT, "rating.duplicate"));
        assert!(app.notification_kinds(&mentor).await.contains(&"feedback_received".to_owned()));
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn free_slots_follow_the_mentors_time_zone_across_daylight_saving() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (mentor_id, mentor, _) = app.signed_up("mentor_slots", "mentor").await;
        let (_, learner, _) = app.signed_up("learner_slots", "learner").await;
        let rules = json!({"timezone": "America/New_York", "windows": [{"weekday": "monday", "start": "09:00", "end": "12:00"}],
                           "exceptions": [{"date": "2030-01-14", "kind": "blocked"}]});
        assert_eq!(app.put("/api/v1/me/availability", Some(&learner), rules.clone()).await.status, StatusCode::FORBIDDEN);
        let saved = app.put("/api/v1/me/availability", Some(&mentor), rules).await;
        assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
        let bad = app.put("/api/v1/me/availability", Some(&mentor), json!({"timezone": "Mars/Base", "windows": []})).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

        let starts = |body: &serde_json::Value| -> Vec<String> { body.as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap().to_owned()).collect() };
        // 2030-01-07 is a Monday in winter (UTC-5), 2030-07-01 a Monday in summer (UTC-4).
        let winter = app.get(&format!("/api/v1/mentors/{mentor_id}/availability?from=2030-01-07T00:00:00Z&to=2030-01-08T00:00:00Z&duration=60"), None).await;
        assert_eq!(starts(&winter.body), ["2030-01-07T14:00:00Z", "2030-01-07T15:00:00Z", "2030-01-07T16:00:00Z"]);
        let summer = app.get(&format!("/api/v1/mentors/{mentor_id}/availability?from=2030-07-01T00:00:00Z&to=2030-07-02T00:00:00Z&duration=60"), None).await;
        assert_eq!(starts(&summer.body), ["2030-07-01T13:00:00Z", "2030-07-01T14:00:00Z", "2030-07-01T15:00:00Z"]);
        let blocked = app.get(&format!("/api/v1/mentors/{mentor_id}/availability?from=2030-01-14T00:00:00Z&to=2030-01-15T00:00:00Z"), None).await;
        assert_eq!(blocked.body, json!([]));

        let session = app
            .post("/api/v1/mentoring-sessions", Some(&mentor), json!({"title": "Busy", "duration_minutes": 60, "price": {"amount_minor": 0, "currency": "INR"}, "capacity": 1, "starts_at": "2030-01-07T15:00:00Z"}))
            .await;
        assert_eq!(session.status, StatusCode::CREATED);
        let minus_session = app.get(&format!("/api/v1/mentors/{mentor_id}/availability?from=2030-01-07T00:00:00Z&to=2030-01-08T00:00:00Z&duration=60"), None).await;
        assert_eq!(starts(&minus_session.body), ["2030-01-07T14:00:00Z", "2030-01-07T16:00:00Z"]);
        let rules_back = app.get(&format!("/api/v1/mentors/{mentor_id}/availability-rules"), None).await;
        assert_eq!(rules_back.body["windows"][0]["start"], "09:00");
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn reminders_are_sent_once_and_notifications_can_be_read() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, mentor, _) = app.signed_up("mentor_rem", "mentor").await;
        let (_, learner, _) = app.signed_up("learner_rem", "learner").await;
        let id = app.create_session(&mentor, 0, 2, 72).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.book(&learner, &id).await;
        app.move_session_start(&id, 30, 60).await;
        let lyceum = app.lyceum().await;
        let (a, b) = tokio::join!(lyceum.run_jobs(), lyceum.run_jobs());
        assert_eq!(
            a.unwrap().reminders_sent + b.unwrap().reminders_sent,
            2,
            "two concurrent runs remind the learner and the mentor once each"
        );
        assert_eq!(
            lyceum.run_jobs().await.unwrap().reminders_sent,
            0,
            "and never again"
        );
        for who in [&learner, &mentor] {
            let kinds = app.notification_kinds(who).await;
            assert_eq!(
                kinds.iter().filter(|k| *k == "session_reminder_1h").count(),
                1
            );
        }

        let unread = app
            .get("/api/v1/me/notifications/unread-count", Some(&learner))
            .await;
        assert_eq!(unread.body["unread"], 2, "booking confirmed + reminder");
        let first = app
            .get("/api/v1/me/notifications?unread=true", Some(&learner))
            .await
            .body["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            app.post(
                &format!("/api/v1/me/notifications/{first}/read"),
                Some(&learner),
                json!({})
            )
            .await
            .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.get("/api/v1/me/notifications/unread-count", Some(&learner))
                .await
                .body["unread"],
            1
        );
        assert_eq!(
            app.post(
                &format!("/api/v1/me/notifications/{first}/read"),
                Some(&mentor),
                json!({})
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        let all = app
            .post(
                "/api/v1/me/notifications/read-all",
                Some(&learner),
                json!({}),
            )
            .await;
        assert_eq!(all.body["marked"], 1);
        assert_eq!(
            app.get("/api/v1/me/notifications?unread=true", Some(&learner))
                .await
                .body["items"],
            json!([])
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn the_event_stream_pushes_new_messages_and_notifications() {
    use futures_util::StreamExt;
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (mentor_id, mentor, _) = app.signed_up("mentor_sse", "mentor").await;
        let (_, learner, _) = app.signed_up("learner_sse", "learner").await;
        let id = app.create_session(&mentor, 0, 2, 24).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.book(&learner, &id).await;
        let response = app
            .http
            .get(format!("{}/api/v1/me/events", app.base))
            .bearer_auth(&mentor)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        let mut body = response.bytes_stream();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let sent = app
            .post(
                &format!("/api/v1/me/conversations/{mentor_id}/messages"),
                Some(&learner),
                json!({"body": "Are slides needed?"}),
            )
            .await;
        assert_eq!(sent.status, StatusCode::CREATED);
        let mut seen = String::new();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        while !(seen.contains(r#""event":"message""#) && seen.contains(r#""event":"notification""#))
        {
            let chunk = tokio::time::timeout_at(deadline, body.next())
                .await
                .expect("an event arrives in time")
                .expect("stream open")
                .unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(seen.contains("Are slides needed?") && seen.contains("new_message"));
        assert!(
            !seen.contains("booking_confirmed"),
            "only news after the stream opened: {seen}"
        );
        // Each event's data is one LiveEventOut, discriminated by `event`, as documented.
        let events: Vec<serde_json::Value> = seen
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .filter_map(|data| serde_json::from_str(data.trim()).ok())
            .collect();
        let message = events
            .iter()
            .find(|e| e["event"] == "message")
            .unwrap_or_else(|| panic!("a message event: {seen}"));
        assert_eq!(message["message"]["body"], "Are slides needed?");
        assert!(message.get("notification").is_none(), "{message}");
        let notification = events
            .iter()
            .find(|e| e["event"] == "notification")
            .expect("a notification event");
        assert_eq!(notification["notification"]["kind"], "new_message");
        assert!(notification.get("message").is_none(), "{notification}");
        app.stop().await;
    })
    .await;
}

/// Reading a session writes nothing: its views are counted in memory, shown at once to
/// readers of this process, and written in a batch by the flusher or, at the latest, when
/// the server shuts down gracefully.
#[tokio::test]
async fn session_views_are_counted_in_memory_and_written_at_shutdown() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, mentor, _) = app.signed_up("view_mentor", "mentor").await;
        let session = app.create_session(&mentor, 0, 5, 48).await;
        let path = format!(
            "/api/v1/mentoring-sessions/{}",
            session["id"].as_str().unwrap()
        );
        for expected in 1..=4 {
            let viewed = app.get(&path, None).await;
            assert_eq!(viewed.body["popularity"]["views"], expected);
        }
        app.stop().await;

        let again = spawn_app(&db).await;
        let viewed = again.get(&path, None).await;
        assert_eq!(
            viewed.body["popularity"]["views"], 5,
            "the four views were written when the first server stopped"
        );
        again.stop().await;
    })
    .await;
}
