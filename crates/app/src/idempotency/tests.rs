//! The idempotency rule with mocked ports: which answers a key keeps, and that a kept
//! answer is given again without running anything.

use std::sync::{Arc, Mutex};

use lyceum_domain::identity::Role;
use lyceum_domain::mentoring::BookingError;
use lyceum_domain::wallet::{
    Adjustment, AdjustmentDirection, LedgerEntry, LedgerEntryKind, Points, WalletError,
};
use lyceum_ports::idempotency::{Remembered, StoredResponse};
use lyceum_ports::wallet::AppendOutcome;
use lyceum_ports::{Cause, Conflict, RepoError};
use uuid::Uuid;

use super::Reply;
use crate::identity::{Actor, IdentityError};
use crate::mentoring::MentoringError;
use crate::test_support::{Mocks, NOW, actor, keyed, render_debug, session, user, wallet_of};
use crate::{AdjustmentResult, AppError, IdempotencyError, Resource};

fn entry_of(user_id: Uuid, delta: i64, balance_after: i64) -> LedgerEntry {
    LedgerEntry {
        id: Uuid::now_v7(),
        user_id,
        delta,
        kind: LedgerEntryKind::AdminDeduction,
        reason: "correction".into(),
        reference: None,
        balance_after: Points::new(balance_after).unwrap(),
        actor_id: None,
        idempotency_key: Some("k".into()),
        created_at: NOW,
    }
}

fn deduct(points: i64) -> Adjustment {
    Adjustment::new(AdjustmentDirection::Deduct, points, "correction").unwrap()
}

/// An in-memory key store behind the mocks: what was recorded is what is recalled.
#[derive(Clone, Default)]
struct Kept(Arc<Mutex<Option<StoredResponse>>>);

impl Kept {
    fn wire(&self, m: &mut Mocks) {
        let recalled = self.clone();
        m.idempotency_keys
            .expect_recall()
            .returning(move |_, _| Ok(recalled.get().map(Remembered::Answer)));
        let refused = self.clone();
        m.idempotency_keys
            .expect_record_refusal()
            .returning(move |_, answer, _| {
                *refused.0.lock().unwrap() = Some(answer);
                Ok(())
            });
        let answered = self.clone();
        m.idempotency_keys
            .expect_store_answer()
            .returning(move |_, answer| {
                Ok(answered.0.lock().unwrap().get_or_insert(answer).clone())
            });
    }

    fn get(&self) -> Option<StoredResponse> {
        self.0.lock().unwrap().clone()
    }
}

async fn adjust(
    m: Mocks,
    admin: &Actor,
    user_id: Uuid,
    adjustment: Adjustment,
) -> Result<Reply<AdjustmentResult>, AppError> {
    m.build()
        .admin_adjust_wallet(
            admin,
            user_id,
            adjustment,
            Some(keyed("k", "fp", &render_debug)),
        )
        .await
}

#[tokio::test]
async fn a_refused_deduction_is_answered_the_same_after_points_arrive_and_applies_nothing() {
    let kept = Kept::default();
    let admin = actor(&[Role::Admin]);
    let uid = Uuid::now_v7();

    let mut m = Mocks::new();
    kept.wire(&mut m);
    m.wallets
        .expect_wallet()
        .returning(move |id| Ok(Some(wallet_of(id, 2))));
    m.wallets.expect_append_ledger_entry().never();
    let first = adjust(m, &admin, uid, deduct(3)).await;
    let refusal = AppError::Wallet(WalletError::InsufficientPoints {
        balance: 2,
        requested: 3,
    });
    assert_eq!(first, Err(refusal.clone()));
    assert_eq!(
        kept.get(),
        Some(StoredResponse(format!("{:?}", Err::<(), _>(refusal)))),
        "the refusal is the key's answer"
    );

    // Points have arrived: the retry is still the refusal, and nothing is written.
    let mut m = Mocks::new();
    kept.wire(&mut m);
    m.wallets.expect_wallet().never();
    m.wallets.expect_append_ledger_entry().never();
    let retry = adjust(m, &admin, uid, deduct(3)).await;
    assert_eq!(retry, Ok(Reply::Replayed(kept.get().unwrap())));
}

#[tokio::test]
async fn a_refusal_the_store_decides_is_kept_too() {
    let kept = Kept::default();
    let mut m = Mocks::new();
    kept.wire(&mut m);
    let s = session(Uuid::now_v7(), 0, 5, 4);
    let id = s.id;
    m.sessions
        .expect_by_id()
        .returning(move |_| Ok(Some(s.clone())));
    // The session's mentor still mentors.
    m.users.expect_by_id().returning(|id| {
        let mut mentor = user(&[Role::Mentor]);
        mentor.id = id;
        Ok(Some(mentor))
    });
    // The last seat went to someone else between the read and the write.
    m.bookings
        .expect_reserve_seat()
        .times(1)
        .returning(|_, _, _, _| Err(RepoError::Conflict(Conflict::SessionFull)));
    let learner = actor(&[Role::Learner]);
    let result = m
        .build()
        .book_session(&learner, id, Some(keyed("seat", "fp", &render_debug)))
        .await;
    let full = AppError::Mentoring(MentoringError::Booking(BookingError::SessionFull {
        capacity: 5,
    }));
    assert_eq!(result, Err(full.clone()));
    assert_eq!(
        kept.get(),
        Some(StoredResponse(format!("{:?}", Err::<(), _>(full))))
    );
}

#[tokio::test]
async fn a_booking_refused_for_the_mentors_own_session_is_kept() {
    let kept = Kept::default();
    let mut m = Mocks::new();
    kept.wire(&mut m);
    let mentor = actor(&[Role::Mentor, Role::Learner]);
    let s = session(mentor.id(), 0, 5, 0);
    let id = s.id;
    m.sessions
        .expect_by_id()
        .returning(move |_| Ok(Some(s.clone())));
    m.bookings.expect_reserve_seat().never();
    let result = m
        .build()
        .book_session(&mentor, id, Some(keyed("seat", "fp", &render_debug)))
        .await;
    assert!(
        matches!(
            result,
            Err(AppError::Mentoring(MentoringError::Booking(
                BookingError::OwnSession
            )))
        ),
        "{result:?}"
    );
    assert!(
        kept.get()
            .is_some_and(|answer| answer.0.contains("OwnSession"))
    );
}

#[tokio::test]
async fn a_success_keeps_its_answer_and_is_answered_now() {
    let kept = Kept::default();
    let mut m = Mocks::new();
    kept.wire(&mut m);
    let uid = Uuid::now_v7();
    m.wallets
        .expect_wallet()
        .returning(move |id| Ok(Some(wallet_of(id, 10))));
    m.wallets
        .expect_append_ledger_entry()
        .times(1)
        .returning(|e, claim, _| {
            assert!(claim.is_some(), "the key is recorded with the effect");
            Ok(AppendOutcome::Applied(entry_of(e.user_id, e.delta, 7)))
        });
    let result = adjust(m, &actor(&[Role::Admin]), uid, deduct(3))
        .await
        .unwrap();
    let Reply::Fresh(result) = result else {
        panic!("answered now")
    };
    assert!(!result.replayed);
    assert_eq!(
        kept.get(),
        Some(StoredResponse(format!("{:?}", Ok::<_, ()>(result))))
    );
}

#[tokio::test]
async fn a_committed_but_unanswered_key_replays_from_the_resource_even_if_the_balance_moved() {
    let mut m = Mocks::new();
    let uid = Uuid::now_v7();
    m.idempotency_keys
        .expect_recall()
        .returning(|_, _| Ok(Some(Remembered::Unanswered)));
    // The balance is spent since; the store finds the first entry rather than refusing.
    m.wallets
        .expect_wallet()
        .returning(move |id| Ok(Some(wallet_of(id, 0))));
    let first = entry_of(uid, -3, 7);
    let replay = first.clone();
    m.wallets
        .expect_append_ledger_entry()
        .times(1)
        .returning(move |_, _, _| Ok(AppendOutcome::Replayed(replay.clone())));
    m.idempotency_keys
        .expect_store_answer()
        .times(1)
        .returning(|_, answer| Ok(answer));
    m.idempotency_keys.expect_record_refusal().never();
    let result = adjust(m, &actor(&[Role::Admin]), uid, deduct(3)).await;
    assert_eq!(
        result,
        Ok(Reply::Fresh(AdjustmentResult {
            entry: first,
            replayed: true
        }))
    );
}

#[tokio::test]
async fn a_retry_that_raced_the_first_answer_gets_the_first_answer() {
    let mut m = Mocks::new();
    let uid = Uuid::now_v7();
    m.idempotency_keys
        .expect_recall()
        .returning(|_, _| Ok(Some(Remembered::Unanswered)));
    m.wallets
        .expect_wallet()
        .returning(move |id| Ok(Some(wallet_of(id, 10))));
    m.wallets
        .expect_append_ledger_entry()
        .returning(move |_, _, _| Ok(AppendOutcome::Replayed(entry_of(uid, -3, 7))));
    let first = StoredResponse("the first answer".into());
    let on_record = first.clone();
    m.idempotency_keys
        .expect_store_answer()
        .returning(move |_, _| Ok(on_record.clone()));
    let result = adjust(m, &actor(&[Role::Admin]), uid, deduct(3)).await;
    assert_eq!(result, Ok(Reply::Replayed(first)));
}

#[tokio::test]
async fn a_refusal_that_lost_its_key_to_a_concurrent_request_is_not_given() {
    for (winner, expected) in [
        // The winner's answer is stored: it is the answer.
        (
            Some(Remembered::Answer(StoredResponse("201".into()))),
            Ok(Reply::Replayed(StoredResponse("201".into()))),
        ),
        // The winner's effect is committed, its answer not stored yet: retry shortly.
        (
            Some(Remembered::Unanswered),
            Err(AppError::Idempotency(IdempotencyError::InFlight)),
        ),
    ] {
        let mut m = Mocks::new();
        let recalls = Arc::new(Mutex::new(0));
        m.idempotency_keys.expect_recall().returning(move |_, _| {
            let mut seen = recalls.lock().unwrap();
            *seen += 1;
            Ok(if *seen == 1 { None } else { winner.clone() })
        });
        m.wallets.expect_wallet().returning(|_| Ok(None));
        m.idempotency_keys
            .expect_record_refusal()
            .times(1)
            .returning(|_, _, _| Err(RepoError::IdempotencyKeyInFlight));
        let result = adjust(m, &actor(&[Role::Admin]), Uuid::now_v7(), deduct(3)).await;
        assert_eq!(result, expected);
    }
}

#[tokio::test]
async fn a_write_that_found_the_key_taken_gives_the_winners_answer_once_stored() {
    let mut m = Mocks::new();
    let recalls = Arc::new(Mutex::new(0));
    m.idempotency_keys.expect_recall().returning(move |_, _| {
        let mut seen = recalls.lock().unwrap();
        *seen += 1;
        Ok((*seen > 1).then(|| Remembered::Answer(StoredResponse("409".into()))))
    });
    m.wallets
        .expect_wallet()
        .returning(move |id| Ok(Some(wallet_of(id, 10))));
    // The key was refused by a concurrent request between the recall and the write.
    m.wallets
        .expect_append_ledger_entry()
        .returning(|_, _, _| Err(RepoError::IdempotencyKeyInFlight));
    m.idempotency_keys.expect_record_refusal().never();
    let result = adjust(m, &actor(&[Role::Admin]), Uuid::now_v7(), deduct(3)).await;
    assert_eq!(result, Ok(Reply::Replayed(StoredResponse("409".into()))));
}

#[tokio::test]
async fn a_refusal_that_cannot_be_kept_is_not_given() {
    let mut m = Mocks::new();
    m.idempotency_keys
        .expect_recall()
        .returning(|_, _| Ok(None));
    m.wallets.expect_wallet().returning(|_| Ok(None));
    m.idempotency_keys
        .expect_record_refusal()
        .returning(|_, _, _| Err(RepoError::Unreachable(Cause::msg("gone"))));
    let result = adjust(m, &actor(&[Role::Admin]), Uuid::now_v7(), deduct(3)).await;
    assert_eq!(result, Err(AppError::Unavailable(Cause::msg("gone"))));
}

#[tokio::test]
async fn failures_of_the_system_are_not_kept_so_a_retry_runs_again() {
    let mut m = Mocks::new();
    m.idempotency_keys
        .expect_recall()
        .returning(|_, _| Ok(None));
    m.wallets
        .expect_wallet()
        .returning(move |id| Ok(Some(wallet_of(id, 10))));
    m.wallets
        .expect_append_ledger_entry()
        .returning(|_, _, _| Err(RepoError::Unreachable(Cause::msg("gone"))));
    m.idempotency_keys.expect_record_refusal().never();
    m.idempotency_keys.expect_store_answer().never();
    let result = adjust(m, &actor(&[Role::Admin]), Uuid::now_v7(), deduct(3)).await;
    assert_eq!(result, Err(AppError::Unavailable(Cause::msg("gone"))));
}

#[tokio::test]
async fn without_a_key_nothing_is_recalled_or_kept() {
    let mut m = Mocks::new();
    m.idempotency_keys.expect_recall().never();
    m.idempotency_keys.expect_record_refusal().never();
    m.wallets
        .expect_wallet()
        .returning(move |id| Ok(Some(wallet_of(id, 2))));
    let result = m
        .build()
        .admin_adjust_wallet(&actor(&[Role::Admin]), Uuid::now_v7(), deduct(3), None)
        .await;
    assert!(matches!(result, Err(AppError::Wallet(_))), "{result:?}");
}

#[test]
fn rules_and_facts_met_while_processing_are_final_and_failures_and_races_are_not() {
    let finals = [
        AppError::Forbidden,
        AppError::NotFound(Resource::User),
        AppError::invalid("points", lyceum_domain::Violation::OutOfRange, "too many"),
        AppError::Wallet(WalletError::InsufficientPoints {
            balance: 0,
            requested: 1,
        }),
        AppError::Mentoring(MentoringError::Booking(BookingError::SessionFull {
            capacity: 1,
        })),
        AppError::Mentoring(MentoringError::Booking(BookingError::Duplicate)),
        AppError::Identity(IdentityError::Banned {
            until: None,
            reason: "spam".into(),
        }),
    ];
    for error in finals {
        assert!(error.is_final(), "{error:?}");
    }
    let retryable = [
        AppError::Unauthenticated,
        AppError::StateChanged,
        AppError::Mentoring(MentoringError::SessionChanged),
        AppError::Mentoring(MentoringError::RequestChanged),
        AppError::Identity(IdentityError::AccountLocked { until: NOW }),
        AppError::Idempotency(IdempotencyError::InFlight),
        AppError::Idempotency(IdempotencyError::KeyReused),
        AppError::Unavailable(Cause::msg("gone")),
        AppError::Internal(Cause::msg("bug")),
    ];
    for error in retryable {
        assert!(!error.is_final(), "{error:?}");
    }
}
