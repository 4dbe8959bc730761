//! The live stream over a scripted event feed: what it sends, and when it asks the
//! database (only on the feed's request).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use lyceum_domain::community::{Notification, NotificationKind, Subject, SubjectKind};
use lyceum_domain::identity::{Role, User};
use lyceum_domain::mentoring::{Message, MessageBody};
use lyceum_ports::community::{EventSubscription, LiveSignal};
use lyceum_ports::identity::AuthSession;
use lyceum_ports::system::{AccessClaims, TokenError};
use uuid::Uuid;

use super::LiveItem;
use crate::AppError;
use crate::identity::Actor;
use crate::test_support::{Mocks, NOW, user};

/// A feed that says what the test scripted, then `Closed`.
struct Scripted(VecDeque<LiveSignal>);

#[async_trait]
impl EventSubscription for Scripted {
    async fn next(&mut self) -> LiveSignal {
        self.0.pop_front().unwrap_or(LiveSignal::Closed)
    }
}

/// A UUIDv7 of an hour from now, `n` ms apart: newer than the position a stream opened
/// at now, as every event after the opening is.
fn later_id(n: u64) -> Uuid {
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
        + 3_600_000
        + n;
    Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        at / 1000,
        (at % 1000) as u32 * 1_000_000,
    ))
}

fn notification_for(user_id: Uuid) -> Notification {
    Notification {
        id: Uuid::now_v7(),
        user_id,
        kind: NotificationKind::NewMessage,
        subject: Some(Subject::new(SubjectKind::Booking, Uuid::now_v7())),
        data: "{}".into(),
        read_at: None,
        created_at: NOW,
    }
}

fn message(sender_id: Uuid, recipient_id: Uuid) -> Message {
    Message {
        id: Uuid::now_v7(),
        sender_id,
        recipient_id,
        body: MessageBody::parse("Are slides needed?").unwrap(),
        created_at: NOW,
        read_at: None,
    }
}

/// Mocks where `me` holds an access token valid for ten more minutes, the feed plays
/// `script` to my subscription, and each check of the token finds the account as the
/// next of `accounts` says (`None`: the sign-in session was revoked).
fn stream_setup(me: &User, script: Vec<LiveSignal>, accounts: Vec<Option<User>>) -> Mocks {
    let mut m = Mocks::new();
    let (uid, sid) = (me.id, Uuid::now_v7());
    m.access_tokens.expect_verify().returning(move |_| {
        Ok(AccessClaims {
            user_id: uid,
            session_id: sid,
            roles: Default::default(),
            expires_at: NOW + time::Duration::minutes(10),
        })
    });
    m.events
        .expect_subscribe()
        .withf(move |user_id| *user_id == uid)
        .times(1)
        .return_once(move |_| Box::new(Scripted(script.into())));
    let checks = accounts.len();
    let accounts = Arc::new(Mutex::new(VecDeque::from(accounts)));
    let signed_out = me.clone();
    m.auth_sessions
        .expect_with_account()
        .times(checks)
        .returning(move |_| {
            let next = accounts.lock().unwrap().pop_front().flatten();
            let live = next.is_some();
            Ok(Some((
                AuthSession {
                    id: sid,
                    user_id: uid,
                    ip: None,
                    user_agent: None,
                    created_at: NOW,
                    last_used_at: NOW,
                    expires_at: NOW + time::Duration::days(30),
                    revoked_at: (!live).then_some(NOW),
                },
                next.unwrap_or_else(|| signed_out.clone()),
            )))
        });
    m
}

fn me() -> (User, Actor) {
    let me = user(&[Role::Learner]);
    let actor = Actor {
        user: me.clone(),
        session_id: Uuid::now_v7(),
    };
    (me, actor)
}

async fn drain(mut stream: super::LiveStream) -> Vec<LiveItem> {
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item);
    }
    items
}

#[tokio::test]
async fn a_stream_sends_what_the_feed_brings_in_order_and_only_mine_without_reading() {
    let (me, actor) = me();
    let other = Uuid::now_v7();
    let mine = notification_for(me.id);
    let to_me = message(other, me.id);
    let script = vec![
        LiveSignal::Notification(mine.clone()),
        LiveSignal::Notification(notification_for(other)),
        LiveSignal::Message(message(me.id, other)),
        LiveSignal::Message(to_me.clone()),
    ];
    // No read expected: mocks without expectations fail the test if called.
    let app = stream_setup(&me, script, vec![]).build();
    let stream = app.open_live_stream(&actor, "token").unwrap();
    assert_eq!(stream.expires_in(), std::time::Duration::from_secs(600));
    assert_eq!(
        drain(stream).await,
        vec![LiveItem::Notification(mine), LiveItem::Message(to_me)]
    );
}

#[tokio::test]
async fn a_catch_up_reads_from_the_last_sent_position_and_sends_nothing_twice() {
    let (me, actor) = me();
    let [first, second, third] = [1, 2, 3].map(|n| Notification {
        id: later_id(n),
        ..notification_for(me.id)
    });
    let late_message = Message {
        id: later_id(4),
        ..message(Uuid::now_v7(), me.id)
    };
    let script = vec![
        LiveSignal::Notification(first.clone()),
        LiveSignal::CatchUp,
        // The feed brings again what the catch-up read already found.
        LiveSignal::Notification(second.clone()),
    ];
    let mut m = stream_setup(&me, script, vec![Some(me.clone())]);
    let (after, found) = (first.id, vec![second.clone(), third.clone()]);
    m.notifications
        .expect_since()
        .withf(move |user_id, from, _| *user_id == me.id && *from == Some(after))
        .times(1)
        .return_once(move |_, _, _| Ok(found));
    let found = vec![late_message.clone()];
    m.messages
        .expect_received_since()
        .withf(move |user_id, from, _| *user_id == me.id && from.is_some())
        .times(1)
        .return_once(move |_, _, _| Ok(found));
    let stream = m.build().open_live_stream(&actor, "token").unwrap();
    assert_eq!(
        drain(stream).await,
        vec![
            LiveItem::Notification(first),
            LiveItem::Notification(second),
            LiveItem::Notification(third),
            LiveItem::Message(late_message),
        ]
    );
}

#[tokio::test]
async fn an_account_change_checks_the_sign_in_again_and_ends_the_stream_once_it_is_revoked() {
    let (me, actor) = me();
    let before = notification_for(me.id);
    let script = vec![
        LiveSignal::AccountChanged,
        LiveSignal::Notification(before.clone()),
        LiveSignal::AccountChanged,
        LiveSignal::Notification(notification_for(me.id)),
    ];
    let app = stream_setup(&me, script, vec![Some(me.clone()), None]).build();
    let stream = app.open_live_stream(&actor, "token").unwrap();
    assert_eq!(drain(stream).await, vec![LiveItem::Notification(before)]);
}

#[tokio::test]
async fn a_ban_or_a_role_change_ends_the_stream() {
    let (me, actor) = me();
    let mut mentor_now = me.clone();
    mentor_now.roles = [Role::Learner, Role::Mentor].into_iter().collect();
    let mut banned = me.clone();
    banned.ban = Some(lyceum_domain::identity::Ban {
        reason: "spam".into(),
        expires_at: None,
    });
    for changed in [mentor_now, banned] {
        let script = vec![
            LiveSignal::AccountChanged,
            LiveSignal::Notification(notification_for(me.id)),
        ];
        let app = stream_setup(&me, script, vec![Some(changed)]).build();
        let stream = app.open_live_stream(&actor, "token").unwrap();
        assert_eq!(drain(stream).await, vec![]);
    }
}

#[tokio::test]
async fn an_expired_or_foreign_token_opens_no_stream() {
    let (_, actor) = me();
    let mut m = Mocks::new();
    m.access_tokens
        .expect_verify()
        .returning(|_| Err(TokenError::Expired));
    m.events.expect_subscribe().never();
    assert_eq!(
        m.build().open_live_stream(&actor, "old").err(),
        Some(AppError::Unauthenticated)
    );

    let (someone_else, _) = me();
    let mut m = Mocks::new();
    m.access_tokens.expect_verify().returning(move |_| {
        Ok(AccessClaims {
            user_id: someone_else.id,
            session_id: Uuid::now_v7(),
            roles: Default::default(),
            expires_at: NOW + time::Duration::minutes(10),
        })
    });
    m.events.expect_subscribe().never();
    assert_eq!(
        m.build().open_live_stream(&actor, "theirs").err(),
        Some(AppError::Unauthenticated)
    );
}
