//! Notifications: deduplication, unread counts and ownership.

use lyceum_domain::community::{Notification, NotificationKind, Subject, SubjectKind};
use lyceum_infra_seaorm::NotificationStore;
use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_ports::community::NotificationRepository;
use lyceum_ports::{PageRequest, RepoError};
use time::Duration;
use uuid::Uuid;

use crate::common::NOW;
use crate::common::mentoring::users;

fn notification(user_id: Uuid) -> Notification {
    Notification {
        id: Uuid::now_v7(),
        user_id,
        kind: NotificationKind::SessionReminder1h,
        subject: Some(Subject::new(SubjectKind::Booking, Uuid::now_v7())),
        data: r#"{"booking_id":"x"}"#.into(),
        read_at: None,
        created_at: NOW,
    }
}

#[tokio::test]
async fn a_dedupe_key_stores_a_notification_once() {
    on_each_backend(|t| async move {
        let ids = users(&t.database, 1, 2).await;
        let store = NotificationStore::new(&t.database);
        let key = Some("reminder_1h:booking-1".to_owned());
        let first = notification(ids[0]);
        assert!(store.create(first.clone(), key.clone()).await.unwrap());
        assert!(!store.create(notification(ids[0]), key).await.unwrap());
        assert!(store.create(notification(ids[0]), None).await.unwrap());
        assert!(store.create(notification(ids[0]), None).await.unwrap());
        assert_eq!(store.unread_count(ids[0]).await.unwrap(), 3);
        let mine = store
            .of_user(ids[0], false, PageRequest::first(10))
            .await
            .unwrap();
        assert!(
            mine.items.contains(&first),
            "a notification reads back with its typed subject"
        );
        let page = store
            .of_user(ids[0], false, PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(page.items.len(), 3);
        assert_eq!(page.items[2], first);
        assert_eq!(
            store.create(notification(Uuid::now_v7()), None).await,
            Err(RepoError::NotFound)
        );
    })
    .await;
}

#[tokio::test]
async fn reading_is_per_owner() {
    on_each_backend(|t| async move {
        let ids = users(&t.database, 1, 2).await;
        let (me, other) = (ids[0], ids[1]);
        let store = NotificationStore::new(&t.database);
        let mut mine = Vec::new();
        for _ in 0..3 {
            let n = notification(me);
            store.create(n.clone(), None).await.unwrap();
            mine.push(n);
        }
        let theirs = notification(other);
        store.create(theirs.clone(), None).await.unwrap();

        let later = NOW + Duration::minutes(1);
        assert_eq!(
            store.mark_read(me, theirs.id, later).await,
            Err(RepoError::NotFound)
        );
        store.mark_read(me, mine[0].id, later).await.unwrap();
        // Marking it again is fine and keeps the first time.
        store
            .mark_read(me, mine[0].id, later + Duration::minutes(1))
            .await
            .unwrap();
        assert_eq!(store.unread_count(me).await.unwrap(), 2);
        let unread = store
            .of_user(me, true, PageRequest::first(1))
            .await
            .unwrap();
        assert_eq!(unread.items[0].id, mine[2].id);
        let rest = store
            .of_user(
                me,
                true,
                PageRequest {
                    limit: 1,
                    after: unread.next_after,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            rest.items.iter().map(|n| n.id).collect::<Vec<_>>(),
            [mine[1].id]
        );
        assert_eq!(rest.next_after, None);
        let read = store
            .of_user(me, false, PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(read.items[2].read_at, Some(later));

        assert_eq!(store.mark_all_read(me, later).await.unwrap(), 2);
        assert_eq!(store.unread_count(me).await.unwrap(), 0);
        assert_eq!(store.unread_count(other).await.unwrap(), 1);

        let since = store.since(me, Some(mine[0].id), 10).await.unwrap();
        assert_eq!(
            since.iter().map(|n| n.id).collect::<Vec<_>>(),
            [mine[1].id, mine[2].id]
        );
    })
    .await;
}
