//! One operation of each measured endpoint, at the database level: the same adapter
//! calls, in the same order, that the use case behind the endpoint makes
//! (`crates/app/src/mentoring/sessions.rs`: `discover_sessions` and `view_session`), so
//! the statements and their parameters are the server's own. `bench/run.sh` checks this
//! against the statements PostgreSQL logs while the server answers the same requests.

use lyceum_infra_seaorm::{Database, FeedbackStore, MentoringSessionStore};
use lyceum_ports::mentoring::{
    FeedbackRepository, MentoringSessionRepository, SessionFilter, SessionSort,
};
use time::OffsetDateTime;
use uuid::Uuid;

/// Which endpoint's SQL to run.
#[derive(Debug, Clone, Copy)]
pub enum Workload {
    /// `GET /api/v1/mentoring-sessions?limit=20`: the first page, soonest first.
    Discovery,
    /// `GET /api/v1/mentoring-sessions/{id}`: load and the mentor's rating (the view is counted in memory).
    ById,
}

/// The page size the benchmark's discovery requests ask for.
const PAGE: u64 = 20;

/// The adapters the endpoints use, on one pool.
#[derive(Clone)]
pub struct Stores {
    sessions: MentoringSessionStore,
    feedbacks: FeedbackStore,
}

impl Stores {
    /// Adapters on `db`'s pool.
    pub fn new(db: &Database) -> Self {
        Self {
            sessions: MentoringSessionStore::new(db),
            feedbacks: FeedbackStore::new(db),
        }
    }
}

impl Workload {
    /// Name used in the JSON output.
    pub fn name(&self) -> &'static str {
        match self {
            Workload::Discovery => "discovery",
            Workload::ById => "by-id",
        }
    }

    /// Runs operation number `i` (by-id rotates through `ids`).
    pub async fn run(&self, stores: &Stores, i: u64, ids: &[Uuid]) -> Result<(), String> {
        let err = |e: lyceum_ports::RepoError| e.to_string();
        match self {
            Workload::Discovery => {
                let page = stores
                    .sessions
                    .discover(
                        SessionFilter::default(),
                        SessionSort::Soonest,
                        PAGE,
                        None,
                        OffsetDateTime::now_utc(),
                    )
                    .await
                    .map_err(err)?;
                let mut mentors: Vec<Uuid> = page.items.iter().map(|s| s.mentor_id).collect();
                mentors.sort();
                mentors.dedup();
                if !mentors.is_empty() {
                    stores.feedbacks.summaries(mentors).await.map_err(err)?;
                }
            }
            Workload::ById => {
                let id = ids[(i % ids.len() as u64) as usize];
                let session = stores
                    .sessions
                    .by_id(id)
                    .await
                    .map_err(err)?
                    .ok_or_else(|| format!("session {id} not found"))?;
                stores
                    .feedbacks
                    .summaries(vec![session.mentor_id])
                    .await
                    .map_err(err)?;
            }
        }
        Ok(())
    }
}
