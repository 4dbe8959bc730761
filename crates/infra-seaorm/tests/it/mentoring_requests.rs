//! Mentorship requests: guarded transitions and the atomic accept / cancel.

use crate::common::untold;
use lyceum_domain::mentoring::{
    BookingStatus, MentorshipRequest, PaymentStatus, RequestMessage, RequestNote, RequestStatus,
    RequestSubject, SessionStatus,
};
use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_infra_seaorm::{BookingStore, MentoringSessionStore, MentorshipRequestStore};
use lyceum_ports::mentoring::{
    BookingRepository, MentoringSessionRepository, MentorshipRequestRepository, RequestSide,
};
use lyceum_ports::outbox::Outbox;
use lyceum_ports::{Conflict, PageRequest, RepoError};
use time::Duration;
use uuid::Uuid;

use crate::common::NOW;
use crate::common::mentoring::{assert_seats_consistent, booking, session, users};

fn request(learner_id: Uuid, mentor_id: Uuid) -> MentorshipRequest {
    MentorshipRequest {
        id: Uuid::now_v7(),
        learner_id,
        mentor_id,
        subject: RequestSubject::parse("Code review").unwrap(),
        message: RequestMessage::parse("Could you look at my parser?").unwrap(),
        proposed_start: NOW + Duration::days(2),
        duration_minutes: 60,
        notes: RequestNote::parse("Rust").unwrap(),
        status: RequestStatus::Pending,
        response_message: None,
        session_id: None,
        created_at: NOW,
        updated_at: NOW,
    }
}

/// The 1:1 the mentor's acceptance creates: one seat, already taken.
fn one_to_one(r: &MentorshipRequest) -> lyceum_domain::mentoring::MentoringSession {
    let mut s = session(r.mentor_id, 1, 0, Duration::days(2));
    s.seats_taken = 1;
    s.request_id = Some(r.id);
    s.popularity.bookings = 1;
    s
}

#[tokio::test]
async fn accepting_stores_the_session_and_booking_together_and_only_once() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 2).await;
        let (mentor, learner) = (ids[0], ids[1]);
        let requests = MentorshipRequestStore::new(db);
        let sessions = MentoringSessionStore::new(db);
        let bookings = BookingStore::new(db);
        let r = requests
            .create(request(learner, mentor), Outbox::empty())
            .await
            .unwrap();
        assert_eq!(requests.by_id(r.id).await.unwrap(), Some(r.clone()));

        let s = one_to_one(&r);
        let b = booking(&s, learner);
        let later = NOW + Duration::minutes(5);
        let accepted = requests
            .accept(
                r.id,
                s.clone(),
                b.clone(),
                RequestNote::parse("See you").unwrap(),
                later,
                Outbox::empty(),
            )
            .await
            .unwrap();
        assert_eq!(accepted.status, RequestStatus::Accepted);
        assert_eq!(accepted.session_id, Some(s.id));
        assert_eq!(accepted.response_message.as_deref(), Some("See you"));
        assert_eq!(accepted.updated_at, later);
        let stored = sessions.by_id(s.id).await.unwrap().unwrap();
        assert_eq!((stored.seats_taken, stored.request_id), (1, Some(r.id)));
        assert_eq!(bookings.by_id(b.id).await.unwrap(), Some(b.clone()));
        assert_seats_consistent(db, s.id).await;

        // A second acceptance loses the race and stores nothing.
        let s2 = one_to_one(&r);
        let b2 = booking(&s2, learner);
        assert_eq!(
            requests
                .accept(r.id, s2.clone(), b2, None, later, Outbox::empty())
                .await,
            Err(RepoError::Conflict(Conflict::StaleState))
        );
        assert_eq!(sessions.by_id(s2.id).await.unwrap(), None);
        assert_eq!(
            requests
                .transition(
                    r.id,
                    RequestStatus::Pending,
                    RequestStatus::Declined,
                    None,
                    later,
                    Outbox::empty()
                )
                .await,
            Err(RepoError::Conflict(Conflict::StaleState))
        );
        assert_eq!(
            requests
                .accept(
                    Uuid::now_v7(),
                    one_to_one(&r),
                    booking(&s, learner),
                    None,
                    later,
                    Outbox::empty()
                )
                .await,
            Err(RepoError::NotFound)
        );

        // Cancelling the accepted request takes its 1:1 and booking with it.
        let cancelled = requests
            .cancel_accepted(r.id, learner, later, Outbox::empty())
            .await
            .unwrap();
        assert_eq!(cancelled.status, RequestStatus::Cancelled);
        let stored = sessions.by_id(s.id).await.unwrap().unwrap();
        assert_eq!(
            (stored.status, stored.seats_taken),
            (SessionStatus::Cancelled, 0)
        );
        let b = bookings.by_id(b.id).await.unwrap().unwrap();
        assert_eq!(b.status, BookingStatus::Cancelled);
        assert_eq!(
            b.payment_status,
            PaymentStatus::Paid,
            "free: nothing to refund"
        );
        assert_eq!(b.cancelled_by, Some(learner));
        assert_seats_consistent(db, s.id).await;
        assert_eq!(
            requests
                .cancel_accepted(r.id, learner, later, Outbox::empty())
                .await,
            Err(RepoError::Conflict(Conflict::StaleState))
        );
    })
    .await;
}

#[tokio::test]
async fn transitions_are_guarded_and_lists_are_per_side() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 3).await;
        let requests = MentorshipRequestStore::new(db);
        let first = requests
            .create(request(ids[1], ids[0]), Outbox::empty())
            .await
            .unwrap();
        let second = requests
            .create(request(ids[1], ids[0]), Outbox::empty())
            .await
            .unwrap();
        let third = requests
            .create(request(ids[2], ids[0]), Outbox::empty())
            .await
            .unwrap();

        let declined = requests
            .transition(
                first.id,
                RequestStatus::Pending,
                RequestStatus::Declined,
                RequestNote::parse("Fully booked this month").unwrap(),
                NOW,
                Outbox::empty(),
            )
            .await
            .unwrap();
        assert_eq!(declined.status, RequestStatus::Declined);
        assert_eq!(
            declined.response_message.as_deref(),
            Some("Fully booked this month")
        );
        assert_eq!(
            requests
                .transition(
                    first.id,
                    RequestStatus::Pending,
                    RequestStatus::Cancelled,
                    None,
                    NOW,
                    Outbox::empty()
                )
                .await,
            Err(RepoError::Conflict(Conflict::StaleState))
        );
        assert_eq!(
            requests
                .transition(
                    Uuid::now_v7(),
                    RequestStatus::Pending,
                    RequestStatus::Cancelled,
                    None,
                    NOW,
                    Outbox::empty()
                )
                .await,
            Err(RepoError::NotFound)
        );

        let sent = requests
            .of_user(ids[1], RequestSide::AsLearner, None, PageRequest::first(1))
            .await
            .unwrap();
        assert_eq!(
            sent.items.iter().map(|r| r.id).collect::<Vec<_>>(),
            [second.id]
        );
        let rest = requests
            .of_user(
                ids[1],
                RequestSide::AsLearner,
                None,
                PageRequest {
                    limit: 1,
                    after: sent.next_after,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            rest.items.iter().map(|r| r.id).collect::<Vec<_>>(),
            [first.id]
        );
        assert_eq!(rest.next_after, None);
        let pending_for_mentor = requests
            .of_user(
                ids[0],
                RequestSide::AsMentor,
                Some(RequestStatus::Pending),
                PageRequest::first(10),
            )
            .await
            .unwrap();
        assert_eq!(
            pending_for_mentor
                .items
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>(),
            [third.id, second.id]
        );
    })
    .await;
}

#[tokio::test]
async fn cancelling_a_request_session_also_cancels_the_request() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 2).await;
        let requests = MentorshipRequestStore::new(db);
        let r = requests
            .create(request(ids[1], ids[0]), Outbox::empty())
            .await
            .unwrap();
        let s = one_to_one(&r);
        requests
            .accept(
                r.id,
                s.clone(),
                booking(&s, ids[1]),
                None,
                NOW,
                Outbox::empty(),
            )
            .await
            .unwrap();
        let cancelled = MentoringSessionStore::new(db)
            .cancel(s.id, ids[0], NOW, untold())
            .await
            .unwrap();
        assert_eq!(cancelled.len(), 1);
        assert_eq!(
            requests.by_id(r.id).await.unwrap().unwrap().status,
            RequestStatus::Cancelled
        );
        let _ = BookingStore::new(db);
    })
    .await;
}
