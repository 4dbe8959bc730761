//! Connecting: SQLite files are created with their folder and get the pragmas Lyceum
//! relies on.

use std::time::Duration;

use lyceum_infra_seaorm::{Backend, Database, DbError, DbSettings};
use sea_orm::{ConnectionTrait, Statement};

async fn pragma(db: &Database, name: &str) -> String {
    let conn = db.connection();
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            format!("PRAGMA {name}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0)
        .map(|v| v.to_string())
        .or_else(|_| row.try_get_by_index::<String>(0))
        .unwrap()
}

#[tokio::test]
async fn sqlite_file_and_folder_are_created_with_durable_settings() {
    let dir =
        std::env::temp_dir().join(format!("lyceum_test_dir_{}", uuid::Uuid::now_v7().simple()));
    let url = format!("sqlite:{}/nested/lyceum.db", dir.display());
    let settings = DbSettings {
        url,
        max_connections: 4,
        busy_timeout: Duration::from_millis(2500),
    };
    let db = Database::connect(&settings).await.unwrap();
    assert_eq!(db.backend(), Backend::Sqlite);
    db.migrate().await.unwrap();
    db.ping().await.unwrap();
    assert!(dir.join("nested/lyceum.db").exists());
    assert_eq!(pragma(&db, "journal_mode").await, "wal");
    assert_eq!(pragma(&db, "synchronous").await, "2"); // FULL
    assert_eq!(pragma(&db, "foreign_keys").await, "1");
    assert_eq!(pragma(&db, "busy_timeout").await, "2500");
    db.close().await.unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn unknown_urls_are_refused() {
    let settings = DbSettings {
        url: "mysql://x".into(),
        max_connections: 1,
        busy_timeout: Duration::ZERO,
    };
    assert!(matches!(
        Database::connect(&settings).await,
        Err(DbError::UnsupportedUrl(_))
    ));
}

/// A database that cannot be reached is "unreachable": the application answers 503 and
/// the client retries, where any other database failure is an internal error. On
/// PostgreSQL, sessions the server ended (as a restart does) are replaced by the pool
/// without a failed request.
#[tokio::test]
async fn losing_the_database_is_unreachable_not_an_internal_failure() {
    use lyceum_infra_seaorm::UserStore;
    use lyceum_infra_seaorm::testing::on_each_backend;
    use lyceum_ports::RepoError;
    use lyceum_ports::identity::UserRepository;

    on_each_backend(|t| async move {
        if t.backend == Backend::Postgres {
            // The server ends every session on this database, as a restart would.
            let admin = sea_orm::Database::connect(
                std::env::var(lyceum_infra_seaorm::testing::POSTGRES_URL_VAR).unwrap(),
            )
            .await
            .unwrap();
            let name = t.url.rsplit('/').next().unwrap().to_owned();
            admin
                .execute_raw(Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    format!(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                         WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                    ),
                ))
                .await
                .unwrap();
            let users = UserStore::new(&t.database);
            let after_restart = users.by_id(uuid::Uuid::now_v7()).await;
            assert_eq!(
                after_restart,
                Ok(None),
                "once the server is back, the pool replaces the ended sessions: no request fails"
            );
        }
        let closed = t.database.clone();
        closed.close().await.unwrap();
        let users = UserStore::new(&t.database);
        let outcome = users.by_id(uuid::Uuid::now_v7()).await;
        assert!(
            matches!(outcome, Err(RepoError::Unreachable(_))),
            "a closed pool is unreachable: {outcome:?}"
        );
    })
    .await;
}
