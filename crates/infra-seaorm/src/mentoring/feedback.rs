//! [`FeedbackStore`]: feedback on bookings and mentors' ratings of learners.

use std::collections::HashMap;

use async_trait::async_trait;
use lyceum_domain::mentoring::{Feedback, LearnerRating, RatingSummary};
use lyceum_ports::mentoring::FeedbackRepository;
use lyceum_ports::{Page, PageRequest, RepoError};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::entities::{feedback, learner_ratings};
use super::guards::stmt;
use super::rows::{feedback_from_row, feedback_row, rating_from_row, rating_row, write_error};
use crate::database::{Database, unavailable};
use crate::identity::entities::users;
use crate::outbox;
use crate::pagination::IdOrder::NewestFirst;
use crate::pagination::{page_from_rows, page_rows};
use lyceum_ports::outbox::Outbox;

/// Feedback and ratings on SeaORM.
#[derive(Debug, Clone)]
pub struct FeedbackStore {
    db: Database,
}

impl FeedbackStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }

    async fn leave_in(
        &self,
        tx: &DatabaseTransaction,
        row: feedback::Model,
    ) -> Result<(), RepoError> {
        // The insert first: a second feedback for the booking fails before any figure
        // moves.
        feedback::Entity::insert(feedback::ActiveModel::from(row.clone()))
            .exec_without_returning(tx)
            .await
            .map_err(write_error)?;
        // SET expressions read the old row on both backends: the average is computed
        // from the new sum and count, rounded half up (see `rows::rating_avg_milli`).
        tx.execute_raw(stmt(
            self.db.db_backend(),
            "UPDATE mentoring_sessions SET rating_count = rating_count + 1, \
             rating_sum = rating_sum + $1, \
             rating_avg_milli = (2000 * (rating_sum + $1) + (rating_count + 1)) \
                                / (2 * (rating_count + 1)) \
             WHERE id = $2",
            vec![i64::from(row.session_rating).into(), row.session_id.into()],
        ))
        .await
        .map_err(unavailable)?;
        // The mentor's summary, on their row: read by every profile and session page.
        tx.execute_raw(stmt(
            self.db.db_backend(),
            "UPDATE users SET mentor_rating_sum = mentor_rating_sum + $1, \
             mentor_rating_count = mentor_rating_count + 1 WHERE id = $2",
            vec![i64::from(row.mentor_rating).into(), row.mentor_id.into()],
        ))
        .await
        .map_err(unavailable)?;
        Ok(())
    }
}

#[async_trait]
impl FeedbackRepository for FeedbackStore {
    async fn leave(&self, feedback: Feedback, outbox: Outbox) -> Result<Feedback, RepoError> {
        let row = feedback_row(&feedback);
        let tx = self.db.begin_write().await?;
        let outcome = self.leave_in(&tx, row.clone()).await;
        outbox::finish_with(&self.db, tx, outcome, outbox).await?;
        feedback_from_row(row)
    }

    async fn rate_learner(&self, rating: LearnerRating) -> Result<LearnerRating, RepoError> {
        let row = rating_row(&rating);
        learner_ratings::Entity::insert(learner_ratings::ActiveModel::from(row.clone()))
            .exec_without_returning(self.db.connection())
            .await
            .map_err(write_error)?;
        rating_from_row(row)
    }

    async fn public_for_mentor(
        &self,
        mentor_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Feedback>, RepoError> {
        let select = feedback::Entity::find()
            .filter(feedback::Column::MentorId.eq(mentor_id))
            .filter(feedback::Column::IsPublic.eq(true));
        let id = feedback::Column::Id;
        let rows = page_rows(self.db.connection(), select, id, NewestFirst, page).await?;
        page_from_rows(rows, page, feedback_from_row, |f| f.id)
    }

    async fn summaries(
        &self,
        mentor_ids: Vec<Uuid>,
    ) -> Result<HashMap<Uuid, RatingSummary>, RepoError> {
        if mentor_ids.is_empty() {
            return Ok(HashMap::new());
        }
        // Kept on the mentor's row by `leave`: a primary-key read, no aggregate.
        let rows: Vec<(Uuid, i64, i64)> = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .column(users::Column::MentorRatingSum)
            .column(users::Column::MentorRatingCount)
            .filter(users::Column::Id.is_in(mentor_ids))
            .filter(users::Column::MentorRatingCount.gt(0))
            .into_tuple()
            .all(self.db.connection())
            .await
            .map_err(unavailable)?;
        Ok(rows
            .into_iter()
            .map(|(mentor_id, total, count)| {
                let average = (count > 0).then(|| total as f64 / count as f64);
                (mentor_id, RatingSummary { average, count })
            })
            .collect())
    }
}
