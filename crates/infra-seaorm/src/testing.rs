//! Fresh databases for tests: one shared test body runs against SQLite and, when a
//! server is available, PostgreSQL (docs/architecture.md, "Testing strategy"). Used by this crate's
//! tests and by the end-to-end tests in `tests/`.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use crate::database::{Backend, Database, DbSettings};

/// The variable naming a PostgreSQL server to create test databases on, for example
/// `postgres://postgres@127.0.0.1:5432/test`.
pub const POSTGRES_URL_VAR: &str = "LYCEUM_TEST_POSTGRES_URL";

/// A fresh, migrated database that exists for one test body.
#[derive(Debug, Clone)]
pub struct TestDb {
    /// Which engine.
    pub backend: Backend,
    /// Its URL (to start a server on it, for example).
    pub url: String,
    /// Connected and migrated.
    pub database: Database,
}

/// Generous limits: concurrency tests queue many writers on SQLite's single write lock.
fn settings(url: String) -> DbSettings {
    DbSettings {
        url,
        max_connections: 8,
        busy_timeout: Duration::from_secs(10),
    }
}

/// Runs `body` once on a fresh SQLite file database, then (when
/// `LYCEUM_TEST_POSTGRES_URL` is set) once on a freshly created PostgreSQL database,
/// which is dropped afterwards even if the body panicked. The body runs in its own task,
/// so that a panic is caught, the database cleaned up, and the panic resumed.
///
/// Without the variable a note is printed once per process, unless `CI=true`, where a
/// missing PostgreSQL is a configuration error and panics.
pub async fn on_each_backend<F, Fut>(body: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_on_sqlite(&body).await;
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => run_on_postgres(url.trim(), &body).await,
        _ => {
            if std::env::var("CI").is_ok_and(|ci| ci == "true") {
                panic!("PostgreSQL is required under CI: set {POSTGRES_URL_VAR}");
            }
            static SKIPPED: Once = Once::new();
            SKIPPED.call_once(|| {
                eprintln!("PostgreSQL suites skipped: set {POSTGRES_URL_VAR} to run them");
            });
        }
    }
}

async fn run_on_sqlite<F, Fut>(body: &F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let path = std::env::temp_dir().join(format!("lyceum_test_{}.db", Uuid::now_v7().simple()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let database = match connect_and_migrate(&url).await {
        Ok(database) => database,
        Err(error) => {
            remove_sqlite_files(&path);
            panic!("cannot prepare the SQLite test database {url}: {error}");
        }
    };
    let outcome = tokio::spawn(body(TestDb {
        backend: Backend::Sqlite,
        url,
        database: database.clone(),
    }))
    .await;
    let _ = database.close().await;
    remove_sqlite_files(&path);
    resume(outcome);
}

async fn run_on_postgres<F, Fut>(admin_url: &str, body: &F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let name = format!("lyceum_test_{}", Uuid::now_v7().simple());
    let admin = sea_orm::Database::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to PostgreSQL at {admin_url}: {e}"));
    admin
        .execute_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("CREATE DATABASE \"{name}\""),
        ))
        .await
        .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    let url = with_database(admin_url, &name);
    let outcome = match connect_and_migrate(&url).await {
        Ok(database) => {
            let outcome = tokio::spawn(body(TestDb {
                backend: Backend::Postgres,
                url,
                database: database.clone(),
            }))
            .await;
            let _ = database.close().await;
            outcome
        }
        Err(error) => {
            drop_database(&admin, &name).await;
            panic!("cannot prepare the PostgreSQL test database {name}: {error}");
        }
    };
    drop_database(&admin, &name).await;
    let _ = admin.close().await;
    resume(outcome);
}

async fn connect_and_migrate(url: &str) -> Result<Database, crate::DbError> {
    let database = Database::connect(&settings(url.to_owned())).await?;
    database.migrate().await?;
    Ok(database)
}

async fn drop_database(admin: &sea_orm::DatabaseConnection, name: &str) {
    let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    if let Err(error) = admin
        .execute_raw(Statement::from_string(DbBackend::Postgres, drop))
        .await
    {
        eprintln!("could not drop test database {name}: {error}");
    }
}

/// Re-raises the body's panic (after cleanup) so the test fails with its message.
fn resume(outcome: Result<(), tokio::task::JoinError>) {
    if let Err(error) = outcome {
        match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(error) => panic!("test body did not finish: {error}"),
        }
    }
}

fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut file = PathBuf::from(path).into_os_string();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
}

/// The server URL with its database path replaced by `name`, query kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced_and_options_kept() {
        assert_eq!(
            with_database("postgres://u@h:5432/test", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/test?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
