//! The `lyceum` server: configuration, the wiring of adapters into the application, and
//! the HTTP server's lifecycle. The binary in `main.rs` is a thin CLI over this library;
//! end-to-end tests start the same server through [`start`].
#![forbid(unsafe_code)]

pub mod adapters;
pub mod config;
pub mod http;
pub mod seed;

use std::sync::Arc;
use std::time::Duration;

use lyceum_api_poem::{HttpSettings, Readiness};
use lyceum_app::{Lyceum, Ports, Settings};
use lyceum_domain::identity::LockoutPolicy;
use lyceum_infra_seaorm::{
    AuthSessionStore, AvailabilityStore, BillingAddressStore, BookingStore, CalendarFeedStore,
    CertificateStore, Database, DbSettings, FeedbackStore, IdempotencyKeyStore, LiveFeed,
    LoginAttemptStore, MentoringSessionStore, MentorshipRequestStore, MessageStore,
    NotificationStore, OutboxMailer, SpecializationStore, UserStore, VerificationTokenStore,
    WalletStore,
};
use secrecy::ExposeSecret;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::adapters::{
    Argon2Hasher, JwtAccessTokens, JwtSettings, MailRelay, SandboxPayments, Sha256Secrets,
    SystemClock, UuidV7Ids,
};
use crate::config::Config;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Configuration problem.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// Database unreachable or migrations failed.
    #[error("database: {0}")]
    Database(String),
    /// An adapter could not be built.
    #[error("{0}")]
    Adapter(String),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Connects to the configured database. The error never shows the URL's credentials.
pub async fn connect(config: &Config) -> Result<Database, StartError> {
    let url = config.database_url.expose_secret();
    Database::connect(&DbSettings {
        url: url.to_owned(),
        max_connections: config.db_max_connections,
        busy_timeout: Duration::from_secs(10),
    })
    .await
    .map_err(|e| StartError::Database(config::scrub(&e.to_string(), url)))
}

/// Builds the application on a database with the real adapters. Its live event feed
/// listens only once a stream subscribes (a process that serves none, such as a CLI
/// command, opens no listener).
pub fn wire(config: &Config, db: &Database) -> Result<Lyceum, StartError> {
    wire_with(config, db, LiveFeed::new(db))
}

fn wire_with(config: &Config, db: &Database, events: LiveFeed) -> Result<Lyceum, StartError> {
    let hasher = Argon2Hasher::new(config.password_hash_concurrency)
        .map_err(|e| StartError::Adapter(e.to_string()))?;
    let ports = Ports {
        users: Arc::new(UserStore::new(db)),
        login_history: Arc::new(LoginAttemptStore::new(db)),
        auth_sessions: Arc::new(AuthSessionStore::new(db)),
        verification_tokens: Arc::new(VerificationTokenStore::new(db)),
        specializations: Arc::new(SpecializationStore::new(db)),
        certificates: Arc::new(CertificateStore::new(db)),
        billing_addresses: Arc::new(BillingAddressStore::new(db)),
        wallets: Arc::new(WalletStore::new(db)),
        sessions: Arc::new(MentoringSessionStore::new(db)),
        bookings: Arc::new(BookingStore::new(db)),
        requests: Arc::new(MentorshipRequestStore::new(db)),
        availability: Arc::new(AvailabilityStore::new(db)),
        messages: Arc::new(MessageStore::new(db)),
        feedbacks: Arc::new(FeedbackStore::new(db)),
        calendar_feeds: Arc::new(CalendarFeedStore::new(db)),
        notifications: Arc::new(NotificationStore::new(db)),
        events: Arc::new(events),
        payments: Arc::new(SandboxPayments),
        idempotency_keys: Arc::new(IdempotencyKeyStore::new(db)),
        clock: Arc::new(SystemClock),
        ids: Arc::new(UuidV7Ids),
        hasher: Arc::new(hasher),
        access_tokens: Arc::new(JwtAccessTokens::new(JwtSettings {
            secret: config.jwt_secret.clone(),
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            ttl_seconds: config.access_token_ttl_seconds,
        })),
        secrets: Arc::new(Sha256Secrets),
    };
    let settings = Settings {
        lockout: LockoutPolicy {
            max_failures: config.login_max_failures,
            lock_for: time::Duration::minutes(config.login_lock_minutes),
        },
        refresh_token_ttl: time::Duration::days(config.refresh_token_ttl_days),
        booking_hold: time::Duration::minutes(config.booking_hold_minutes),
        learner_cancellation_cutoff: time::Duration::minutes(config.cancellation_cutoff_minutes),
        default_currency: config.default_currency.clone(),
        ..Settings::default()
    };
    Ok(Lyceum::new(ports, settings))
}

struct DatabaseReadiness(Database);

#[async_trait::async_trait]
impl Readiness for DatabaseReadiness {
    async fn ready(&self) -> Result<(), String> {
        self.0.ping().await.map_err(|e| e.to_string())
    }
}

/// The HTTP settings derived from the configuration; `shutdown` is cancelled when the
/// server starts shutting down.
pub fn http_settings(config: &Config, shutdown: CancellationToken) -> HttpSettings {
    HttpSettings {
        public_url: config.public_url.clone(),
        body_limit: config.body_limit_bytes,
        auth_rate_limit_per_minute: config.auth_rate_limit_per_minute,
        trust_forwarded_for: config.trust_forwarded_for,
        shutdown,
    }
}

/// How long graceful shutdown waits for in-flight requests.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The serving loop's limits from the configuration; `open_files` is the soft open-files
/// limit in force, from which the connection cap derives when none is configured.
pub fn http_limits(config: &Config, open_files: Option<u64>) -> http::Limits {
    let max_connections = match config.http_max_connections {
        0 => http::default_max_connections(open_files.unwrap_or(1024), config.db_max_connections),
        configured => configured,
    };
    http::Limits {
        max_connections,
        idle_timeout: Duration::from_secs(config.http_idle_timeout_seconds),
        header_timeout: Duration::from_secs(config.http_header_timeout_seconds),
        body_timeout: Duration::from_secs(config.http_body_timeout_seconds),
        drain_timeout: DRAIN_TIMEOUT,
    }
}

/// A server running in the background.
pub struct RunningServer {
    /// Where it listens, e.g. `http://127.0.0.1:41234`.
    pub base_url: String,
    /// The database it uses.
    pub database: Database,
    /// The process's live event feed.
    events: LiveFeed,
    shutdown: CancellationToken,
    /// A server dropped without [`RunningServer::stop`] shuts down all the same.
    _stop_on_drop: DropGuard,
    handle: JoinHandle<()>,
    jobs: Option<(watch::Sender<bool>, JoinHandle<()>)>,
    /// Tasks that finish the work of answered requests (the mail relay): stopped after the
    /// last request, so that their final pass sees everything committed.
    after_requests: Vec<(watch::Sender<bool>, JoinHandle<()>)>,
}

impl RunningServer {
    /// Stops accepting (new connections are refused), ends live event streams and stops
    /// their listener, lets in-flight requests finish (up to [`DRAIN_TIMEOUT`]), and waits.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some((stop, handle)) = self.jobs.take() {
            let _ = stop.send(true);
            let _ = handle.await;
        }
        self.shutdown.cancel();
        self.events.close();
        let served = self.handle.await.map_err(std::io::Error::other);
        for (stop, handle) in self.after_requests.drain(..) {
            let _ = stop.send(true);
            let _ = handle.await;
        }
        served
    }

    /// How many live event streams are open on this server.
    pub fn open_live_streams(&self) -> usize {
        self.events.open_streams()
    }
}

/// Raises the open-files limit, connects, migrates, wires and starts serving on
/// `config.bind` (port 0 picks a free port) with Lyceum's serving loop ([`http`]).
/// Returns once the socket is bound.
pub async fn start(config: &Config) -> Result<RunningServer, StartError> {
    config.check()?;
    // Before anything opens files: the database pool needs descriptors too.
    let open_files = http::raise_open_files_limit();
    let limits = http_limits(config, open_files.map(|(soft, _)| soft));
    tracing::info!(
        open_files_soft = open_files.map(|(soft, _)| soft),
        open_files_hard = open_files.map(|(_, hard)| hard),
        max_connections = limits.max_connections,
        idle_timeout_s = limits.idle_timeout.as_secs(),
        header_timeout_s = limits.header_timeout.as_secs(),
        body_timeout_s = limits.body_timeout.as_secs(),
        "serving limits"
    );
    let db = connect(config).await?;
    db.migrate()
        .await
        .map_err(|e| StartError::Database(e.to_string()))?;
    // One listener for the whole process, started now so that the first streams do not
    // wait for its connection.
    let events = LiveFeed::new(&db);
    events.start();
    let app = wire_with(config, &db, events.clone())?;
    let relay = mail_relay(config, &db)?;
    let mut after_requests = Vec::new();
    if config.mail_relay_millis > 0 {
        after_requests.push(spawn_mail_relay(
            relay,
            Duration::from_millis(config.mail_relay_millis),
        ));
    }
    after_requests.push(spawn_view_flusher(
        app.clone(),
        Duration::from_secs(config.view_flush_seconds),
    ));
    let jobs = (config.job_interval_seconds > 0).then(|| {
        spawn_jobs(
            app.clone(),
            Duration::from_secs(config.job_interval_seconds),
        )
    });
    let shutdown = CancellationToken::new();
    let routes = lyceum_api_poem::routes(
        app,
        http_settings(config, shutdown.clone()),
        Arc::new(DatabaseReadiness(db.clone())),
    );
    let bind_error = |source| StartError::Bind {
        addr: config.bind.to_string(),
        source,
    };
    let listener = http::listen(config.bind).map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let handle = tokio::spawn(http::serve(
        listener,
        addr,
        routes,
        limits,
        shutdown.clone(),
    ));
    Ok(RunningServer {
        base_url: format!("http://{addr}"),
        database: db,
        events,
        _stop_on_drop: shutdown.clone().drop_guard(),
        shutdown,
        handle,
        jobs,
        after_requests,
    })
}

/// The mail relay of the configuration: SMTP when `LYCEUM_SMTP_URL` is set, the outbox
/// alone otherwise.
pub fn mail_relay(config: &Config, db: &Database) -> Result<MailRelay, StartError> {
    let outbox = OutboxMailer::new(db);
    match &config.smtp_url {
        Some(url) => MailRelay::with_smtp(outbox, url.expose_secret(), &config.mail_from)
            .map_err(|e| StartError::Adapter(e.to_string())),
        None => Ok(MailRelay::outbox_only(outbox)),
    }
}

/// Runs the mail relay as soon as this process commits mail, every `interval` as well
/// (mail committed by other processes, retries), and once more on the way out, so that
/// mail committed just before a shutdown is worded. Idle, it runs one pass per interval.
fn spawn_mail_relay(relay: MailRelay, interval: Duration) -> (watch::Sender<bool>, JoinHandle<()>) {
    let (stop, mut stopped) = watch::channel(false);
    let handle = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let stopping = tokio::select! {
                _ = ticker.tick() => false,
                () = relay.mail_committed() => false,
                _ = stopped.changed() => true,
            };
            match relay.run_once(time::OffsetDateTime::now_utc()).await {
                Ok(report) if report != Default::default() => {
                    tracing::debug!(?report, "mail relay ran")
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "mail relay pass failed; retrying next tick"),
            }
            if stopping {
                return;
            }
        }
    });
    (stop, handle)
}

/// Writes the views counted in memory every `interval` (never, with 0) and once more on
/// the way out, after the last request, so a graceful shutdown loses none.
fn spawn_view_flusher(app: Lyceum, interval: Duration) -> (watch::Sender<bool>, JoinHandle<()>) {
    let (stop, mut stopped) = watch::channel(false);
    let handle = tokio::spawn(async move {
        loop {
            let stopping = if interval.is_zero() {
                let _ = stopped.changed().await;
                true
            } else {
                tokio::select! {
                    () = tokio::time::sleep(interval) => false,
                    _ = stopped.changed() => true,
                }
            };
            if let Err(error) = app.flush_session_views().await {
                tracing::warn!(%error, "writing session views failed; kept for the next flush");
            }
            if stopping {
                return;
            }
        }
    });
    (stop, handle)
}

/// Runs the background jobs every `interval` until told to stop. Several processes may
/// run them against one database: every step claims its rows with guarded updates.
fn spawn_jobs(app: Lyceum, interval: Duration) -> (watch::Sender<bool>, JoinHandle<()>) {
    let (stop, mut stopped) = watch::channel(false);
    let handle = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = stopped.changed() => return,
            }
            match app.run_jobs().await {
                Ok(report) if report != Default::default() => {
                    tracing::info!(?report, "background jobs ran")
                }
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "background jobs failed; retrying next tick"),
            }
        }
    });
    (stop, handle)
}

/// The OpenAPI document, without needing a real database.
pub async fn openapi_document(config: &Config) -> Result<String, StartError> {
    let db = connect(&Config {
        database_url: "sqlite::memory:".into(),
        ..config.clone()
    })
    .await?;
    let app = wire(config, &db)?;
    Ok(lyceum_api_poem::openapi_json(&app, &config.public_url))
}
