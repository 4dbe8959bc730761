//! The points wallet over HTTP: admin grants and deductions, the ledger, idempotency and
//! concurrent deductions that must never overdraw.

use lyceum_e2e::{TestApp, TestDb, on_each_backend, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn adjust(
    app: &TestApp,
    admin: &str,
    user: &str,
    body: Value,
    key: Option<&str>,
) -> lyceum_e2e::Answer {
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

#[tokio::test]
async fn admins_grant_and_deduct_points_and_the_ledger_explains_the_balance() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, admin) = app.admin("wallet_admin").await;
        let (user, token, _) = app.signed_up("wallet_user", "learner").await;

        let grant = adjust(
            &app,
            &admin,
            &user,
            json!({"direction": "grant", "points": 10, "reason": "welcome bonus"}),
            None,
        )
        .await;
        assert_eq!(grant.status, StatusCode::CREATED, "{:?}", grant.body);
        assert_eq!(
            (
                grant.body["delta"].as_i64(),
                grant.body["balance_after"].as_i64()
            ),
            (Some(10), Some(10))
        );
        assert_eq!(grant.body["kind"], "admin_grant");
        assert!(grant.header("location").is_some());
        let deduct = adjust(
            &app,
            &admin,
            &user,
            json!({"direction": "deduct", "points": 4, "reason": "correction"}),
            None,
        )
        .await;
        assert_eq!(deduct.body["balance_after"], 6);
        let too_much = adjust(
            &app,
            &admin,
            &user,
            json!({"direction": "deduct", "points": 7, "reason": "too much"}),
            None,
        )
        .await;
        assert_eq!(
            (too_much.status, too_much.code()),
            (StatusCode::CONFLICT, "wallet.insufficient_points")
        );
        let zero = adjust(
            &app,
            &admin,
            &user,
            json!({"direction": "grant", "points": 0, "reason": "nothing"}),
            None,
        )
        .await;
        assert_eq!(zero.status, StatusCode::UNPROCESSABLE_ENTITY);
        let by_learner = adjust(
            &app,
            &token,
            &user,
            json!({"direction": "grant", "points": 1000, "reason": "me"}),
            None,
        )
        .await;
        assert_eq!(by_learner.status, StatusCode::FORBIDDEN);
        let nobody = adjust(
            &app,
            &admin,
            &uuid::Uuid::now_v7().to_string(),
            json!({"direction": "grant", "points": 1, "reason": "x"}),
            None,
        )
        .await;
        assert_eq!(nobody.status, StatusCode::NOT_FOUND);

        assert_eq!(
            app.get("/api/v1/me/wallet", Some(&token)).await.body["balance"],
            6
        );
        let first = app
            .get("/api/v1/me/wallet/ledger?limit=1", Some(&token))
            .await;
        assert_eq!(first.body["items"][0]["delta"], -4, "newest first");
        let cursor = first.body["next_cursor"].as_str().unwrap();
        let second = app
            .get(
                &format!("/api/v1/me/wallet/ledger?limit=1&cursor={cursor}"),
                Some(&token),
            )
            .await;
        assert_eq!(second.body["items"][0]["delta"], 10);
        assert!(
            second.body.get("next_cursor").is_none(),
            "absent on the last page"
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_response_and_refuses_another_body() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, admin) = app.admin("idem_admin1").await;
        let (user, token, _) = app.signed_up("idem_user1", "learner").await;
        let body = json!({"direction": "grant", "points": 25, "reason": "contest prize"});
        let first = adjust(&app, &admin, &user, body.clone(), Some("prize-2026-11")).await;
        let again = adjust(&app, &admin, &user, body.clone(), Some("prize-2026-11")).await;
        assert_eq!(
            (first.status, again.status),
            (StatusCode::CREATED, StatusCode::CREATED)
        );
        assert_eq!(first.body, again.body, "the same response again");
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(
            app.get("/api/v1/me/wallet", Some(&token)).await.body["balance"],
            25,
            "applied once"
        );

        let other = adjust(
            &app,
            &admin,
            &user,
            json!({"direction": "grant", "points": 26, "reason": "contest prize"}),
            Some("prize-2026-11"),
        )
        .await;
        assert_eq!(
            (other.status, other.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "idempotency.key_reused")
        );
        let bad_key = adjust(&app, &admin, &user, body, Some("has space")).await;
        assert_eq!(bad_key.status, StatusCode::BAD_REQUEST);
        let ledger = app.get("/api/v1/me/wallet/ledger", Some(&token)).await;
        assert_eq!(ledger.body["items"].as_array().unwrap().len(), 1);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn fifty_simultaneous_deductions_never_overdraw_the_wallet() {
    on_each_backend(|db: TestDb| async move {
        let app = std::sync::Arc::new(spawn_app(&db).await);
        let (_, admin) = app.admin("race_admin1").await;
        let (user, token, _) = app.signed_up("race_user01", "learner").await;
        let seed = adjust(
            &app,
            &admin,
            &user,
            json!({"direction": "grant", "points": 100, "reason": "seed"}),
            None,
        )
        .await;
        assert_eq!(seed.status, StatusCode::CREATED);

        let mut tasks = Vec::new();
        for i in 0..50 {
            let (app, admin, user) = (app.clone(), admin.clone(), user.clone());
            tasks.push(tokio::spawn(async move {
                adjust(
                    &app,
                    &admin,
                    &user,
                    json!({"direction": "deduct", "points": 3, "reason": format!("race {i}")}),
                    None,
                )
                .await
            }));
        }
        let mut accepted = 0;
        let mut refused = 0;
        for task in tasks {
            let answer = task.await.unwrap();
            match (answer.status, answer.code()) {
                (StatusCode::CREATED, _) => accepted += 1,
                (StatusCode::CONFLICT, "wallet.insufficient_points") => refused += 1,
                other => panic!("unexpected answer {other:?}: {:?}", answer.body),
            }
        }
        assert_eq!((accepted, refused), (33, 17));
        assert_eq!(
            app.get("/api/v1/me/wallet", Some(&token)).await.body["balance"],
            1
        );
        let ledger = app
            .get("/api/v1/me/wallet/ledger?limit=100", Some(&token))
            .await;
        let sum: i64 = ledger.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["delta"].as_i64().unwrap())
            .sum();
        assert_eq!(sum, 1, "the balance equals the ledger sum");
        std::sync::Arc::try_unwrap(app)
            .ok()
            .expect("no other owner")
            .stop()
            .await;
    })
    .await;
}
