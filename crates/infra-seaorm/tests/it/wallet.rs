//! The points wallet: guarded balance changes, the ledger, idempotency and concurrency.

use lyceum_domain::wallet::LedgerEntryKind;
use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_infra_seaorm::{UserStore, WalletStore};
use lyceum_ports::idempotency::IdempotencyClaim;
use lyceum_ports::wallet::{AppendOutcome, NewLedgerEntry, WalletRepository};
use lyceum_ports::{PageRequest, RepoError};
use sea_orm::{ConnectionTrait, Statement};
use time::Duration;
use uuid::Uuid;

use crate::common::{NOW, registered};

fn change(user_id: Uuid, delta: i64) -> NewLedgerEntry {
    NewLedgerEntry {
        id: Uuid::now_v7(),
        user_id,
        delta,
        kind: if delta >= 0 {
            LedgerEntryKind::AdminGrant
        } else {
            LedgerEntryKind::AdminDeduction
        },
        reason: "test".into(),
        reference: Some("ref-1".into()),
        actor_id: None,
    }
}

fn claim(key: &str, fingerprint: &str) -> Option<IdempotencyClaim> {
    Some(IdempotencyClaim {
        scope: "wallet_adjustment:admin".into(),
        key: key.into(),
        fingerprint: fingerprint.into(),
    })
}

fn applied(outcome: AppendOutcome) -> lyceum_domain::wallet::LedgerEntry {
    match outcome {
        AppendOutcome::Applied(entry) => entry,
        other => panic!("expected Applied, got {other:?}"),
    }
}

async fn balance(wallets: &WalletStore, user_id: Uuid) -> i64 {
    wallets
        .wallet(user_id)
        .await
        .unwrap()
        .unwrap()
        .balance
        .value()
}

#[tokio::test]
async fn grant_then_deduct_moves_the_balance_and_records_it() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let wallets = WalletStore::new(&t.database);
        let granted = applied(
            wallets
                .append_ledger_entry(change(user.id, 10), None, NOW)
                .await
                .unwrap(),
        );
        assert_eq!(granted.balance_after.value(), 10);
        assert_eq!(granted.created_at, NOW);
        let later = NOW + Duration::minutes(1);
        let deducted = applied(
            wallets
                .append_ledger_entry(change(user.id, -4), None, later)
                .await
                .unwrap(),
        );
        assert_eq!((deducted.delta, deducted.balance_after.value()), (-4, 6));
        let wallet = wallets.wallet(user.id).await.unwrap().unwrap();
        assert_eq!((wallet.balance.value(), wallet.updated_at), (6, later));
    })
    .await;
}

#[tokio::test]
async fn overdraft_is_refused_with_the_balance() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let wallets = WalletStore::new(&t.database);
        wallets
            .append_ledger_entry(change(user.id, 2), None, NOW)
            .await
            .unwrap();
        assert_eq!(
            wallets
                .append_ledger_entry(change(user.id, -3), None, NOW)
                .await,
            Err(RepoError::InsufficientPoints { balance: 2 })
        );
        assert_eq!(balance(&wallets, user.id).await, 2);
        assert_eq!(
            wallets
                .ledger(user.id, PageRequest::first(10))
                .await
                .unwrap()
                .items
                .len(),
            1
        );
        assert_eq!(
            wallets
                .append_ledger_entry(change(Uuid::now_v7(), 1), None, NOW)
                .await,
            Err(RepoError::NotFound)
        );
    })
    .await;
}

#[tokio::test]
async fn ledger_pages_newest_first() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let wallets = WalletStore::new(&t.database);
        let mut ids = Vec::new();
        for delta in 1..=5 {
            ids.push(
                applied(
                    wallets
                        .append_ledger_entry(change(user.id, delta), None, NOW)
                        .await
                        .unwrap(),
                )
                .id,
            );
        }
        ids.reverse();
        let first = wallets
            .ledger(user.id, PageRequest::first(2))
            .await
            .unwrap();
        assert_eq!(
            first.items.iter().map(|e| e.id).collect::<Vec<_>>(),
            ids[..2]
        );
        let second = wallets
            .ledger(
                user.id,
                PageRequest {
                    limit: 2,
                    after: first.next_after,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            second.items.iter().map(|e| e.id).collect::<Vec<_>>(),
            ids[2..4]
        );
        let last = wallets
            .ledger(
                user.id,
                PageRequest {
                    limit: 2,
                    after: second.next_after,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            last.items.iter().map(|e| e.id).collect::<Vec<_>>(),
            ids[4..]
        );
        assert_eq!(last.next_after, None);
        assert_eq!(last.items[0].balance_after.value(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_replayed_key_returns_the_first_entry_and_changes_nothing() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let wallets = WalletStore::new(&t.database);
        let first = applied(
            wallets
                .append_ledger_entry(change(user.id, 10), claim("k1", "fp"), NOW)
                .await
                .unwrap(),
        );
        assert_eq!(first.idempotency_key.as_deref(), Some("k1"));
        let replay = wallets
            .append_ledger_entry(change(user.id, 10), claim("k1", "fp"), NOW)
            .await
            .unwrap();
        assert_eq!(replay, AppendOutcome::Replayed(first));
        assert_eq!(balance(&wallets, user.id).await, 10);

        let other = wallets
            .append_ledger_entry(change(user.id, 99), claim("k1", "other"), NOW)
            .await;
        assert_eq!(other, Err(RepoError::IdempotencyKeyMismatch));

        // After the TTL the same key is a new request.
        let next_day = NOW + Duration::hours(25);
        applied(
            wallets
                .append_ledger_entry(change(user.id, 10), claim("k1", "fp"), next_day)
                .await
                .unwrap(),
        );
        assert_eq!(balance(&wallets, user.id).await, 20);
    })
    .await;
}

#[tokio::test]
async fn a_refused_change_does_not_consume_the_key() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let wallets = WalletStore::new(&t.database);
        let refused = wallets
            .append_ledger_entry(change(user.id, -1), claim("k2", "fp"), NOW)
            .await;
        assert_eq!(refused, Err(RepoError::InsufficientPoints { balance: 0 }));
        wallets
            .append_ledger_entry(change(user.id, 5), None, NOW)
            .await
            .unwrap();
        applied(
            wallets
                .append_ledger_entry(change(user.id, -1), claim("k2", "fp"), NOW)
                .await
                .unwrap(),
        );
        assert_eq!(balance(&wallets, user.id).await, 4);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deductions_never_overdraw() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let wallets = WalletStore::new(&t.database);
        wallets
            .append_ledger_entry(change(user.id, 100), None, NOW)
            .await
            .unwrap();
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let wallets = wallets.clone();
                tokio::spawn(async move {
                    wallets
                        .append_ledger_entry(change(user.id, -3), None, NOW)
                        .await
                })
            })
            .collect();
        let (mut ok, mut refused) = (0, 0);
        for task in tasks {
            match task.await.unwrap() {
                Ok(AppendOutcome::Applied(_)) => ok += 1,
                Err(RepoError::InsufficientPoints { .. }) => refused += 1,
                other => panic!("unexpected outcome {other:?}"),
            }
        }
        assert_eq!((ok, refused), (33, 17));
        assert_eq!(balance(&wallets, user.id).await, 1);
        let conn = t.database.connection();
        let row = conn
            .query_one_raw(Statement::from_sql_and_values(
                conn.get_database_backend(),
                "SELECT CAST(SUM(delta) AS BIGINT) AS total FROM ledger_entries WHERE user_id = $1",
                [user.id.into()],
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<i64>("", "total").unwrap(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_with_one_key_apply_once() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let wallets = WalletStore::new(&t.database);
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let wallets = wallets.clone();
                tokio::spawn(async move {
                    wallets
                        .append_ledger_entry(change(user.id, 7), claim("same", "fp"), NOW)
                        .await
                })
            })
            .collect();
        let mut applied_count = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(AppendOutcome::Applied(_)) => applied_count += 1,
                Ok(AppendOutcome::Replayed(_)) | Err(RepoError::IdempotencyKeyInFlight) => {}
                other => panic!("unexpected outcome {other:?}"),
            }
        }
        assert_eq!(applied_count, 1);
        assert_eq!(balance(&wallets, user.id).await, 7);
    })
    .await;
}

#[tokio::test]
async fn expired_idempotency_keys_are_purged_and_live_ones_kept() {
    use lyceum_infra_seaorm::IdempotencyKeyStore;
    use lyceum_ports::idempotency::IdempotencyKeyRepository;
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let wallets = WalletStore::new(&t.database);
        let keys = IdempotencyKeyStore::new(&t.database);
        for (key, at) in [("old", NOW), ("new", NOW + Duration::hours(20))] {
            wallets
                .append_ledger_entry(change(user.id, 1), claim(key, "fp"), at)
                .await
                .unwrap();
        }
        assert_eq!(
            keys.purge_expired(NOW + Duration::hours(23)).await.unwrap(),
            0
        );
        assert_eq!(
            keys.purge_expired(NOW + Duration::hours(25)).await.unwrap(),
            1,
            "only the day-old key"
        );
        let replay = wallets
            .append_ledger_entry(
                change(user.id, 1),
                claim("new", "fp"),
                NOW + Duration::hours(25),
            )
            .await
            .unwrap();
        assert!(
            matches!(replay, AppendOutcome::Replayed(_)),
            "the live key still replays"
        );
    })
    .await;
}
