//! Feedback and learner ratings: one each, and the rating figures they move.

use lyceum_domain::mentoring::{Feedback, FeedbackScores, FeedbackText, LearnerRating, Rating};
use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_infra_seaorm::{BookingStore, FeedbackStore, MentoringSessionStore};
use lyceum_ports::mentoring::{FeedbackRepository, MentoringSessionRepository};
use lyceum_ports::outbox::Outbox;
use lyceum_ports::{Conflict, PageRequest, RepoError};
use sea_orm::{ConnectionTrait, Statement};
use time::Duration;
use uuid::Uuid;

use crate::common::NOW;
use crate::common::mentoring::{booking, reserve, session, users, wide_pool};

fn scores(mentor: i64, session: i64) -> FeedbackScores {
    let r = |v| Rating::new(v).unwrap();
    FeedbackScores {
        mentor_rating: r(mentor),
        session_rating: r(session),
        content_quality: r(4),
        communication: r(4),
        helpfulness: r(4),
        platform_rating: r(4),
        overall_experience: r(4),
    }
}

#[tokio::test]
async fn feedback_is_one_per_booking_and_moves_the_rating_figures() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 5).await;
        let (mentor, other_mentor) = (ids[0], ids[4]);
        let sessions = MentoringSessionStore::new(db);
        let bookings = BookingStore::new(db);
        let s = sessions
            .create(session(mentor, 5, 0, Duration::days(1)))
            .await
            .unwrap();
        let feedbacks = FeedbackStore::new(db);
        let mut left = Vec::new();
        for (i, (m, sr, public)) in [(5, 5, true), (4, 4, false), (3, 4, true)]
            .into_iter()
            .enumerate()
        {
            let b = reserve(&bookings, booking(&s, ids[1 + i])).await;
            let f = Feedback {
                id: Uuid::now_v7(),
                booking_id: b.id,
                session_id: s.id,
                mentor_id: mentor,
                learner_id: ids[1 + i],
                scores: scores(m, sr),
                would_recommend: true,
                comments: FeedbackText::parse("Great").unwrap(),
                improvement_suggestions: None,
                is_public: public,
                created_at: NOW,
            };
            assert_eq!(
                feedbacks.leave(f.clone(), Outbox::empty()).await.unwrap(),
                f
            );
            if i == 0 {
                let again = Feedback {
                    id: Uuid::now_v7(),
                    ..f.clone()
                };
                assert_eq!(
                    feedbacks.leave(again, Outbox::empty()).await,
                    Err(RepoError::Conflict(Conflict::FeedbackExists))
                );
            }
            left.push(f);
        }

        let stored = sessions.by_id(s.id).await.unwrap().unwrap();
        assert_eq!(stored.popularity.rating_count, 3);
        assert_eq!(stored.popularity.rating_average, Some(13.0 / 3.0));
        let conn = db.connection();
        let milli = conn
            .query_one_raw(Statement::from_sql_and_values(
                conn.get_database_backend(),
                "SELECT rating_avg_milli AS n FROM mentoring_sessions WHERE id = $1",
                [s.id.into()],
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert_eq!(milli, 4333);

        let summaries = feedbacks
            .summaries(vec![mentor, other_mentor])
            .await
            .unwrap();
        assert_eq!(summaries.len(), 1);
        assert_eq!(summaries[&mentor].count, 3);
        assert_eq!(summaries[&mentor].average, Some(4.0));
        assert!(feedbacks.summaries(Vec::new()).await.unwrap().is_empty());

        let public = feedbacks
            .public_for_mentor(mentor, PageRequest::first(1))
            .await
            .unwrap();
        assert_eq!(public.items, [left[2].clone()]);
        let rest = feedbacks
            .public_for_mentor(
                mentor,
                PageRequest {
                    limit: 1,
                    after: public.next_after,
                },
            )
            .await
            .unwrap();
        assert_eq!(rest.items, [left[0].clone()]);
        assert_eq!(rest.next_after, None);

        let rating = LearnerRating {
            id: Uuid::now_v7(),
            session_id: s.id,
            rater_id: mentor,
            ratee_id: ids[1],
            rating: Rating::new(5).unwrap(),
            comment: None,
            created_at: NOW,
        };
        assert_eq!(
            feedbacks.rate_learner(rating.clone()).await.unwrap(),
            rating
        );
        assert_eq!(
            feedbacks
                .rate_learner(LearnerRating {
                    id: Uuid::now_v7(),
                    ratee_id: ids[2],
                    ..rating
                })
                .await,
            Err(RepoError::Conflict(Conflict::RatingExists))
        );
    })
    .await;
}

/// The mentor's summary lives on their row and moves in each feedback's transaction: after
/// many truly concurrent feedbacks it equals the feedback itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_mentor_summary_equals_the_feedback_after_concurrent_feedback() {
    on_each_backend(|t| async move {
        let db = wide_pool(&t).await;
        let learners = 24;
        let ids = users(&db, 1, learners + 1).await;
        let mentor = ids[0];
        let sessions = MentoringSessionStore::new(&db);
        let bookings = BookingStore::new(&db);
        let s = sessions
            .create(session(mentor, 30, 0, Duration::days(1)))
            .await
            .unwrap();
        let mut feedback = Vec::new();
        for (i, learner) in ids[1..].iter().enumerate() {
            let b = reserve(&bookings, booking(&s, *learner)).await;
            feedback.push(Feedback {
                id: Uuid::now_v7(),
                booking_id: b.id,
                session_id: s.id,
                mentor_id: mentor,
                learner_id: *learner,
                scores: scores(1 + (i as i64 % 5), 3),
                would_recommend: true,
                comments: FeedbackText::parse("Thanks").unwrap(),
                improvement_suggestions: None,
                is_public: true,
                created_at: NOW,
            });
        }
        let expected_sum: i64 = feedback
            .iter()
            .map(|f| i64::from(f.scores.mentor_rating.value()))
            .sum();
        let tasks: Vec<_> = feedback
            .into_iter()
            .map(|f| {
                let store = FeedbackStore::new(&db);
                tokio::spawn(async move { store.leave(f, Outbox::empty()).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let summary = FeedbackStore::new(&db)
            .summaries(vec![mentor])
            .await
            .unwrap()
            .remove(&mentor)
            .unwrap();
        assert_eq!(summary.count, i64::from(learners));
        assert_eq!(
            summary.average,
            Some(expected_sum as f64 / f64::from(learners))
        );
    })
    .await;
}
