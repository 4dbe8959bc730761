//! Auth sessions, refresh-token rotation, verification tokens and the login history.

use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_infra_seaorm::{AuthSessionStore, LoginAttemptStore, UserStore, VerificationTokenStore};
use lyceum_ports::RepoError;
use lyceum_ports::identity::{
    AuthSessionRepository, LoginAttempt, LoginAttemptRepository, NewAuthSession,
    NewVerificationToken, Rotation, RotationOutcome, TokenPurpose, UserRepository,
    VerificationTokenRepository,
};
use lyceum_ports::outbox::Outbox;
use time::Duration;
use uuid::Uuid;

use crate::common::{NOW, registered};

fn new_session(user_id: Uuid, digest: &str) -> NewAuthSession {
    NewAuthSession {
        id: Uuid::now_v7(),
        user_id,
        refresh_token_id: Uuid::now_v7(),
        refresh_token_digest: digest.to_owned(),
        ip: Some("203.0.113.7".into()),
        user_agent: Some("tests".into()),
        created_at: NOW,
        expires_at: NOW + Duration::days(30),
    }
}

/// The successful attempt a session starts with.
fn signed_in(user_id: Uuid) -> LoginAttempt {
    LoginAttempt {
        id: Uuid::now_v7(),
        user_id: Some(user_id),
        login: "member".into(),
        success: true,
        failure_reason: None,
        ip: None,
        user_agent: None,
        created_at: NOW,
    }
}

fn rotation(presented: &str, new_digest: &str, now: time::OffsetDateTime) -> Rotation {
    Rotation {
        presented_digest: presented.to_owned(),
        new_token_id: Uuid::now_v7(),
        new_token_digest: new_digest.to_owned(),
        new_expires_at: now + Duration::days(30),
        now,
    }
}

#[tokio::test]
async fn rotation_then_reuse_then_unknown() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let sessions = AuthSessionStore::new(&t.database);
        let session = sessions
            .start(new_session(user.id, "first"), signed_in(user.id))
            .await
            .unwrap();
        assert_eq!(
            sessions.by_id(session.id).await.unwrap(),
            Some(session.clone())
        );

        let later = NOW + Duration::hours(1);
        let rotated = sessions
            .rotate(rotation("first", "second", later))
            .await
            .unwrap();
        let RotationOutcome::Rotated(rotated) = rotated else {
            panic!("expected Rotated, got {rotated:?}")
        };
        assert_eq!(rotated.last_used_at, later);
        assert_eq!(rotated.expires_at, later + Duration::days(30));
        assert_eq!(sessions.by_id(session.id).await.unwrap(), Some(rotated));

        let again = sessions
            .rotate(rotation("first", "third", later))
            .await
            .unwrap();
        assert!(matches!(again, RotationOutcome::Reused(s) if s.id == session.id));
        assert_eq!(
            sessions
                .rotate(rotation("unknown", "x", later))
                .await
                .unwrap(),
            RotationOutcome::Rejected
        );

        // The replacement is live until the session is revoked.
        sessions.revoke(user.id, session.id, later).await.unwrap();
        assert_eq!(
            sessions
                .rotate(rotation("second", "fourth", later))
                .await
                .unwrap(),
            RotationOutcome::Rejected
        );
    })
    .await;
}

#[tokio::test]
async fn expired_token_is_rejected() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let sessions = AuthSessionStore::new(&t.database);
        sessions
            .start(new_session(user.id, "first"), signed_in(user.id))
            .await
            .unwrap();
        let too_late = NOW + Duration::days(31);
        assert_eq!(
            sessions
                .rotate(rotation("first", "second", too_late))
                .await
                .unwrap(),
            RotationOutcome::Rejected
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_concurrent_rotations_exactly_one_wins() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let sessions = AuthSessionStore::new(&t.database);
        sessions
            .start(new_session(user.id, "contested"), signed_in(user.id))
            .await
            .unwrap();
        let later = NOW + Duration::minutes(1);
        let tasks: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|digest| {
                let sessions = sessions.clone();
                tokio::spawn(async move {
                    sessions
                        .rotate(rotation("contested", digest, later))
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut rotated = 0;
        let mut reused = 0;
        for task in tasks {
            match task.await.unwrap() {
                RotationOutcome::Rotated(_) => rotated += 1,
                RotationOutcome::Reused(_) => reused += 1,
                RotationOutcome::Rejected => panic!("a live token was rejected"),
            }
        }
        assert_eq!((rotated, reused), (1, 1));
    })
    .await;
}

#[tokio::test]
async fn revoking_needs_the_owner_and_active_lists_live_sessions() {
    on_each_backend(|t| async move {
        let users = UserStore::new(&t.database);
        let owner = registered(&users, 1).await;
        let stranger = registered(&users, 2).await;
        let sessions = AuthSessionStore::new(&t.database);
        let first = sessions
            .start(new_session(owner.id, "one"), signed_in(owner.id))
            .await
            .unwrap();
        let second = sessions
            .start(new_session(owner.id, "two"), signed_in(owner.id))
            .await
            .unwrap();
        sessions
            .rotate(rotation("two", "two-b", NOW + Duration::hours(2)))
            .await
            .unwrap();

        let active = sessions.active(owner.id, NOW).await.unwrap();
        assert_eq!(
            active.iter().map(|s| s.id).collect::<Vec<_>>(),
            [second.id, first.id]
        );

        assert_eq!(
            sessions.revoke(stranger.id, first.id, NOW).await,
            Err(RepoError::NotFound)
        );
        sessions.revoke(owner.id, first.id, NOW).await.unwrap();
        assert_eq!(sessions.active(owner.id, NOW).await.unwrap().len(), 1);
        sessions.revoke_all(owner.id, NOW).await.unwrap();
        assert!(sessions.active(owner.id, NOW).await.unwrap().is_empty());
    })
    .await;
}

fn token(user_id: Uuid, purpose: TokenPurpose, digest: &str) -> NewVerificationToken {
    NewVerificationToken {
        id: Uuid::now_v7(),
        user_id,
        purpose,
        digest: digest.to_owned(),
        created_at: NOW,
        expires_at: NOW + Duration::hours(24),
    }
}

#[tokio::test]
async fn verification_tokens_are_single_use_and_expire() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let tokens = VerificationTokenStore::new(&t.database);
        tokens
            .issue(
                token(user.id, TokenPurpose::EmailVerification, "verify"),
                Outbox::empty(),
            )
            .await
            .unwrap();

        let soon = NOW + Duration::minutes(5);
        assert_eq!(
            tokens
                .consume(TokenPurpose::PasswordReset, "verify", soon)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            tokens
                .consume(TokenPurpose::EmailVerification, "verify", soon)
                .await
                .unwrap(),
            Some(user.id)
        );
        assert_eq!(
            tokens
                .consume(TokenPurpose::EmailVerification, "verify", soon)
                .await
                .unwrap(),
            None
        );

        tokens
            .issue(
                token(user.id, TokenPurpose::PasswordReset, "reset"),
                Outbox::empty(),
            )
            .await
            .unwrap();
        let expired = NOW + Duration::hours(24);
        assert_eq!(
            tokens
                .consume(TokenPurpose::PasswordReset, "reset", expired)
                .await
                .unwrap(),
            None
        );
    })
    .await;
}

#[tokio::test]
async fn a_new_token_invalidates_the_earlier_one() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let tokens = VerificationTokenStore::new(&t.database);
        tokens
            .issue(
                token(user.id, TokenPurpose::PasswordReset, "old"),
                Outbox::empty(),
            )
            .await
            .unwrap();
        tokens
            .issue(
                token(user.id, TokenPurpose::PasswordReset, "new"),
                Outbox::empty(),
            )
            .await
            .unwrap();
        assert_eq!(
            tokens
                .consume(TokenPurpose::PasswordReset, "old", NOW)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            tokens
                .consume(TokenPurpose::PasswordReset, "new", NOW)
                .await
                .unwrap(),
            Some(user.id)
        );
    })
    .await;
}

#[tokio::test]
async fn login_history_is_newest_first() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let history = LoginAttemptStore::new(&t.database);
        for (i, success) in [false, true].into_iter().enumerate() {
            let attempt = LoginAttempt {
                id: Uuid::now_v7(),
                user_id: Some(user.id),
                login: "member1@example.com".into(),
                success,
                failure_reason: (!success).then(|| "invalid_credentials".into()),
                ip: None,
                user_agent: None,
                created_at: NOW + Duration::seconds(i as i64),
            };
            history.record(attempt).await.unwrap();
        }
        let unknown = LoginAttempt {
            id: Uuid::now_v7(),
            user_id: None,
            login: "ghost".into(),
            success: false,
            failure_reason: Some("invalid_credentials".into()),
            ip: None,
            user_agent: None,
            created_at: NOW,
        };
        history.record(unknown).await.unwrap();
        let seen = history.for_user(user.id, 10).await.unwrap();
        assert_eq!(
            seen.iter().map(|a| a.success).collect::<Vec<_>>(),
            [true, false]
        );
        assert_eq!(history.for_user(user.id, 1).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_session_comes_with_its_account_in_one_read() {
    on_each_backend(|t| async move {
        let users = UserStore::new(&t.database);
        let user = registered(&users, 1).await;
        let sessions = AuthSessionStore::new(&t.database);
        let session = sessions
            .start(new_session(user.id, "d"), signed_in(user.id))
            .await
            .unwrap();

        let (found, account) = sessions.with_account(session.id).await.unwrap().unwrap();
        assert_eq!(found, session);
        let signed_in_account = users.by_id(user.id).await.unwrap().unwrap();
        assert_eq!(
            signed_in_account.last_login_at,
            Some(NOW),
            "the sign-in stamps it"
        );
        assert_eq!(
            account, signed_in_account,
            "the account, profile included, as by_id reads it"
        );

        // A revocation is seen by the next read: the use case refuses the revoked session.
        sessions
            .revoke(user.id, session.id, NOW + Duration::minutes(1))
            .await
            .unwrap();
        let (revoked, _) = sessions.with_account(session.id).await.unwrap().unwrap();
        assert_eq!(revoked.revoked_at, Some(NOW + Duration::minutes(1)));

        assert_eq!(sessions.with_account(Uuid::now_v7()).await.unwrap(), None);
    })
    .await;
}

/// A password reset spends its token, stores the new hash and ends every session in one
/// transaction; an unusable token changes nothing. A ban and a soft deletion end the
/// account's sessions in their own transaction too.
#[tokio::test]
async fn password_resets_bans_and_deletions_sign_out_in_the_same_transaction() {
    on_each_backend(|t| async move {
        let users = UserStore::new(&t.database);
        let tokens = VerificationTokenStore::new(&t.database);
        let sessions = AuthSessionStore::new(&t.database);
        let user = registered(&users, 1).await;
        let live = |id| {
            let sessions = sessions.clone();
            async move { sessions.active(id, NOW).await.unwrap().len() }
        };
        sessions
            .start(new_session(user.id, "phone"), signed_in(user.id))
            .await
            .unwrap();
        tokens
            .issue(
                token(user.id, TokenPurpose::PasswordReset, "reset"),
                Outbox::empty(),
            )
            .await
            .unwrap();

        assert_eq!(
            tokens
                .reset_password("wrong", "hash-2".into(), NOW)
                .await
                .unwrap(),
            None
        );
        assert_eq!(live(user.id).await, 1, "a wrong token changes nothing");
        assert_eq!(
            tokens
                .reset_password("reset", "hash-2".into(), NOW)
                .await
                .unwrap(),
            Some(user.id)
        );
        assert_eq!(
            users.password_hash(user.id).await.unwrap().as_deref(),
            Some("hash-2")
        );
        assert_eq!(live(user.id).await, 0, "signed out everywhere");
        assert_eq!(
            tokens
                .reset_password("reset", "hash-3".into(), NOW)
                .await
                .unwrap(),
            None,
            "a reset token works once"
        );

        tokens
            .issue(
                token(user.id, TokenPurpose::EmailVerification, "verify"),
                Outbox::empty(),
            )
            .await
            .unwrap();
        assert_eq!(
            tokens.verify_email("verify", NOW).await.unwrap(),
            Some(user.id)
        );
        assert!(users.by_id(user.id).await.unwrap().unwrap().email_verified);

        sessions
            .start(new_session(user.id, "laptop"), signed_in(user.id))
            .await
            .unwrap();
        let ban = lyceum_domain::identity::Ban::new("spam", None, NOW).unwrap();
        users.set_ban(user.id, Some(ban), NOW).await.unwrap();
        assert_eq!(live(user.id).await, 0, "a ban signs out");

        let other = registered(&users, 2).await;
        sessions
            .start(new_session(other.id, "tablet"), signed_in(other.id))
            .await
            .unwrap();
        users.soft_delete(other.id, NOW).await.unwrap();
        assert_eq!(live(other.id).await, 0, "a soft deletion signs out");
        users.soft_delete(other.id, NOW).await.unwrap();
        assert_eq!(
            users.soft_delete(Uuid::now_v7(), NOW).await,
            Err(RepoError::NotFound)
        );
    })
    .await;
}
