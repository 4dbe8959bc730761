//! The test harness itself: databases are cleaned up even when a test body panics.

use std::sync::{Arc, Mutex};

use lyceum_infra_seaorm::Backend;
use lyceum_infra_seaorm::testing::{POSTGRES_URL_VAR, on_each_backend};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

#[tokio::test]
async fn a_panicking_body_still_cleans_up_and_fails_the_test() {
    let seen: Arc<Mutex<Vec<(Backend, String)>>> = Arc::default();
    let record = seen.clone();
    let outcome = tokio::spawn(on_each_backend(move |t| {
        record.lock().unwrap().push((t.backend, t.url.clone()));
        async move { panic!("body failed on {:?}", t.backend) }
    }))
    .await;
    let panic = outcome
        .expect_err("the body's panic must reach the test")
        .into_panic();
    assert_eq!(
        panic.downcast_ref::<String>().map(String::as_str),
        Some("body failed on Sqlite")
    );

    // The SQLite body panicked first, so PostgreSQL never ran; its file is gone.
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let path = seen[0]
        .1
        .trim_start_matches("sqlite://")
        .trim_end_matches("?mode=rwc");
    assert!(
        !std::path::Path::new(path).exists(),
        "{path} was left behind"
    );
}

#[tokio::test]
async fn postgres_databases_are_dropped_after_a_panic() {
    let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
        return;
    };
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let outcome = tokio::spawn(on_each_backend(move |t| {
        record.lock().unwrap().push(t.url.clone());
        async move {
            if t.backend == Backend::Postgres {
                panic!("postgres body failed");
            }
        }
    }))
    .await;
    assert!(outcome.is_err());
    let pg_url = seen
        .lock()
        .unwrap()
        .iter()
        .find(|u| u.starts_with("postgres"))
        .cloned()
        .unwrap();
    let name = pg_url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let admin = sea_orm::Database::connect(admin_url.as_str())
        .await
        .unwrap();
    let left = admin
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT COUNT(*) AS n FROM pg_database WHERE datname = $1",
            [name.clone().into()],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(left, 0, "{name} was left behind");
}
