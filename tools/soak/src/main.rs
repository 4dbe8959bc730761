//! `lyceum-soak`: drives a real Lyceum server (the release binary, as a separate process)
//! the way an attacker and an unlucky operator would, and checks afterwards that nothing
//! was lost, applied twice or overbooked. `make soak` runs it; docs/reliability.md explains
//! each scenario and keeps the last results. Nothing here is part of `make test`: the
//! scenarios restart PostgreSQL, exhaust file descriptors and run for minutes.
//!
//! Usage: `lyceum-soak [scenario…]` (default: all), configured by environment:
//! `SOAK_SERVER_BIN` (the `lyceum` binary), `SOAK_PG_URL` (server URL without a database,
//! default `postgres://postgres@127.0.0.1:5432`), `SOAK_OUT` (directory for logs and
//! `results.md`), `SOAK_BOOKINGS` (10000), `SOAK_KILLS` (105), `SOAK_STREAMS` (1000),
//! `SOAK_SIGN_INS` (3000).

mod scenarios;
mod server;

use std::path::PathBuf;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

pub(crate) use server::{Database, Server};

/// The password every soak account uses.
pub(crate) const PASSWORD: &str = "Soak-Passw0rd";

/// What the run is told by its environment.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    pub server_bin: PathBuf,
    pub pg_url: String,
    pub out: PathBuf,
    pub bookings: usize,
    pub kills: usize,
    pub streams: usize,
    pub sign_ins: usize,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

impl Options {
    fn from_env() -> Self {
        Self {
            server_bin: env_or("SOAK_SERVER_BIN", PathBuf::from("target/release/lyceum")),
            pg_url: env_or(
                "SOAK_PG_URL",
                "postgres://postgres@127.0.0.1:5432".to_owned(),
            ),
            out: env_or("SOAK_OUT", PathBuf::from("target/soak")),
            bookings: env_or("SOAK_BOOKINGS", 10_000),
            kills: env_or("SOAK_KILLS", 105),
            streams: env_or("SOAK_STREAMS", 1_000),
            sign_ins: env_or("SOAK_SIGN_INS", 3_000),
        }
    }
}

/// One HTTP answer, or why there was none (connection refused while the server restarts).
pub(crate) type Reply = Result<(u16, Value, reqwest::header::HeaderMap), String>;

/// A small client for the API.
#[derive(Clone)]
pub(crate) struct Api {
    pub http: reqwest::Client,
    pub base: String,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .pool_max_idle_per_host(256)
                .build()
                .expect("client builds"),
            base: base.to_owned(),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Reply {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.map_err(|e| e.to_string())?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::Null),
            headers,
        ))
    }

    /// Registers an account and signs in; returns (id, access token).
    pub async fn account(&self, username: &str, role: &str) -> (String, String) {
        let body = json!({"email": format!("{username}@soak.example.com"), "username": username,
                          "password": PASSWORD, "first_name": "Soak", "last_name": "Tester", "role": role});
        let (status, user, _) = self
            .call(
                Method::POST,
                "/api/v1/auth/register",
                None,
                Some(&body),
                None,
            )
            .await
            .expect("register answers");
        assert_eq!(status, 201, "register {username}: {user}");
        let token = self.sign_in(username).await;
        (user["id"].as_str().unwrap_or_default().to_owned(), token)
    }

    /// Signs in; returns the access token.
    pub async fn sign_in(&self, login: &str) -> String {
        let body = json!({"login": login, "password": PASSWORD});
        let (status, tokens, _) = self
            .call(Method::POST, "/api/v1/auth/login", None, Some(&body), None)
            .await
            .expect("login answers");
        assert_eq!(status, 200, "login {login}: {tokens}");
        tokens["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// A free session of `capacity` seats starting `hours` from now; returns its id.
    pub async fn session(&self, mentor: &str, hours: i64, capacity: i64) -> String {
        let starts_at = (time::OffsetDateTime::now_utc() + time::Duration::hours(hours))
            .replace_nanosecond(0)
            .expect("valid")
            .format(&time::format_description::well_known::Rfc3339)
            .expect("formats");
        let body = json!({"title": "Soak session", "description": "Load", "duration_minutes": 60,
                          "price": {"amount_minor": 0, "currency": "INR"}, "capacity": capacity,
                          "starts_at": starts_at});
        let (status, session, _) = self
            .call(
                Method::POST,
                "/api/v1/mentoring-sessions",
                Some(mentor),
                Some(&body),
                None,
            )
            .await
            .expect("create session answers");
        assert_eq!(status, 201, "create session: {session}");
        session["id"].as_str().unwrap_or_default().to_owned()
    }

    /// Confirmed bookings of a session, as its mentor sees them.
    pub async fn confirmed_bookings(&self, mentor: &str, session: &str) -> Vec<Value> {
        let (status, page, _) = self
            .call(
                Method::GET,
                &format!("/api/v1/mentoring-sessions/{session}/bookings?limit=100"),
                Some(mentor),
                None,
                None,
            )
            .await
            .expect("roster answers");
        assert_eq!(status, 200, "roster: {page}");
        page["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|b| b["status"] == "confirmed")
            .collect()
    }
}

/// A deterministic generator, so that a failing run can be replayed with its seed.
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// What one scenario found: a title, rows of (measure, value) and whether its checks held.
pub(crate) struct Outcome {
    pub title: &'static str,
    pub rows: Vec<(String, String)>,
    pub failures: Vec<String>,
}

impl Outcome {
    pub fn new(title: &'static str) -> Self {
        Self {
            title,
            rows: Vec::new(),
            failures: Vec::new(),
        }
    }

    pub fn row(&mut self, measure: impl Into<String>, value: impl ToString) {
        let (measure, value) = (measure.into(), value.to_string());
        eprintln!("  {measure}: {value}");
        self.rows.push((measure, value));
    }

    /// Records a check; a false one fails the run.
    pub fn check(&mut self, holds: bool, what: impl Into<String>) {
        let what = what.into();
        eprintln!("  check {}: {what}", if holds { "ok" } else { "FAILED" });
        if !holds {
            self.failures.push(what);
        }
    }

    fn markdown(&self) -> String {
        let mut out = format!("### {}\n\n| Measure | Value |\n|---|---|\n", self.title);
        for (measure, value) in &self.rows {
            out.push_str(&format!("| {measure} | {value} |\n"));
        }
        if self.failures.is_empty() {
            out.push_str("\nEvery check held.\n\n");
        } else {
            out.push_str("\nFailed checks:\n");
            for failure in &self.failures {
                out.push_str(&format!("- {failure}\n"));
            }
            out.push('\n');
        }
        out
    }
}

const ALL: [&str; 7] = [
    "bookings",
    "kill9",
    "pg-restart",
    "slow-clients",
    "event-streams",
    "fd-exhaustion",
    "memory",
];

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = Options::from_env();
    let mut wanted: Vec<String> = std::env::args().skip(1).collect();
    if wanted.is_empty() || wanted.iter().any(|w| w == "all") {
        wanted = ALL.iter().map(|s| (*s).to_owned()).collect();
    }
    if let Some(unknown) = wanted.iter().find(|w| !ALL.contains(&w.as_str())) {
        eprintln!("unknown scenario {unknown}; known: {}", ALL.join(", "));
        return std::process::ExitCode::from(2);
    }
    std::fs::create_dir_all(&options.out).expect("output directory");
    let mut report = String::new();
    let mut failed = false;
    for name in &wanted {
        eprintln!("\n== {name}");
        let started = std::time::Instant::now();
        let mut outcome = scenarios::run(name, &options).await;
        outcome.row(
            "Scenario wall time",
            format!("{:.0} s", started.elapsed().as_secs_f64()),
        );
        failed |= !outcome.failures.is_empty();
        report.push_str(&outcome.markdown());
        std::fs::write(options.out.join("results.md"), &report).expect("results written");
    }
    println!("{report}");
    if failed {
        eprintln!("soak: some checks failed (see above)");
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
