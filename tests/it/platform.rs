//! Conventions every endpoint shares: health, OpenAPI and Swagger UI, problem+json for
//! every error, body size limit, request ids.

use lyceum_e2e::{TestDb, on_each_backend, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn health_readiness_openapi_and_swagger_ui_are_served() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
        assert_eq!(app.get("/readyz", None).await.body["status"], "ready");
        let docs = app
            .http
            .get(format!("{}/docs", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(docs.status(), StatusCode::OK);
        let page = docs.text().await.unwrap();
        assert!(page.to_lowercase().contains("swagger"));
        assert!(
            page.contains(r#""openapi":"3.1.0""#),
            "Swagger UI shows the published document, not poem-openapi's raw one"
        );

        let spec = app.get("/openapi.json", None).await.body;
        assert_eq!(
            spec["components"]["securitySchemes"]["BearerAuth"]["scheme"],
            "bearer"
        );
        let tags: Vec<&str> = spec["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert!(
            tags.contains(&"Identity") && tags.contains(&"Wallet"),
            "{tags:?}"
        );
        let mut ids = Vec::new();
        for (path, item) in spec["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let id = op["operationId"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
                assert!(op["summary"].is_string(), "{method} {path} has no summary");
                assert!(!op["tags"].as_array().unwrap().is_empty());
                ids.push(id.to_owned());
            }
        }
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count, "operationIds are unique");
        let adjust = &spec["paths"]["/api/v1/admin/users/{id}/wallet/adjustments"]["post"];
        assert!(adjust["responses"]["409"]["content"]["application/problem+json"].is_object());
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn every_error_is_problem_json_with_a_stable_code() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app_with(&db, |c| c.body_limit_bytes = 2048).await;
        let missing = app.get("/api/v1/nothing-here", None).await;
        assert_eq!(
            (missing.status, missing.code()),
            (StatusCode::NOT_FOUND, "request.not_found")
        );
        assert_eq!(
            missing.header("content-type"),
            Some("application/problem+json")
        );

        let no_token = app.get("/api/v1/me", None).await;
        assert_eq!(
            (no_token.status, no_token.code()),
            (StatusCode::UNAUTHORIZED, "auth.unauthenticated")
        );
        let forged = app
            .get("/api/v1/me", Some("eyJhbGciOiJub25lIn0.e30."))
            .await;
        assert_eq!(forged.status, StatusCode::UNAUTHORIZED);

        let malformed = app
            .http
            .post(format!("{}/api/v1/auth/login", app.base))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            malformed.headers()["content-type"],
            "application/problem+json"
        );
        let body: Value = malformed.json().await.unwrap();
        assert_eq!(body["code"], "request.malformed");
        assert_eq!(body["status"], 400);

        let huge = app
            .http
            .post(format!("{}/api/v1/auth/login", app.base))
            .header("content-type", "application/json")
            .body(format!(
                "{{\"login\":\"{}\",\"password\":\"x\"}}",
                "a".repeat(4096)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let body: Value = huge.json().await.unwrap();
        assert_eq!(body["code"], "request.too_large");

        let echoed = app
            .send(
                reqwest::Method::GET,
                "/healthz",
                None,
                None,
                &[("x-request-id", "trace-me-123")],
            )
            .await;
        assert_eq!(echoed.header("x-request-id"), Some("trace-me-123"));
        assert!(
            app.get("/healthz", None)
                .await
                .header("x-request-id")
                .is_some()
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn the_pipeline_answers_what_the_document_promises() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let document = app.get("/openapi.json", None).await.body;
        assert_eq!(document["openapi"], "3.1.0");

        // A path with another method: 405, problem+json, and `Allow` as documented.
        let wrong = app
            .send(
                reqwest::Method::DELETE,
                "/api/v1/mentoring-sessions",
                None,
                None,
                &[],
            )
            .await;
        assert_eq!(
            (wrong.status, wrong.code()),
            (StatusCode::METHOD_NOT_ALLOWED, "request.method_not_allowed")
        );
        let allow = wrong.header("allow").expect("a 405 says what is allowed");
        let mut allowed: Vec<&str> = allow.split(", ").collect();
        allowed.sort_unstable();
        assert_eq!(allowed, ["GET", "POST"]);
        let documented =
            &document["paths"]["/api/v1/mentoring-sessions"]["get"]["responses"]["405"];
        assert_eq!(documented["headers"]["Allow"]["required"], true);

        // A malformed Idempotency-Key is refused, not ignored.
        let (_, learner, _) = app.signed_up("learner_key", "learner").await;
        let key = [("Idempotency-Key", "bad key with spaces")];
        let refused = app
            .send(
                reqwest::Method::POST,
                "/api/v1/mentoring-sessions/00000000-0000-7000-8000-000000000000/bookings",
                Some(&learner),
                None,
                &key,
            )
            .await;
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::BAD_REQUEST, "idempotency.invalid_key")
        );

        // No body at all where the operation needs one is refused, not read as `{}`.
        let bodiless = app
            .send(
                reqwest::Method::PATCH,
                "/api/v1/me",
                Some(&learner),
                None,
                &[],
            )
            .await;
        assert_eq!(lyceum_e2e::field_codes(&bodiless), [("$", "required")]);

        // JSON Schema reads 3.0 as the integer 3, and so does the server; 3.5 is refused.
        let integral = app
            .patch(
                "/api/v1/me",
                Some(&learner),
                serde_json::json!({"years_experience": 3.0}),
            )
            .await;
        assert_eq!(integral.status, StatusCode::OK, "{:?}", integral.body);
        assert_eq!(integral.body["profile"]["years_experience"], 3);
        let fractional = app
            .patch(
                "/api/v1/me",
                Some(&learner),
                serde_json::json!({"years_experience": 3.5}),
            )
            .await;
        assert_eq!(
            lyceum_e2e::field_codes(&fractional),
            [("years_experience", "invalid_type")]
        );

        // The NUL character enters nowhere, in a body or a query, on either database.
        let nul_body = app
            .post(
                "/api/v1/auth/register",
                None,
                serde_json::json!({"email": "nul@example.com", "username": "nul_user1", "password": "Secret123",
                                   "first_name": "A\u{0}B", "last_name": "C", "role": "learner"}),
            )
            .await;
        assert_eq!(lyceum_e2e::field_codes(&nul_body), [("first_name", "invalid_characters")]);
        let nul_query = app.get("/api/v1/mentors?expertise=ru%00st", None).await;
        assert_eq!(lyceum_e2e::field_codes(&nul_query), [("expertise", "invalid_characters")]);

        // A path parameter that is not a UUID names itself in a 422.
        let bad_id = app.get("/api/v1/mentoring-sessions/not-a-uuid", None).await;
        assert_eq!(lyceum_e2e::field_codes(&bad_id), [("id", "invalid_format")]);
        assert_eq!(
            bad_id.body["errors"][0]["message"], "must be a UUID",
            "the document's rule, never the parser's internals"
        );
        let bad_limit = app.get("/api/v1/mentors?limit=500", None).await;
        assert_eq!(lyceum_e2e::field_codes(&bad_limit), [("limit", "out_of_range")]);
        assert_eq!(bad_limit.body["errors"][0]["message"], "must be a whole number from 1 to 100");
        app.stop().await;
    })
    .await;
}

/// When the database stops taking connections (a restart, a failover), a request is a 503
/// with `Retry-After`, not a 500. An embedded SQLite file cannot become unreachable, so
/// this runs on PostgreSQL only.
#[tokio::test]
async fn an_unreachable_database_is_a_503_with_retry_after() {
    on_each_backend(|db: TestDb| async move {
        if db.backend != lyceum_infra_seaorm::Backend::Postgres {
            return;
        }
        let app = spawn_app(&db).await;
        assert_eq!(
            app.get("/api/v1/mentors", None).await.status,
            StatusCode::OK
        );
        let name = db.url.rsplit('/').next().unwrap().to_owned();
        let admin = postgres_admin().await;
        let run = |sql: String| {
            let admin = admin.clone();
            async move {
                use sea_orm::ConnectionTrait;
                admin
                    .execute_unprepared(&sql)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        };
        run(format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false")).await;
        run(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .await;
        let refused = app.get("/api/v1/mentors", None).await;
        run(format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true")).await;
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::SERVICE_UNAVAILABLE, "server.unavailable"),
            "{:?}",
            refused.body
        );
        assert_eq!(refused.header("retry-after"), Some("5"));
        assert_eq!(
            app.get("/api/v1/mentors", None).await.status,
            StatusCode::OK,
            "and it serves again once the database takes connections"
        );
        app.stop().await;
    })
    .await;
}

async fn postgres_admin() -> sea_orm::DatabaseConnection {
    let url = std::env::var(lyceum_infra_seaorm::testing::POSTGRES_URL_VAR).unwrap();
    sea_orm::Database::connect(url).await.unwrap()
}
