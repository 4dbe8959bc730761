//! Messages: who may write to whom, histories, read receipts and the inbox.

use lyceum_domain::mentoring::{
    MentorshipRequest, Message, RequestMessage, RequestStatus, RequestSubject,
};
use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_infra_seaorm::{
    BookingStore, MentoringSessionStore, MentorshipRequestStore, MessageStore,
};
use lyceum_ports::PageRequest;
use lyceum_ports::mentoring::{
    BookingRepository, MentoringSessionRepository, MentorshipRequestRepository, MessageRepository,
};
use lyceum_ports::outbox::Outbox;
use time::Duration;
use uuid::Uuid;

use crate::common::NOW;
use crate::common::mentoring::{booking, reserve, session, users};

fn message(from: Uuid, to: Uuid, body: &str) -> Message {
    Message {
        id: Uuid::now_v7(),
        sender_id: from,
        recipient_id: to,
        body: lyceum_domain::mentoring::MessageBody::parse(body).unwrap(),
        created_at: NOW,
        read_at: None,
    }
}

#[tokio::test]
async fn people_share_mentoring_through_bookings_sessions_and_requests() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 6).await;
        let (mentor, learner, classmate, requester, mentor2, stranger) =
            (ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]);
        let sessions = MentoringSessionStore::new(db);
        let bookings = BookingStore::new(db);
        let s = sessions
            .create(session(mentor, 5, 0, Duration::days(1)))
            .await
            .unwrap();
        reserve(&bookings, booking(&s, learner)).await;
        let b = reserve(&bookings, booking(&s, classmate)).await;
        // Any status counts: a cancelled booking still links them.
        bookings
            .cancel(
                b.id,
                classmate,
                None,
                lyceum_domain::mentoring::PaymentStatus::Refunded,
                NOW,
                Outbox::empty(),
            )
            .await
            .unwrap();
        MentorshipRequestStore::new(db)
            .create(
                MentorshipRequest {
                    id: Uuid::now_v7(),
                    learner_id: requester,
                    mentor_id: mentor2,
                    subject: RequestSubject::parse("Hi").unwrap(),
                    message: RequestMessage::default(),
                    proposed_start: NOW + Duration::days(1),
                    duration_minutes: 30,
                    notes: None,
                    status: RequestStatus::Pending,
                    response_message: None,
                    session_id: None,
                    created_at: NOW,
                    updated_at: NOW,
                },
                Outbox::empty(),
            )
            .await
            .unwrap();

        let messages = MessageStore::new(db);
        for (a, b, shared) in [
            (learner, mentor, true),
            (mentor, learner, true),
            (learner, classmate, true),
            (classmate, learner, true),
            (classmate, mentor, true),
            (requester, mentor2, true),
            (mentor2, requester, true),
            (stranger, mentor, false),
            (learner, requester, false),
            (mentor, mentor2, false),
        ] {
            assert_eq!(
                messages.share_mentoring(a, b).await.unwrap(),
                shared,
                "{a} / {b}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn histories_read_receipts_and_the_inbox() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 3).await;
        let (me, ann, bob) = (ids[0], ids[1], ids[2]);
        let messages = MessageStore::new(db);
        let m1 = messages
            .send(message(ann, me, "hi"), Outbox::empty())
            .await
            .unwrap();
        let m2 = messages
            .send(message(me, ann, "hello"), Outbox::empty())
            .await
            .unwrap();
        let m3 = messages
            .send(message(ann, me, "question"), Outbox::empty())
            .await
            .unwrap();
        let m4 = messages
            .send(message(bob, me, "hey"), Outbox::empty())
            .await
            .unwrap();
        let m5 = messages
            .send(message(ann, bob, "not yours"), Outbox::empty())
            .await
            .unwrap();

        let inbox = messages.conversations(me).await.unwrap();
        let summary: Vec<_> = inbox
            .iter()
            .map(|c| (c.other_user_id, c.last_message.id, c.unread_count))
            .collect();
        assert_eq!(summary, [(bob, m4.id, 1), (ann, m3.id, 2)]);

        let page = messages
            .between(me, ann, PageRequest::first(2))
            .await
            .unwrap();
        assert_eq!(
            page.items.iter().map(|m| m.id).collect::<Vec<_>>(),
            [m3.id, m2.id]
        );
        let rest = messages
            .between(
                ann,
                me,
                PageRequest {
                    limit: 2,
                    after: page.next_after,
                },
            )
            .await
            .unwrap();
        assert_eq!(rest.items.iter().map(|m| m.id).collect::<Vec<_>>(), [m1.id]);
        assert_eq!(rest.next_after, None);

        let later = NOW + Duration::minutes(3);
        assert_eq!(messages.mark_read(me, ann, later).await.unwrap(), 2);
        assert_eq!(messages.mark_read(me, ann, later).await.unwrap(), 0);
        let read = messages
            .between(me, ann, PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(read.items[0].read_at, Some(later));
        assert_eq!(
            read.items[1].read_at, None,
            "my own message stays unread by ann"
        );
        let inbox = messages.conversations(me).await.unwrap();
        assert_eq!(
            inbox.iter().map(|c| c.unread_count).collect::<Vec<_>>(),
            [1, 0]
        );
        assert_eq!(messages.conversations(ann).await.unwrap().len(), 2);

        let stream = messages.received_since(me, Some(m1.id), 10).await.unwrap();
        assert_eq!(
            stream.iter().map(|m| m.id).collect::<Vec<_>>(),
            [m3.id, m4.id]
        );
        assert_eq!(
            messages.received_since(me, None, 1).await.unwrap()[0].id,
            m1.id
        );
        assert!(!stream.iter().any(|m| m.id == m5.id));
    })
    .await;
}
