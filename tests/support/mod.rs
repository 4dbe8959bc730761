//! The end-to-end harness: `spawn_app` starts the real Lyceum server on a random port
//! against a fresh database, and `TestApp` is a small typed client for it.

use lyceum_app::identity::Registration;
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
            .create_admin(Registration {
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

    /// The code in the newest mail sent to `email` (the line that is a bare token).
    pub async fn mailed_token(&self, email: &str) -> String {
        let db = lyceum_server::connect(&self.config).await.expect("connect");
        let mails = OutboxMailer::new(&db)
            .sent_to(email)
            .await
            .expect("outbox readable");
        let newest = mails.first().expect("a mail was sent");
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
