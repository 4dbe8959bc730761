//! Live events: what the stores announce reaches the subscribed streams of its user, once
//! committed, through one listener per feed; on PostgreSQL also a feed on another pool
//! (another process), and after the listener lost its connection.

use lyceum_ports::outbox::Outbox;
use std::time::Duration;

use lyceum_domain::community::{Notification, NotificationKind, Subject, SubjectKind};
use lyceum_domain::identity::{Role, Roles};
use lyceum_domain::mentoring::{Message, MessageBody};
use lyceum_infra_seaorm::live::{LiveEvent, announce};
use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_infra_seaorm::{
    AuthSessionStore, Backend, Database, LiveFeed, MessageStore, NotificationStore, UserStore,
};
use lyceum_ports::community::{EventFeed, EventSubscription, LiveSignal, NotificationRepository};
use lyceum_ports::identity::{AuthSessionRepository, LoginAttempt, NewAuthSession, UserRepository};
use lyceum_ports::mentoring::MessageRepository;
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use uuid::Uuid;

use crate::common::NOW;
use crate::common::mentoring::{users, wide_pool};

fn notification(user_id: Uuid) -> Notification {
    Notification {
        id: Uuid::now_v7(),
        user_id,
        kind: NotificationKind::NewMessage,
        subject: Some(Subject::new(SubjectKind::Booking, Uuid::now_v7())),
        data: r#"{"booking_id":"x"}"#.into(),
        read_at: None,
        created_at: NOW,
    }
}

fn message(from: Uuid, to: Uuid) -> Message {
    Message {
        id: Uuid::now_v7(),
        sender_id: from,
        recipient_id: to,
        body: MessageBody::parse("Are slides needed?").unwrap(),
        created_at: NOW,
        read_at: None,
    }
}

/// The next signal other than a catch-up (which a feed sends whenever its listener
/// (re)connects), within five seconds.
async fn next_event(subscription: &mut Box<dyn EventSubscription>) -> LiveSignal {
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match subscription.next().await {
                LiveSignal::CatchUp => continue,
                signal => return signal,
            }
        }
    })
    .await
    .expect("a live event arrives in time")
}

/// Nothing but catch-ups for `wait`.
async fn assert_quiet(subscription: &mut Box<dyn EventSubscription>, wait: Duration) {
    let heard = tokio::time::timeout(wait, async {
        loop {
            match subscription.next().await {
                LiveSignal::CatchUp => continue,
                signal => return signal,
            }
        }
    })
    .await;
    assert!(heard.is_err(), "unexpected live event: {heard:?}");
}

/// Waits until the feed's listener listens: it tells its streams to catch up then.
async fn listening(subscription: &mut Box<dyn EventSubscription>) {
    let signal = tokio::time::timeout(Duration::from_secs(10), subscription.next())
        .await
        .expect("the listener connects");
    assert_eq!(signal, LiveSignal::CatchUp);
}

#[tokio::test]
async fn stored_notifications_and_messages_reach_every_stream_of_their_user_only() {
    on_each_backend(|t| async move {
        let ids = users(&t.database, 1, 2).await;
        let (me, other) = (ids[0], ids[1]);
        let feed = LiveFeed::new(&t.database);
        let mut first = feed.subscribe(me);
        let mut second = feed.subscribe(me);
        let mut theirs = feed.subscribe(other);
        assert_eq!(feed.open_streams(), 3);
        listening(&mut first).await;

        let notifications = NotificationStore::new(&t.database);
        let mine = notification(me);
        assert!(
            notifications
                .create(mine.clone(), Some("k".into()))
                .await
                .unwrap()
        );
        for stream in [&mut first, &mut second] {
            assert_eq!(
                next_event(stream).await,
                LiveSignal::Notification(mine.clone())
            );
        }
        // A notification a dedupe key kept out is not announced.
        assert!(
            !notifications
                .create(notification(me), Some("k".into()))
                .await
                .unwrap()
        );

        let to_me = message(other, me);
        MessageStore::new(&t.database)
            .send(to_me.clone(), Outbox::empty())
            .await
            .unwrap();
        for stream in [&mut first, &mut second] {
            assert_eq!(next_event(stream).await, LiveSignal::Message(to_me.clone()));
        }
        // The other user heard nothing: neither my notification nor the message they sent.
        assert_quiet(&mut theirs, Duration::from_millis(300)).await;
        assert_quiet(&mut first, Duration::from_millis(100)).await;

        // Leaving the feed drops the stream; the feed keeps no channel for nobody.
        drop(theirs);
        drop(second);
        assert_eq!(feed.open_streams(), 1);
        feed.close();
        assert_eq!(first.next().await, LiveSignal::Closed);
    })
    .await;
}

#[tokio::test]
async fn revoked_sessions_bans_role_changes_and_deletions_reach_the_accounts_streams() {
    on_each_backend(|t| async move {
        let ids = users(&t.database, 1, 2).await;
        let (me, other) = (ids[0], ids[1]);
        let feed = LiveFeed::new(&t.database);
        let mut mine = feed.subscribe(me);
        let mut theirs = feed.subscribe(other);
        listening(&mut mine).await;

        let sessions = AuthSessionStore::new(&t.database);
        let session = sessions
            .start(
                NewAuthSession {
                    id: Uuid::now_v7(),
                    user_id: me,
                    refresh_token_id: Uuid::now_v7(),
                    refresh_token_digest: "digest".into(),
                    ip: None,
                    user_agent: None,
                    created_at: NOW,
                    expires_at: NOW + time::Duration::days(30),
                },
                LoginAttempt {
                    id: Uuid::now_v7(),
                    user_id: Some(me),
                    login: "me".into(),
                    success: true,
                    failure_reason: None,
                    ip: None,
                    user_agent: None,
                    created_at: NOW,
                },
            )
            .await
            .unwrap();
        sessions.revoke(me, session.id, NOW).await.unwrap();
        assert_eq!(next_event(&mut mine).await, LiveSignal::AccountChanged);
        sessions.revoke_all(me, NOW).await.unwrap();
        assert_eq!(next_event(&mut mine).await, LiveSignal::AccountChanged);

        let users = UserStore::new(&t.database);
        users
            .set_roles(me, Roles::single(Role::Mentor), NOW)
            .await
            .unwrap();
        assert_eq!(next_event(&mut mine).await, LiveSignal::AccountChanged);
        users
            .set_ban(
                me,
                Some(lyceum_domain::identity::Ban {
                    reason: "spam".into(),
                    expires_at: None,
                }),
                NOW,
            )
            .await
            .unwrap();
        assert_eq!(next_event(&mut mine).await, LiveSignal::AccountChanged);
        users.soft_delete(me, NOW).await.unwrap();
        assert_eq!(next_event(&mut mine).await, LiveSignal::AccountChanged);
        assert_quiet(&mut theirs, Duration::from_millis(300)).await;
    })
    .await;
}

/// Stores a notification row and announces it in a transaction of the caller's, as a
/// command storing its notification with its change does.
async fn insert_and_announce(
    db: &Database,
    tx: &impl ConnectionTrait,
    n: &Notification,
) -> LiveEvent {
    tx.execute_raw(Statement::from_sql_and_values(
        tx.get_database_backend(),
        "INSERT INTO notifications (id, user_id, kind, data, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
        [
            n.id.into(),
            n.user_id.into(),
            n.kind.as_str().into(),
            n.data.clone().into(),
            n.created_at.into(),
        ],
    ))
    .await
    .unwrap();
    let event = LiveEvent::Notification {
        user_id: n.user_id,
        id: n.id,
    };
    announce(db, tx, &event).await.unwrap();
    event
}

#[tokio::test]
async fn an_announcement_is_heard_when_its_transaction_commits_and_never_if_it_rolls_back() {
    on_each_backend(|t| async move {
        let me = users(&t.database, 1, 1).await[0];
        let feed = LiveFeed::new(&t.database);
        let mut mine = feed.subscribe(me);
        listening(&mut mine).await;
        // The same pool: on SQLite, announcements travel within the pool's own process.
        let writer = t.database.clone();

        let rolled_back = notification(me);
        let tx = writer.connection().begin().await.unwrap();
        insert_and_announce(&writer, &tx, &rolled_back).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        tx.rollback().await.unwrap();
        assert_quiet(&mut mine, Duration::from_millis(300)).await;

        let committed = notification(me);
        let tx = writer.connection().begin().await.unwrap();
        insert_and_announce(&writer, &tx, &committed).await;
        // Not before the commit.
        assert_quiet(&mut mine, Duration::from_millis(300)).await;
        tx.commit().await.unwrap();
        match next_event(&mut mine).await {
            LiveSignal::Notification(n) => assert_eq!(n.id, committed.id),
            other => panic!("expected the committed notification, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn postgres_events_reach_a_feed_of_another_process_and_survive_a_lost_listener() {
    on_each_backend(|t| async move {
        if t.backend == Backend::Sqlite {
            // One process owns a SQLite file: its channel is in-process by design.
            return;
        }
        let ids = users(&t.database, 1, 2).await;
        let (me, other) = (ids[0], ids[1]);
        // Another process: its own pool and its own feed on the same database.
        let elsewhere = wide_pool(&t).await;
        let feed = LiveFeed::new(&elsewhere);
        let mut mine = feed.subscribe(me);
        listening(&mut mine).await;

        let first = message(other, me);
        MessageStore::new(&t.database)
            .send(first.clone(), Outbox::empty())
            .await
            .unwrap();
        assert_eq!(next_event(&mut mine).await, LiveSignal::Message(first));

        // The listener's connection is killed (as by a PostgreSQL restart): the feed
        // reconnects and tells its streams to catch up, since PostgreSQL does not replay
        // what was announced meanwhile.
        let killed = t
            .database
            .connection()
            .query_one_raw(Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT count(pg_terminate_backend(pid)) AS killed FROM pg_stat_activity \
                 WHERE datname = current_database() AND query LIKE 'LISTEN%'",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "killed")
            .unwrap();
        assert_eq!(killed, 1, "one listener per feed");
        let signal = tokio::time::timeout(Duration::from_secs(10), mine.next())
            .await
            .expect("the feed reconnects");
        assert_eq!(signal, LiveSignal::CatchUp);

        let after = notification(me);
        NotificationStore::new(&t.database)
            .create(after.clone(), None)
            .await
            .unwrap();
        assert_eq!(next_event(&mut mine).await, LiveSignal::Notification(after));
        feed.close();
        elsewhere.close().await.unwrap();
    })
    .await;
}
