//! Idempotency keys and their answers: a refused key is kept with its answer and stops a
//! later effect under the same key; an effect's key takes the first answer stored; the
//! schema guards that a key names its resource or its refusal; keys survive the upgrade.

use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_infra_seaorm::{IdempotencyKeyStore, UserStore, WalletStore};
use lyceum_ports::RepoError;
use lyceum_ports::idempotency::{
    IdempotencyClaim, IdempotencyKeyRepository, Remembered, StoredResponse,
};
use lyceum_ports::wallet::{AppendOutcome, NewLedgerEntry, WalletRepository};
use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, Statement};
use time::Duration;
use uuid::Uuid;

use crate::common::{NOW, registered};

fn claim(key: &str, fingerprint: &str) -> IdempotencyClaim {
    IdempotencyClaim {
        scope: "wallet_adjustment:admin".into(),
        key: key.into(),
        fingerprint: fingerprint.into(),
    }
}

fn answer(text: &str) -> StoredResponse {
    StoredResponse(text.into())
}

fn grant(user_id: Uuid, delta: i64) -> NewLedgerEntry {
    NewLedgerEntry {
        id: Uuid::now_v7(),
        user_id,
        delta,
        kind: lyceum_domain::wallet::LedgerEntryKind::AdminGrant,
        reason: "test".into(),
        reference: None,
        actor_id: None,
    }
}

#[tokio::test]
async fn a_refused_key_is_recalled_with_its_answer_and_stops_a_later_effect() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let wallets = WalletStore::new(&t.database);
        let keys = IdempotencyKeyStore::new(&t.database);
        assert_eq!(keys.recall(&claim("k", "fp"), NOW).await, Ok(None));
        keys.record_refusal(claim("k", "fp"), answer("409 no points"), NOW)
            .await
            .unwrap();
        assert_eq!(
            keys.recall(&claim("k", "fp"), NOW + Duration::hours(1))
                .await,
            Ok(Some(Remembered::Answer(answer("409 no points"))))
        );
        assert_eq!(
            keys.recall(&claim("k", "other body"), NOW).await,
            Err(RepoError::IdempotencyKeyMismatch)
        );
        // A request that recalled nothing before the refusal was kept loses the key.
        let late = wallets
            .append_ledger_entry(grant(user.id, 5), Some(claim("k", "fp")), NOW)
            .await;
        assert_eq!(late, Err(RepoError::IdempotencyKeyInFlight));
        assert_eq!(
            wallets
                .wallet(user.id)
                .await
                .unwrap()
                .unwrap()
                .balance
                .value(),
            0,
            "nothing applied under a refused key"
        );
        assert_eq!(
            keys.record_refusal(claim("k", "fp"), answer("another"), NOW)
                .await,
            Err(RepoError::IdempotencyKeyInFlight),
            "the first answer stays"
        );
    })
    .await;
}

#[tokio::test]
async fn an_effects_key_is_unanswered_until_answered_and_the_first_answer_stays() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let wallets = WalletStore::new(&t.database);
        let keys = IdempotencyKeyStore::new(&t.database);
        let applied = wallets
            .append_ledger_entry(grant(user.id, 5), Some(claim("k", "fp")), NOW)
            .await
            .unwrap();
        assert!(matches!(applied, AppendOutcome::Applied(_)));
        assert_eq!(
            keys.recall(&claim("k", "fp"), NOW).await,
            Ok(Some(Remembered::Unanswered))
        );
        assert_eq!(
            keys.store_answer(&claim("k", "fp"), answer("201 first"))
                .await,
            Ok(answer("201 first"))
        );
        assert_eq!(
            keys.store_answer(&claim("k", "fp"), answer("201 later"))
                .await,
            Ok(answer("201 first")),
            "a racing replay does not overwrite the first answer"
        );
        assert_eq!(
            keys.recall(&claim("k", "fp"), NOW).await,
            Ok(Some(Remembered::Answer(answer("201 first"))))
        );
        assert_eq!(
            keys.record_refusal(claim("k", "fp"), answer("409"), NOW)
                .await,
            Err(RepoError::IdempotencyKeyInFlight),
            "an applied key cannot turn into a refusal"
        );
        assert_eq!(
            keys.store_answer(&claim("unknown", "fp"), answer("201"))
                .await,
            Err(RepoError::NotFound)
        );
    })
    .await;
}

#[tokio::test]
async fn an_expired_refusal_counts_as_new_and_is_purged() {
    on_each_backend(|t| async move {
        let keys = IdempotencyKeyStore::new(&t.database);
        keys.record_refusal(claim("k", "fp"), answer("409"), NOW)
            .await
            .unwrap();
        let later = NOW + Duration::hours(25);
        assert_eq!(keys.recall(&claim("k", "other"), later).await, Ok(None));
        keys.record_refusal(claim("k", "other"), answer("404"), later)
            .await
            .unwrap();
        assert_eq!(
            keys.recall(&claim("k", "other"), later).await,
            Ok(Some(Remembered::Answer(answer("404"))))
        );
        keys.record_refusal(claim("gone", "fp"), answer("409"), NOW)
            .await
            .unwrap();
        assert_eq!(keys.purge_expired(later).await, Ok(1));
    })
    .await;
}

#[tokio::test]
async fn the_database_refuses_a_key_with_neither_resource_nor_answer() {
    on_each_backend(|t| async move {
        let conn = t.database.connection();
        let result = conn
            .execute_raw(Statement::from_sql_and_values(
                conn.get_database_backend(),
                r#"INSERT INTO idempotency_keys (scope, "key", fingerprint, created_at, expires_at)
                   VALUES ('s', 'k', 'fp', $1, $2)"#,
                [NOW.into(), (NOW + Duration::hours(24)).into()],
            ))
            .await;
        let error = result.expect_err("the CHECK must refuse");
        assert!(
            error.to_string().to_lowercase().contains("check"),
            "{error}"
        );
    })
    .await;
}

#[tokio::test]
async fn keys_recorded_before_the_upgrade_survive_it_and_refusals_are_dropped_going_back() {
    on_each_backend(|t| async move {
        let conn = t.database.connection();
        let backend = conn.get_database_backend();
        let migrations = migration::Migrator::migrations();
        let ours = migrations
            .iter()
            .position(|m| m.name() == "m20261124_000007_idempotency_answers")
            .expect("the migration is listed");
        let after = u32::try_from(migrations.len() - ours).unwrap();
        let keys = IdempotencyKeyStore::new(&t.database);
        keys.record_refusal(claim("refused", "fp"), answer("409"), NOW)
            .await
            .unwrap();
        migration::Migrator::down(conn, Some(after)).await.unwrap();

        let resource = Uuid::now_v7();
        conn.execute_raw(Statement::from_sql_and_values(
            backend,
            r#"INSERT INTO idempotency_keys (scope, "key", fingerprint, resource_id, created_at, expires_at)
               VALUES ($1, 'old', 'fp', $2, $3, $4)"#,
            [
                "wallet_adjustment:admin".into(),
                resource.into(),
                NOW.into(),
                (NOW + Duration::hours(24)).into(),
            ],
        ))
        .await
        .unwrap();
        let left = conn
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT COUNT(*) AS n FROM idempotency_keys",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert_eq!(left, 1, "the refusal had no resource to keep");

        migration::Migrator::up(conn, None).await.unwrap();
        assert_eq!(
            keys.recall(&claim("old", "fp"), NOW).await,
            Ok(Some(Remembered::Unanswered)),
            "a live key from before the upgrade still replays"
        );
        assert_eq!(
            keys.store_answer(&claim("old", "fp"), answer("201")).await,
            Ok(answer("201"))
        );
    })
    .await;
}
