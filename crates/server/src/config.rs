//! Configuration from environment variables. Every variable has a default that makes
//! `make run` work with nothing installed; production mode refuses the defaults that
//! would be unsafe.
//!
//! Secrets — the JWT key, the database URL and the SMTP URL (both URLs can carry a
//! password) — are held as [`SecretString`] from the `secrecy` crate: its `Debug` prints
//! `[REDACTED]`, it has no `Display`, and it wipes the value from memory when dropped, so
//! neither `{:?}` on the whole [`Config`] nor a stray log line can show them. Reading one
//! takes an explicit `expose_secret()`, which is easy to find in review. For logs, use
//! [`Config::database_for_logs`] or [`redact_url`].

use std::net::SocketAddr;

use secrecy::{ExposeSecret, SecretString};

/// The JWT secret used when none is configured. Fine on a laptop, refused in production.
pub const DEVELOPMENT_JWT_SECRET: &str = "lyceum-development-secret-do-not-use-in-production";

/// Why the configuration is unusable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A variable has a value that does not parse.
    #[error("{name} has an invalid value {value:?}: {reason}")]
    Invalid {
        /// Variable name.
        name: &'static str,
        /// The value found.
        value: String,
        /// What was expected.
        reason: &'static str,
    },
    /// Production mode without a real secret.
    #[error(
        "LYCEUM_ENV=production requires LYCEUM_JWT_SECRET: at least 32 characters and not the development default"
    )]
    InsecureJwtSecret,
}

/// Development or production behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Local development: defaults allowed.
    Development,
    /// Production: unsafe defaults refused.
    Production,
}

/// Everything the server reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `LYCEUM_ENV`.
    pub environment: Environment,
    /// `LYCEUM_BIND`.
    pub bind: SocketAddr,
    /// `LYCEUM_PUBLIC_URL`.
    pub public_url: String,
    /// `LYCEUM_DATABASE_URL` (secret: may carry a password; log [`Config::database_for_logs`]).
    pub database_url: SecretString,
    /// `LYCEUM_DB_MAX_CONNECTIONS`.
    pub db_max_connections: u32,
    /// `LYCEUM_JWT_SECRET` (secret).
    pub jwt_secret: SecretString,
    /// `LYCEUM_JWT_ISSUER`.
    pub jwt_issuer: String,
    /// `LYCEUM_JWT_AUDIENCE`.
    pub jwt_audience: String,
    /// `LYCEUM_ACCESS_TOKEN_TTL_SECONDS`.
    pub access_token_ttl_seconds: i64,
    /// `LYCEUM_REFRESH_TOKEN_TTL_DAYS`.
    pub refresh_token_ttl_days: i64,
    /// `LYCEUM_LOGIN_MAX_FAILURES`.
    pub login_max_failures: u32,
    /// `LYCEUM_LOGIN_LOCK_MINUTES`.
    pub login_lock_minutes: i64,
    /// `LYCEUM_AUTH_RATE_LIMIT_PER_MINUTE`.
    pub auth_rate_limit_per_minute: u32,
    /// `LYCEUM_BODY_LIMIT_BYTES`.
    pub body_limit_bytes: usize,
    /// `LYCEUM_PASSWORD_HASH_CONCURRENCY`.
    pub password_hash_concurrency: usize,
    /// `LYCEUM_SMTP_URL` (secret: may carry a password).
    pub smtp_url: Option<SecretString>,
    /// `LYCEUM_MAIL_FROM`.
    pub mail_from: String,
    /// `LYCEUM_TRUST_FORWARDED_FOR`.
    pub trust_forwarded_for: bool,
    /// `LYCEUM_LOG_FORMAT` (`text` or `json`).
    pub log_json: bool,
    /// `LYCEUM_BOOKING_HOLD_MINUTES`.
    pub booking_hold_minutes: i64,
    /// `LYCEUM_CANCELLATION_CUTOFF_MINUTES`.
    pub cancellation_cutoff_minutes: i64,
    /// `LYCEUM_JOB_INTERVAL_SECONDS` (0 = background jobs off).
    pub job_interval_seconds: u64,
    /// `LYCEUM_MAIL_RELAY_MILLIS`: the mail relay runs as soon as this process commits
    /// mail, and this often besides, for mail committed by other processes and for retries
    /// (0 = relay off).
    pub mail_relay_millis: u64,
    /// `LYCEUM_VIEW_FLUSH_SECONDS`: how often views counted in memory are written (a
    /// crash loses at most this long of view counts; 0 = only at shutdown).
    pub view_flush_seconds: u64,
    /// `LYCEUM_DEFAULT_CURRENCY`.
    pub default_currency: String,
    /// `LYCEUM_HTTP_MAX_CONNECTIONS` (0 = derived from the open-files limit, see
    /// [`crate::http::default_max_connections`]).
    pub http_max_connections: usize,
    /// `LYCEUM_HTTP_IDLE_TIMEOUT_SECONDS`: how long a connection may wait between requests.
    pub http_idle_timeout_seconds: u64,
    /// `LYCEUM_HTTP_HEADER_TIMEOUT_SECONDS`: how long a request's head may take to arrive,
    /// from its first byte.
    pub http_header_timeout_seconds: u64,
    /// `LYCEUM_HTTP_BODY_TIMEOUT_SECONDS`: how long a request's body may take to arrive,
    /// from the end of its head.
    pub http_body_timeout_seconds: u64,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: std::str::FromStr>(
    name: &'static str,
    default: T,
    reason: &'static str,
) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(value) => value.trim().parse().map_err(|_| ConfigError::Invalid {
            name,
            value,
            reason,
        }),
    }
}

impl Config {
    /// Reads the environment and checks it.
    pub fn from_env() -> Result<Self, ConfigError> {
        let environment = match var("LYCEUM_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "LYCEUM_ENV",
                    value: other.into(),
                    reason: "expected development or production",
                });
            }
        };
        let bind: SocketAddr = parsed(
            "LYCEUM_BIND",
            SocketAddr::from(([127, 0, 0, 1], 8080)),
            "expected host:port",
        )?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        // Half the cores at most, so that a flood of sign-ins (argon2id is tens of
        // milliseconds of CPU each, by design) cannot starve every other request.
        let hashing = cores.div_ceil(2).max(1);
        let config = Self {
            environment,
            bind,
            public_url: var("LYCEUM_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}")),
            database_url: var("LYCEUM_DATABASE_URL")
                .unwrap_or_else(|| "sqlite:./data/lyceum.sqlite?mode=rwc".into())
                .into(),
            db_max_connections: parsed(
                "LYCEUM_DB_MAX_CONNECTIONS",
                10,
                "expected a positive integer",
            )?,
            jwt_secret: var("LYCEUM_JWT_SECRET")
                .unwrap_or_else(|| DEVELOPMENT_JWT_SECRET.into())
                .into(),
            jwt_issuer: var("LYCEUM_JWT_ISSUER").unwrap_or_else(|| "lyceum".into()),
            jwt_audience: var("LYCEUM_JWT_AUDIENCE").unwrap_or_else(|| "lyceum-api".into()),
            access_token_ttl_seconds: parsed(
                "LYCEUM_ACCESS_TOKEN_TTL_SECONDS",
                900,
                "expected seconds",
            )?,
            refresh_token_ttl_days: parsed("LYCEUM_REFRESH_TOKEN_TTL_DAYS", 30, "expected days")?,
            login_max_failures: parsed(
                "LYCEUM_LOGIN_MAX_FAILURES",
                5,
                "expected a positive integer",
            )?,
            login_lock_minutes: parsed("LYCEUM_LOGIN_LOCK_MINUTES", 15, "expected minutes")?,
            auth_rate_limit_per_minute: parsed(
                "LYCEUM_AUTH_RATE_LIMIT_PER_MINUTE",
                30,
                "expected a count (0 = off)",
            )?,
            body_limit_bytes: parsed("LYCEUM_BODY_LIMIT_BYTES", 1024 * 1024, "expected bytes")?,
            password_hash_concurrency: parsed(
                "LYCEUM_PASSWORD_HASH_CONCURRENCY",
                hashing,
                "expected a positive integer",
            )?,
            smtp_url: var("LYCEUM_SMTP_URL").map(SecretString::from),
            mail_from: var("LYCEUM_MAIL_FROM")
                .unwrap_or_else(|| "Lyceum <no-reply@lyceum.local>".into()),
            trust_forwarded_for: parsed(
                "LYCEUM_TRUST_FORWARDED_FOR",
                false,
                "expected true or false",
            )?,
            log_json: var("LYCEUM_LOG_FORMAT").is_some_and(|f| f == "json"),
            booking_hold_minutes: parsed("LYCEUM_BOOKING_HOLD_MINUTES", 15, "expected minutes")?,
            cancellation_cutoff_minutes: parsed(
                "LYCEUM_CANCELLATION_CUTOFF_MINUTES",
                120,
                "expected minutes",
            )?,
            job_interval_seconds: parsed(
                "LYCEUM_JOB_INTERVAL_SECONDS",
                30,
                "expected seconds (0 = off)",
            )?,
            mail_relay_millis: parsed(
                "LYCEUM_MAIL_RELAY_MILLIS",
                10_000,
                "expected milliseconds (0 = off)",
            )?,
            view_flush_seconds: parsed(
                "LYCEUM_VIEW_FLUSH_SECONDS",
                5,
                "expected seconds (0 = only at shutdown)",
            )?,
            default_currency: var("LYCEUM_DEFAULT_CURRENCY").unwrap_or_else(|| "INR".into()),
            http_max_connections: parsed(
                "LYCEUM_HTTP_MAX_CONNECTIONS",
                0,
                "expected a count (0 = from the open-files limit)",
            )?,
            http_idle_timeout_seconds: parsed(
                "LYCEUM_HTTP_IDLE_TIMEOUT_SECONDS",
                60,
                "expected seconds",
            )?,
            http_header_timeout_seconds: parsed(
                "LYCEUM_HTTP_HEADER_TIMEOUT_SECONDS",
                10,
                "expected seconds",
            )?,
            http_body_timeout_seconds: parsed(
                "LYCEUM_HTTP_BODY_TIMEOUT_SECONDS",
                30,
                "expected seconds",
            )?,
        };
        config.check()?;
        Ok(config)
    }

    /// Refuses settings that would be unsafe or meaningless.
    pub fn check(&self) -> Result<(), ConfigError> {
        let jwt_secret = self.jwt_secret.expose_secret();
        if self.environment == Environment::Production
            && (jwt_secret == DEVELOPMENT_JWT_SECRET || jwt_secret.len() < 32)
        {
            return Err(ConfigError::InsecureJwtSecret);
        }
        let positive = [
            ("LYCEUM_DB_MAX_CONNECTIONS", self.db_max_connections as i64),
            (
                "LYCEUM_ACCESS_TOKEN_TTL_SECONDS",
                self.access_token_ttl_seconds,
            ),
            ("LYCEUM_REFRESH_TOKEN_TTL_DAYS", self.refresh_token_ttl_days),
            ("LYCEUM_LOGIN_MAX_FAILURES", self.login_max_failures as i64),
            ("LYCEUM_LOGIN_LOCK_MINUTES", self.login_lock_minutes),
            (
                "LYCEUM_PASSWORD_HASH_CONCURRENCY",
                self.password_hash_concurrency as i64,
            ),
            ("LYCEUM_BODY_LIMIT_BYTES", self.body_limit_bytes as i64),
            ("LYCEUM_BOOKING_HOLD_MINUTES", self.booking_hold_minutes),
            (
                "LYCEUM_HTTP_IDLE_TIMEOUT_SECONDS",
                self.http_idle_timeout_seconds.min(i64::MAX as u64) as i64,
            ),
            (
                "LYCEUM_HTTP_HEADER_TIMEOUT_SECONDS",
                self.http_header_timeout_seconds.min(i64::MAX as u64) as i64,
            ),
            (
                "LYCEUM_HTTP_BODY_TIMEOUT_SECONDS",
                self.http_body_timeout_seconds.min(i64::MAX as u64) as i64,
            ),
        ];
        if self.cancellation_cutoff_minutes < 0 {
            return Err(ConfigError::Invalid {
                name: "LYCEUM_CANCELLATION_CUTOFF_MINUTES",
                value: self.cancellation_cutoff_minutes.to_string(),
                reason: "must not be negative",
            });
        }
        if lyceum_domain::Currency::parse(&self.default_currency).is_err() {
            return Err(ConfigError::Invalid {
                name: "LYCEUM_DEFAULT_CURRENCY",
                value: self.default_currency.clone(),
                reason: "expected an ISO 4217 code such as INR",
            });
        }
        for (name, value) in positive {
            if value <= 0 {
                return Err(ConfigError::Invalid {
                    name,
                    value: value.to_string(),
                    reason: "must be positive",
                });
            }
        }
        Ok(())
    }

    /// The database URL as it may be logged: no credentials, no query parameters.
    pub fn database_for_logs(&self) -> String {
        redact_url(self.database_url.expose_secret())
    }

    /// A configuration for tests and tools: development mode, everything default except
    /// the database.
    pub fn for_database(database_url: &str) -> Self {
        Self {
            environment: Environment::Development,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: "http://127.0.0.1".into(),
            database_url: database_url.into(),
            db_max_connections: 10,
            jwt_secret: DEVELOPMENT_JWT_SECRET.into(),
            jwt_issuer: "lyceum".into(),
            jwt_audience: "lyceum-api".into(),
            access_token_ttl_seconds: 900,
            refresh_token_ttl_days: 30,
            login_max_failures: 5,
            login_lock_minutes: 15,
            auth_rate_limit_per_minute: 0,
            body_limit_bytes: 1024 * 1024,
            password_hash_concurrency: 2,
            smtp_url: None,
            mail_from: "Lyceum <no-reply@lyceum.local>".into(),
            trust_forwarded_for: false,
            log_json: false,
            booking_hold_minutes: 15,
            cancellation_cutoff_minutes: 120,
            job_interval_seconds: 0,
            mail_relay_millis: 60_000,
            view_flush_seconds: 5,
            default_currency: "INR".into(),
            http_max_connections: 0,
            http_idle_timeout_seconds: 60,
            http_header_timeout_seconds: 10,
            http_body_timeout_seconds: 30,
        }
    }
}

/// A URL with what could be secret taken out, for logs and error messages: the user
/// information (`user:password@`) becomes `***@`, and the query and fragment are dropped
/// (PostgreSQL URLs accept `?password=`). The last `@` counts, so a password with an
/// unescaped `/` or `@` is still hidden; a URL without credentials is kept as it is, less
/// its query.
pub fn redact_url(url: &str) -> String {
    let without_query = url.split(['?', '#']).next().unwrap_or_default();
    match (without_query.find("://"), without_query.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => format!(
            "{}://***{}",
            &without_query[..scheme_end],
            &without_query[at..]
        ),
        _ => without_query.to_owned(),
    }
}

/// Replaces every occurrence of `url`, and of its user information, in `text` by the
/// redacted form; for error messages of libraries that may echo what they were given.
pub fn scrub(text: &str, url: &str) -> String {
    let mut text = text.replace(url, &redact_url(url));
    let without_query = url.split(['?', '#']).next().unwrap_or_default();
    if let (Some(scheme_end), Some(at)) = (without_query.find("://"), without_query.rfind('@'))
        && at > scheme_end + 3
    {
        text = text.replace(&without_query[scheme_end + 3..at], "***");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_refuses_the_development_secret_and_short_secrets() {
        let mut config = Config::for_database("sqlite::memory:");
        config.environment = Environment::Production;
        assert!(matches!(
            config.check(),
            Err(ConfigError::InsecureJwtSecret)
        ));
        config.jwt_secret = "short".into();
        assert!(matches!(
            config.check(),
            Err(ConfigError::InsecureJwtSecret)
        ));
        config.jwt_secret = "x".repeat(48).into();
        assert!(config.check().is_ok());
    }

    #[test]
    fn development_accepts_the_default_secret() {
        assert!(Config::for_database("sqlite::memory:").check().is_ok());
    }

    #[test]
    fn debug_output_of_the_config_shows_no_secret() {
        let mut config = Config::for_database("postgres://lyceum:db-pass-4711@db.internal/lyceum");
        config.jwt_secret = "jwt-key-0123456789-0123456789-0123".into();
        config.smtp_url = Some("smtps://mailer:smtp-pass-0815@smtp.example.com".into());
        let printed = format!("{config:?}");
        for secret in [
            "db-pass-4711",
            "jwt-key-0123456789-0123456789-0123",
            "smtp-pass-0815",
            "postgres://",
            "smtps://",
        ] {
            assert!(!printed.contains(secret), "{secret} leaked in {printed}");
        }
        assert!(printed.contains("REDACTED"));
        let pretty = format!("{config:#?}");
        assert!(!pretty.contains("db-pass-4711") && !pretty.contains("smtp-pass-0815"));
    }

    #[test]
    fn the_database_url_for_logs_has_no_credentials() {
        let config = Config::for_database("postgres://lyceum:db-pass-4711@db.internal:5432/lyceum");
        assert_eq!(
            config.database_for_logs(),
            "postgres://***@db.internal:5432/lyceum"
        );
        assert_eq!(
            redact_url("postgres://db.internal/lyceum?user=x&password=qp-secret"),
            "postgres://db.internal/lyceum"
        );
        assert_eq!(
            redact_url("postgres://u:pa/ss@word@host/db"),
            "postgres://***@host/db"
        );
        assert_eq!(
            redact_url("sqlite:./data/lyceum.sqlite?mode=rwc"),
            "sqlite:./data/lyceum.sqlite"
        );
    }

    #[test]
    fn scrub_takes_the_url_and_its_credentials_out_of_a_message() {
        let url = "mysql://root:hunter2-pw@db/lyceum";
        let message = format!("unsupported database url: {url}; also root:hunter2-pw");
        let scrubbed = scrub(&message, url);
        assert!(!scrubbed.contains("hunter2-pw"), "{scrubbed}");
        assert!(scrubbed.contains("mysql://***@db/lyceum"));
    }
}
