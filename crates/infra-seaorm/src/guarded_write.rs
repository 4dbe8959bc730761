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
//! - a job's write whose guard no longer holds (another process did the work first)
//!   is skipped: [`GuardedWrite::changed_any`].

use sea_orm::{DeleteResult, ExecResult, UpdateResult};

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

#[cfg(test)]
mod tests {
    use lyceum_ports::RepoError;

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
}
