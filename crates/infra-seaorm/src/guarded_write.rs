//! What a guarded write that changed nothing means.
//!
//! Lyceum's rules under concurrency are the `WHERE` clauses of single `UPDATE`s and
//! `DELETE`s (`… WHERE id = $1 AND status = 'pending'`, `… AND seats_taken < capacity`):
//! the database decides on the row it locks, so of two concurrent callers exactly one
//! changes it, and the other learns only that no row changed. These helpers turn that
//! count into the port's answer the same way everywhere:
//! - a write aimed at a row by its identity alone (and its owner) that changed nothing
//!   found no row: [`GuardedWrite::changed_or`] with `RepoError::NotFound`; where only
//!   one guard can have failed, the caller names that rule instead (`StaleState`);
//! - a write guarded by the row's state does not say which condition failed, so the row
//!   is read again, in the write's own transaction when it has one, and [`refusal`]
//!   names the rule (`NotFound` when the row is gone): [`changed_or_explain`];
//! - a job's write whose guard no longer holds (another process did the work first)
//!   is skipped: [`GuardedWrite::changed_any`].

use lyceum_ports::{Conflict, RepoError};
use sea_orm::{
    ConnectionTrait, DeleteResult, EntityTrait, ExecResult, PrimaryKeyTrait, UpdateResult,
};
use uuid::Uuid;

use crate::database::unavailable;

/// The outcome of an `UPDATE` or `DELETE`, however SeaORM reports it (`exec` of an
/// `update_many` / `delete_many`, or a raw statement).
pub(crate) trait GuardedWrite {
    /// How many rows the statement changed.
    fn rows_changed(&self) -> u64;

    /// Whether the guard let the write through (some row changed).
    fn changed_any(&self) -> bool {
        self.rows_changed() > 0
    }

    /// `Ok` if a row changed, otherwise `refusal`.
    fn changed_or<E>(&self, refusal: E) -> Result<(), E> {
        self.changed_or_else(|| refusal)
    }

    /// `Ok` if a row changed, otherwise the error `refusal` builds.
    fn changed_or_else<E>(&self, refusal: impl FnOnce() -> E) -> Result<(), E> {
        if self.changed_any() {
            Ok(())
        } else {
            Err(refusal())
        }
    }
}

impl GuardedWrite for UpdateResult {
    fn rows_changed(&self) -> u64 {
        self.rows_affected
    }
}

impl GuardedWrite for DeleteResult {
    fn rows_changed(&self) -> u64 {
        self.rows_affected
    }
}

impl GuardedWrite for ExecResult {
    fn rows_changed(&self) -> u64 {
        self.rows_affected()
    }
}

/// Why a guarded write to the row `id` of `E` was refused, read from the row as it is
/// now: `NotFound` if it is gone, otherwise what `why` makes of it (for a seat: the
/// session is full, or no longer bookable). Read through `conn`, the write's transaction
/// when it has one, so that the answer describes the state that refused the write.
pub(crate) async fn refusal<E>(
    conn: &impl ConnectionTrait,
    id: Uuid,
    why: impl FnOnce(E::Model) -> RepoError,
) -> RepoError
where
    E: EntityTrait,
    Uuid: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    match E::find_by_id(id).one(conn).await {
        Ok(Some(row)) => why(row),
        Ok(None) => RepoError::NotFound,
        Err(err) => unavailable(err),
    }
}

/// `Ok` if the guarded `write` changed the row `id` of `E`, otherwise its [`refusal`].
pub(crate) async fn changed_or_explain<E>(
    write: &impl GuardedWrite,
    conn: &impl ConnectionTrait,
    id: Uuid,
    why: impl FnOnce(E::Model) -> RepoError,
) -> Result<(), RepoError>
where
    E: EntityTrait,
    Uuid: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    if write.changed_any() {
        Ok(())
    } else {
        Err(refusal::<E>(conn, id, why).await)
    }
}

/// The refusal of a transition guarded by the status it leaves, when the row still
/// exists: another caller moved it out of that status first.
pub(crate) fn stale_state<M>(_row: M) -> RepoError {
    RepoError::Conflict(Conflict::StaleState)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A statement's count, as each SeaORM result reports it.
    struct Changed(u64);

    impl GuardedWrite for Changed {
        fn rows_changed(&self) -> u64 {
            self.0
        }
    }

    #[test]
    fn a_write_that_changed_nothing_is_refused() {
        assert!(matches!(
            Changed(0).changed_or(RepoError::NotFound),
            Err(RepoError::NotFound)
        ));
        assert!(Changed(1).changed_or(RepoError::NotFound).is_ok());
        assert!(!Changed(0).changed_any());
        assert!(Changed(2).changed_any());
        assert_eq!(Changed(0).changed_or_else(|| "refused"), Err("refused"));
        assert_eq!(Changed(1).changed_or_else(|| "refused"), Ok(()));
    }

    #[cfg(feature = "testing")]
    #[tokio::test]
    async fn a_refusal_is_read_from_the_row_as_it_is_now() {
        use crate::outbox::mail_outbox;
        use crate::testing::on_each_backend;

        on_each_backend(|t| async move {
            let conn = t.database.connection();
            let id = Uuid::now_v7();
            let gone = refusal::<mail_outbox::Entity>(conn, id, stale_state).await;
            assert!(matches!(gone, RepoError::NotFound));
            mail_outbox::Entity::insert(mail_outbox::test_row(id, "ann@example.com"))
                .exec_without_returning(conn)
                .await
                .unwrap();
            let explained = changed_or_explain::<mail_outbox::Entity>(&Changed(0), conn, id, |m| {
                assert_eq!(m.id, id, "the row as it is now is explained");
                RepoError::Conflict(Conflict::SessionFull)
            })
            .await;
            assert!(matches!(
                explained,
                Err(RepoError::Conflict(Conflict::SessionFull))
            ));
            let passed = changed_or_explain::<mail_outbox::Entity>(&Changed(1), conn, id, |_| {
                unreachable!("a write that changed its row is not explained")
            })
            .await;
            assert!(passed.is_ok());
        })
        .await;
    }
}
