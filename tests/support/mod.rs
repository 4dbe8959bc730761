//! The end-to-end harness: `spawn_app` starts the real Lyceum server on a random port
//! against a fresh database, and `TestApp` is a small typed client for it.

use lyceum_app::identity::RegistrationInput;
use lyceum_infra_seaorm::OutboxMailer;
pub use lyceum_infra_seaorm::testing::{TestDb, on_each_backend};
use lyceum_server::RunningServer;
use lyceum_server::config::Config;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// HTTP client.
    pub http: reqwest::Client,
    /// Configuration the server runs with.
    pub config: Config,
    server: RunningServer,
}

/// One HTTP answer.
#[derive(Debug)]
pub struct Answer {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body as JSON (`Null` when empty or not JSON).
    pub body: Value,
}

/// The `(field, code)` pairs of a 422 validation problem, in the order sent; panics on
/// any other answer, so a test cannot mistake a refusal of another kind for one.
pub fn field_codes(answer: &Answer) -> Vec<(&str, &str)> {
    assert_eq!(
        answer.status,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        answer.body
    );
    answer.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("a 422 lists its fields: {:?}", answer.body))
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or(""),
                e["code"].as_str().unwrap_or(""),
            )
        })
        .collect()
}

impl Answer {
    /// The problem `code`, for error answers.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Starts a server on `db`, with the configuration adjusted by `tweak`.
pub async fn spawn_app_with(db: &TestDb, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = Config::for_database(&db.url);
    tweak(&mut config);
    let server = lyceum_server::start(&config).await.expect("server starts");
    TestApp {
        base: server.base_url.clone(),
        http: reqwest::Client::new(),
        config,
        server,
    }
}

/// Starts a server on `db` with test defaults (no auth rate limit).
pub async fn spawn_app(db: &TestDb) -> TestApp {
    spawn_app_with(db, |_| {}).await
}

/// The password every test account uses.
pub const PASSWORD: &str = "Secret123";

impl TestApp {
    /// Stops the server and waits for it.
    pub async fn stop(self) {
        self.server.stop().await.expect("server stops cleanly");
    }

    /// Sends a request with an optional bearer token, JSON body and extra headers.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("request is answered");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
        }
    }

    /// How many live event streams the server holds open.
    pub fn open_live_streams(&self) -> usize {
        self.server.open_live_streams()
    }

    /// Statements the server's pool has run so far.
    pub fn statements_run(&self) -> u64 {
        self.server.database.statements_run()
    }

    /// Connections of the server's pool in use now (open ones less idle ones).
    pub fn pool_connections_in_use(&self) -> usize {
        let conn = self.server.database.connection();
        match conn.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                let pool = conn.get_postgres_connection_pool();
                pool.size() as usize - pool.num_idle()
            }
            _ => {
                let pool = conn.get_sqlite_connection_pool();
                pool.size() as usize - pool.num_idle()
            }
        }
    }

    /// GET.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.send(Method::GET, path, token, None, &[]).await
    }

    /// POST with a JSON body.
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.send(Method::POST, path, token, Some(body), &[]).await
    }

    /// PATCH with a JSON body.
    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.send(Method::PATCH, path, token, Some(body), &[]).await
    }

    /// PUT with a JSON body.
    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.send(Method::PUT, path, token, Some(body), &[]).await
    }

    /// DELETE.
    pub async fn delete(&self, path: &str, token: Option<&str>) -> Answer {
        self.send(Method::DELETE, path, token, None, &[]).await
    }

    /// Registers `username` (`<username>@example.com`) with `role`; returns the user JSON.
    pub async fn register(&self, username: &str, role: &str) -> Value {
        let answer = self
            .post(
                "/api/v1/auth/register",
                None,
                json!({"email": format!("{username}@example.com"), "username": username, "password": PASSWORD,
                       "first_name": "Test", "last_name": "Person", "role": role}),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::CREATED,
            "register {username}: {:?}",
            answer.body
        );
        answer.body
    }

    /// Signs in; returns the token pair JSON.
    pub async fn login(&self, login: &str, password: &str) -> Answer {
        self.post(
            "/api/v1/auth/login",
            None,
            json!({"login": login, "password": password}),
        )
        .await
    }

    /// Registers and signs in; returns (user id, access token, refresh token).
    pub async fn signed_up(&self, username: &str, role: &str) -> (String, String, String) {
        let user = self.register(username, role).await;
        let tokens = self.login(username, PASSWORD).await;
        assert_eq!(tokens.status, StatusCode::OK, "{:?}", tokens.body);
        (
            user["id"].as_str().unwrap().to_owned(),
            tokens.body["access_token"].as_str().unwrap().to_owned(),
            tokens.body["refresh_token"].as_str().unwrap().to_owned(),
        )
    }

    /// Creates an admin the way `lyceum create-admin` does, and signs in.
    pub async fn admin(&self, username: &str) -> (String, String) {
        let db = lyceum_server::connect(&self.config).await.expect("connect");
        let app = lyceum_server::wire(&self.config, &db).expect("wire");
        let admin = app
            .create_admin(RegistrationInput {
                email: format!("{username}@example.com"),
                username: username.into(),
                password: PASSWORD.into(),
                first_name: "Ada".into(),
                last_name: "Admin".into(),
                role: "learner".into(),
                phone_number: None,
            })
            .await
            .expect("admin created");
        let tokens = self.login(username, PASSWORD).await;
        (
            admin.id.to_string(),
            tokens.body["access_token"].as_str().unwrap().to_owned(),
        )
    }

    /// Creates a session as `mentor` starting in `hours`, returns its JSON.
    pub async fn create_session(
        &self,
        mentor: &str,
        price_minor: i64,
        capacity: i64,
        hours: i64,
    ) -> Value {
        let starts_at = (time::OffsetDateTime::now_utc() + time::Duration::hours(hours))
            .replace_nanosecond(0)
            .expect("valid")
            .format(&time::format_description::well_known::Rfc3339)
            .expect("formats");
        let answer = self
            .post(
                "/api/v1/mentoring-sessions",
                Some(mentor),
                json!({"title": "Ownership and borrowing", "description": "Rust basics", "duration_minutes": 60,
                       "price": {"amount_minor": price_minor, "currency": "INR"}, "capacity": capacity, "starts_at": starts_at}),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::CREATED,
            "create session: {:?}",
            answer.body
        );
        answer.body
    }

    /// Books a seat; returns the answer.
    pub async fn book(&self, learner: &str, session_id: &str) -> Answer {
        self.post(
            &format!("/api/v1/mentoring-sessions/{session_id}/bookings"),
            Some(learner),
            json!({}),
        )
        .await
    }

    /// The kinds of my notifications, newest first.
    pub async fn notification_kinds(&self, token: &str) -> Vec<String> {
        let answer = self
            .get("/api/v1/me/notifications?limit=100", Some(token))
            .await;
        answer.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|n| n["kind"].as_str().unwrap_or("").to_owned())
            .collect()
    }

    /// The application wired on the server's database, for driving what only time drives
    /// (background jobs) in a test.
    pub async fn lyceum(&self) -> lyceum_app::Lyceum {
        let db = lyceum_server::connect(&self.config).await.expect("connect");
        lyceum_server::wire(&self.config, &db).expect("wire")
    }

    async fn execute(&self, sql_pg: &str, values: Vec<sea_orm::Value>) {
        use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
        let db = lyceum_server::connect(&self.config).await.expect("connect");
        let conn = db.connection();
        let backend = conn.get_database_backend();
        let sql = match backend {
            DatabaseBackend::Postgres => sql_pg.to_owned(),
            _ => (1..=values.len()).rev().fold(sql_pg.to_owned(), |sql, i| {
                sql.replace(&format!("${i}"), "?")
            }),
        };
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .expect("test SQL runs");
    }

    /// Moves a session into the past (started two hours ago, ended an hour ago), as if
    /// time had passed.
    pub async fn move_session_into_the_past(&self, session_id: &str) {
        let now = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .expect("valid");
        let id = uuid::Uuid::parse_str(session_id).expect("uuid");
        self.execute(
            "UPDATE mentoring_sessions SET starts_at = $1, ends_at = $2 WHERE id = $3",
            vec![
                (now - time::Duration::hours(2)).into(),
                (now - time::Duration::hours(1)).into(),
                id.into(),
            ],
        )
        .await;
    }

    /// Moves a session's start to `minutes` from now (for reminders and cut-offs).
    pub async fn move_session_start(&self, session_id: &str, minutes: i64, duration_minutes: i64) {
        let now = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .expect("valid");
        let start = now + time::Duration::minutes(minutes);
        let id = uuid::Uuid::parse_str(session_id).expect("uuid");
        self.execute(
            "UPDATE mentoring_sessions SET starts_at = $1, ends_at = $2 WHERE id = $3",
            vec![
                start.into(),
                (start + time::Duration::minutes(duration_minutes)).into(),
                id.into(),
            ],
        )
        .await;
    }

    /// Makes a pending booking's hold expire.
    pub async fn expire_hold(&self, booking_id: &str) {
        let past = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .expect("valid")
            - time::Duration::minutes(1);
        let id = uuid::Uuid::parse_str(booking_id).expect("uuid");
        self.execute(
            "UPDATE bookings SET hold_expires_at = $1 WHERE id = $2",
            vec![past.into(), id.into()],
        )
        .await;
    }

    /// The code in the newest mail sent to `email` (the line that is a bare token).
    pub async fn mailed_token(&self, email: &str) -> String {
        let db = lyceum_server::connect(&self.config).await.expect("connect");
        // The mail is committed with its command; the relay words it a moment later.
        let mut newest = None;
        for _ in 0..200 {
            let mails = OutboxMailer::new(&db)
                .sent_to(email)
                .await
                .expect("outbox readable");
            if let Some(mail) = mails.into_iter().next().filter(|m| !m.body.is_empty()) {
                newest = Some(mail);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let newest = newest.expect("a mail was sent and worded within 10 s");
        newest
            .body
            .lines()
            .map(str::trim)
            .find(|l| {
                l.len() >= 40
                    && l.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
            .expect("mail carries a token")
            .to_owned()
    }
}
