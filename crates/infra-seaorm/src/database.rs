//! The connection pool, migrations, write transactions, and the translation of database
//! failures into port errors.
//!
//! Both backends are first-class. SQLite runs in WAL mode with `synchronous=FULL`,
//! enforced foreign keys and a busy timeout, and every write transaction starts with
//! `BEGIN IMMEDIATE`: taking the write lock up front means two writers queue on the busy
//! timeout instead of one failing with `SQLITE_BUSY` when it upgrades a read lock.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use lyceum_ports::RepoError;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::error::ErrorKind;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, RuntimeErr, SqlErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use time::{OffsetDateTime, UtcOffset};
use tokio::sync::broadcast;

use crate::live::{IN_PROCESS_BACKLOG, LiveEvent};

/// A pooled connection idle this long is pinged before it is handed out; a busier one is
/// not. sqlx pings on every checkout by default, a whole round trip before each statement
/// that is not in a transaction: without it the adapter runs discovery's statements 12 %
/// and by-id's 20 % faster (docs/performance.md, "Where the adapter's time went").
/// One idle for a second is checked first, so an idle server never answers the first
/// request after a database restart with an error.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);

/// After a statement failed for want of a working connection, every checkout pings for
/// this long, whatever the idle time. A restart breaks every pooled connection at once:
/// the first request to meet one answers 503 with `Retry-After`, and the pings then weed
/// out the others, so the next request gets a fresh connection instead of the next
/// broken one.
const PING_ALL_AFTER_FAILURE: Duration = Duration::from_secs(10);

/// Until when (milliseconds since the Unix epoch) every checkout pings; see
/// [`PING_ALL_AFTER_FAILURE`]. Process-wide: a failure seen through one pool makes every
/// pool of the process check its connections, which costs a few pings at most.
static PING_ALL_UNTIL_MS: AtomicU64 = AtomicU64::new(0);

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Whether a pooled connection must be pinged before it is handed out.
fn must_ping(idle_for: Duration) -> bool {
    idle_for >= PING_IF_IDLE_FOR || now_ms() < PING_ALL_UNTIL_MS.load(Ordering::Relaxed)
}

/// Makes every checkout ping for [`PING_ALL_AFTER_FAILURE`].
fn suspect_pooled_connections() {
    let until = now_ms() + PING_ALL_AFTER_FAILURE.as_millis() as u64;
    PING_ALL_UNTIL_MS.fetch_max(until, Ordering::Relaxed);
}

/// Which database engine a [`Database`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A single SQLite file (development, small deployments, tests).
    Sqlite,
    /// PostgreSQL (production).
    Postgres,
}

/// How to reach the database. Its `Debug` leaves the URL out: it can carry a password.
#[derive(Clone, PartialEq, Eq)]
pub struct DbSettings {
    /// `sqlite:path/to/file.db` (created with its folder if missing) or `postgres://…`.
    pub url: String,
    /// Pool size. SQLite readers run in parallel under WAL; writers queue.
    pub max_connections: u32,
    /// How long a SQLite writer waits for the write lock before giving up.
    pub busy_timeout: Duration,
}

impl std::fmt::Debug for DbSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbSettings")
            .field("url", &"[REDACTED]")
            .field("max_connections", &self.max_connections)
            .field("busy_timeout", &self.busy_timeout)
            .finish()
    }
}

/// Why the database could not be reached or used (start-up, migrations, health checks).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no supported database.
    #[error("unsupported database url (expected sqlite: or postgres://): {0}")]
    UnsupportedUrl(String),
    /// The folder of the SQLite file could not be created.
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir {
        /// The folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The database refused or failed; the text comes from the driver.
    #[error("database error: {0}")]
    Database(String),
}

impl From<DbErr> for DbError {
    fn from(err: DbErr) -> Self {
        DbError::Database(err.to_string())
    }
}

/// A pool of connections to Lyceum's database. Cheap to clone: clones share the pool.
#[derive(Debug, Clone)]
pub struct Database {
    connection: DatabaseConnection,
    backend: Backend,
    /// Live events announced through this pool, on SQLite (see [`crate::live`]); unused on
    /// PostgreSQL, where the database itself carries them.
    in_process_events: broadcast::Sender<LiveEvent>,
    /// Statements run through this pool, transactions included.
    statements: Arc<AtomicU64>,
    /// Woken when a transaction that queued mail commits, so that the mail relay of this
    /// process sends it at once instead of polling for it.
    mail_committed: Arc<tokio::sync::Notify>,
}

impl Database {
    /// Opens a pool. For SQLite the file (and its folder) is created if missing, and
    /// every connection gets the pragmas described in the module docs.
    pub async fn connect(settings: &DbSettings) -> Result<Database, DbError> {
        let url = settings.url.trim();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(DbError::UnsupportedUrl(url.to_owned()));
        };
        let mut options = ConnectOptions::new(url.to_owned());
        // At least one connection; SQLite must not fall back to sea-orm's default of 1
        // unless asked, so the value is always set explicitly.
        options
            .max_connections(settings.max_connections.max(1))
            .sqlx_logging(false)
            .test_before_acquire(false);
        if backend == Backend::Postgres {
            options.map_sqlx_postgres_before_acquire(|conn, meta| {
                Box::pin(async move {
                    if must_ping(meta.idle_for) {
                        sea_orm::sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            });
        }
        if backend == Backend::Sqlite {
            let parsed = SqliteConnectOptions::from_str(url)
                .map_err(|e| DbError::Database(e.to_string()))?;
            if let Some(parent) = parsed.get_filename().parent()
                && !parent.as_os_str().is_empty()
                && !parsed.get_filename().as_os_str().eq(":memory:")
            {
                std::fs::create_dir_all(parent).map_err(|source| DbError::CreateDir {
                    path: parent.display().to_string(),
                    source,
                })?;
            }
            let busy_timeout = settings.busy_timeout;
            options.map_sqlx_sqlite_opts(move |o: SqliteConnectOptions| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(busy_timeout)
            });
        }
        let mut connection = sea_orm::Database::connect(options).await?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = statements.clone();
        connection.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        Ok(Database {
            connection,
            backend,
            in_process_events: broadcast::channel(IN_PROCESS_BACKLOG).0,
            statements,
            mail_committed: Arc::new(tokio::sync::Notify::new()),
        })
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<(), DbError> {
        Migrator::up(&self.connection, None).await?;
        Ok(())
    }

    /// Checks that the database answers (readiness probe).
    pub async fn ping(&self) -> Result<(), DbError> {
        self.connection.ping().await?;
        Ok(())
    }

    /// How many statements this pool has run since it opened, inside transactions or
    /// not: what proves that a path (an idle live stream, say) costs the database nothing.
    pub fn statements_run(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// The engine behind the pool.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The raw SeaORM connection, for wiring and tests; adapters never expose it.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.connection
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(self) -> Result<(), DbError> {
        self.connection.close().await?;
        Ok(())
    }

    /// Resolves once mail has been committed through this pool since the last wait (the
    /// mail relay waits on it between its passes).
    pub async fn mail_committed(&self) {
        self.mail_committed.notified().await;
    }

    /// Tells this process's mail relay that mail was committed.
    pub(crate) fn wake_mail_relay(&self) {
        self.mail_committed.notify_one();
    }

    /// The in-process channel of live events (SQLite).
    pub(crate) fn in_process_events(&self) -> &broadcast::Sender<LiveEvent> {
        &self.in_process_events
    }

    /// The SeaORM backend, for building raw statements.
    pub(crate) fn db_backend(&self) -> DbBackend {
        self.connection.get_database_backend()
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite (take the write lock now,
    /// waiting up to the busy timeout), a plain `BEGIN` (read committed) on PostgreSQL,
    /// where row locks and conditional updates do the guarding. Dropping the transaction
    /// without committing rolls it back.
    pub(crate) async fn begin_write(&self) -> Result<DatabaseTransaction, RepoError> {
        let options = TransactionOptions {
            sqlite_transaction_mode: (self.backend == Backend::Sqlite)
                .then_some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        self.connection
            .begin_with_options(options)
            .await
            .map_err(unavailable)
    }
}

/// Ends a write transaction by its outcome: commits on success, rolls back on failure
/// (PostgreSQL refuses every statement after a failed one, so nothing else can be done
/// with it anyway).
pub(crate) async fn finish<T>(
    tx: DatabaseTransaction,
    outcome: Result<T, RepoError>,
) -> Result<T, RepoError> {
    match outcome {
        Ok(value) => {
            tx.commit().await.map_err(unavailable)?;
            Ok(value)
        }
        Err(error) => {
            // The refusal is the answer; a failed rollback only means the connection is
            // gone, and the pool discards it.
            let _ = tx.rollback().await;
            Err(error)
        }
    }
}

/// Every time the adapters store or compare: UTC, whole seconds. SQLite keeps times as
/// RFC 3339 text and compares them as strings, which is only correct when every value
/// has the same shape; dropping sub-seconds (on both backends, so they behave alike)
/// guarantees that.
pub(crate) fn db_time(at: OffsetDateTime) -> OffsetDateTime {
    let utc = at.to_offset(UtcOffset::UTC);
    utc.replace_nanosecond(0).unwrap_or(utc)
}

/// Any database failure that is not a rule the caller can act on: `Unreachable` when
/// there was no working connection (retrying later may succeed), `Unavailable` otherwise.
pub(crate) fn unavailable(err: DbErr) -> RepoError {
    if is_unreachable(&err) {
        suspect_pooled_connections();
        RepoError::Unreachable(lyceum_ports::Cause::new(err))
    } else {
        RepoError::Unavailable(lyceum_ports::Cause::new(err))
    }
}

/// No connection could be had or kept: the pool timed out or was closed, the socket
/// failed, or the server ended the session (SQLSTATE class 08, connection exception, and
/// 57P, operator intervention: a shutdown or restart).
fn is_unreachable(err: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx};
    let sqlx_error = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) => {
            error
        }
        _ => return false,
    };
    match &**sqlx_error {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(database) => database
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

/// A row that the domain refuses to read back: the schema and the domain disagree.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> RepoError {
    RepoError::Unavailable(lyceum_ports::Cause::msg(format!(
        "corrupt {what} row: {detail}"
    )))
}

/// The message of a unique violation (PostgreSQL names the index, SQLite the
/// `table.column`), or `None` for any other failure.
pub(crate) fn unique_violation(err: &DbErr) -> Option<String> {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => Some(message),
        _ => None,
    }
}

/// Whether a `CHECK` constraint refused the write.
pub(crate) fn is_check_violation(err: &DbErr) -> bool {
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => e
            .as_database_error()
            .is_some_and(|db| matches!(db.kind(), ErrorKind::CheckViolation)),
        _ => false,
    }
}

/// Whether a foreign key refused the write (the referenced row does not exist).
pub(crate) fn is_foreign_key_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(SqlErr::ForeignKeyConstraintViolation(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn stored_times_are_utc_whole_seconds() {
        let at = datetime!(2026-01-01 12:00:00.123456 +05:30);
        assert_eq!(db_time(at), datetime!(2026-01-01 06:30:00 UTC));
        assert_eq!(db_time(at).offset(), UtcOffset::UTC);
    }
}
