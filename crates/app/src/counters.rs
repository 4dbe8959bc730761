//! Counters that a read bumps without writing: a read never writes synchronously.
//!
//! Counting a view with an `UPDATE … + 1` per request costs a row lock and a WAL flush on
//! a path that should only read. Instead a read adds one to an in-memory tally, and a
//! background task flushes the tallies in batches ([`Lyceum::flush_session_views`], one
//! statement per flush), every few seconds and once more at graceful shutdown. A crash
//! loses at most the views counted since the last flush, never anything else: nothing
//! else waits in these tallies. Blog and lesson views later use the same counter.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use uuid::Uuid;

use crate::{AppError, Lyceum};

/// Pending counts per key, shared by every clone of the application in one process.
#[derive(Debug)]
pub struct PendingCounts<K>(Arc<Mutex<HashMap<K, i64>>>);

impl<K> Clone for PendingCounts<K> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<K> Default for PendingCounts<K> {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(HashMap::new())))
    }
}

impl<K: Eq + Hash + Copy> PendingCounts<K> {
    /// Counts one more for `key`; returns how many are pending for it now (so a reader
    /// can show the stored figure plus what this process has not flushed yet).
    pub fn add_one(&self, key: K) -> i64 {
        let mut counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let pending = counts.entry(key).or_insert(0);
        *pending += 1;
        *pending
    }

    /// Takes every pending count, leaving none: what a flush writes.
    pub fn take(&self) -> Vec<(K, i64)> {
        let mut counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        counts.drain().collect()
    }

    /// Puts counts back after a failed flush, so the next flush writes them.
    pub fn restore(&self, counts: Vec<(K, i64)>) {
        let mut pending = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        for (key, n) in counts {
            *pending.entry(key).or_insert(0) += n;
        }
    }
}

impl Lyceum {
    /// Writes the session views counted since the last flush, in one batch; returns how
    /// many sessions it updated. On failure the counts stay pending for the next flush.
    pub async fn flush_session_views(&self) -> Result<usize, AppError> {
        let counts: Vec<(Uuid, i64)> = self.session_views.take();
        if counts.is_empty() {
            return Ok(0);
        }
        match self.ports.sessions.add_views(counts.clone()).await {
            Ok(()) => Ok(counts.len()),
            Err(error) => {
                self.session_views.restore(counts);
                Err(error.into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_until_taken_and_failed_flushes_are_kept() {
        let counts = PendingCounts::default();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(counts.add_one(a), 1);
        assert_eq!(counts.add_one(a), 2);
        counts.clone().add_one(b);
        let mut taken = counts.take();
        taken.sort();
        let mut expected = vec![(a, 2), (b, 1)];
        expected.sort();
        assert_eq!(taken, expected);
        assert!(counts.take().is_empty());
        counts.restore(vec![(a, 2)]);
        assert_eq!(counts.add_one(a), 3);
    }
}
