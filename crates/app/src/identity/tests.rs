//! Use-case tests with mocked ports: each asserts the result and the calls made (or not).

use lyceum_domain::identity::{Ban, Role, Roles};
use lyceum_domain::wallet::{Adjustment, AdjustmentDirection};
use lyceum_ports::RepoError;
use lyceum_ports::identity::*;
use lyceum_ports::system::*;
use mockall::predicate::eq;
use uuid::Uuid;

use super::*;
use crate::AppError;
use crate::IdempotencyError;
use crate::identity::IdentityError;
use crate::test_support::{Mocks, NOW, actor, keyed, render_debug, user, wallet_of};
use lyceum_domain::wallet::WalletError;
use lyceum_ports::system::MailMessage;

fn session(user_id: Uuid) -> AuthSession {
    AuthSession {
        id: Uuid::now_v7(),
        user_id,
        ip: None,
        user_agent: None,
        created_at: NOW,
        last_used_at: NOW,
        expires_at: NOW + time::Duration::days(30),
        revoked_at: None,
    }
}

fn registration(role: &str) -> RegistrationInput {
    RegistrationInput {
        email: "asha@example.com".into(),
        username: "ashakumar".into(),
        password: "Secret123".into(),
        first_name: "Asha".into(),
        last_name: "Kumar".into(),
        role: role.into(),
        phone_number: None,
    }
}

#[tokio::test]
async fn registration_reports_every_bad_field_and_stores_nothing() {
    // No expectations on the repository: any call would fail the test.
    let app = Mocks::new().build();
    let bad = RegistrationInput {
        email: "nope".into(),
        username: "1bad".into(),
        password: "weak".into(),
        ..registration("admin")
    };
    let Err(AppError::Validation(errors)) = app.register(bad).await else {
        panic!("expected a validation error")
    };
    assert_eq!(
        errors.field_codes(),
        [
            ("email", "invalid_format"),
            ("username", "invalid_format"),
            ("password", "invalid_format"),
            ("role", "invalid_choice"),
        ]
    );
}

#[tokio::test]
async fn create_admin_refuses_a_name_with_a_control_character_and_stores_nothing() {
    // The `lyceum create-admin` command line enters text without the HTTP schema: the
    // domain's text rule still holds, so nothing is hashed or stored.
    let mut m = Mocks::new();
    m.hasher.expect_hash().never();
    m.users.expect_register().never();
    let input = RegistrationInput {
        first_name: "Asha\u{7}".into(),
        last_name: "Kumar\nSmith".into(),
        ..registration("learner")
    };
    let Err(AppError::Validation(errors)) = m.build().create_admin(input).await else {
        panic!("expected a validation error")
    };
    assert_eq!(
        errors.field_codes(),
        [
            ("first_name", "invalid_characters"),
            ("last_name", "invalid_characters"),
        ]
    );
    assert_eq!(
        errors.into_vec()[0].message,
        "must be a single line without control characters"
    );
}

#[tokio::test]
async fn a_login_that_is_not_one_line_is_refused_before_any_lookup_or_record() {
    let mut m = Mocks::new();
    m.users.expect_by_login().never();
    m.login_history.expect_record().never();
    let result = m
        .build()
        .login("asha@example.com\u{0}", "Secret123", ClientInfo::default())
        .await;
    let Err(AppError::Validation(errors)) = result else {
        panic!("expected a validation error, got {result:?}")
    };
    assert_eq!(errors.field_codes(), [("login", "invalid_characters")]);
}

#[tokio::test]
async fn registration_hashes_the_password_and_mails_a_verification_token() {
    let mut m = Mocks::new();
    m.hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok("argon2-hash".into()));
    // One transaction: the account, its verification code and the mail carrying it.
    m.users
        .expect_register()
        .withf(|u, token, outbox| {
            u.password_hash == "argon2-hash"
                && u.roles == Roles::single(Role::Mentor)
                && token.as_ref().is_some_and(|t| {
                    t.user_id == u.id
                        && t.purpose == TokenPurpose::EmailVerification
                        && t.digest == "digest"
                })
                && outbox.notices.is_empty()
                && matches!(&outbox.mail[..], [mail] if matches!(&mail.message,
                        MailMessage::EmailVerification { code, .. } if code == "plain-secret"))
        })
        .times(1)
        .returning(|u, _, _| {
            let mut stored = user(&[Role::Mentor]);
            stored.id = u.id;
            Ok(stored)
        });
    m.verification_tokens.expect_issue().never();
    let created = m.build().register(registration("mentor")).await.unwrap();
    assert!(created.has_role(Role::Mentor));
}

#[tokio::test]
async fn unknown_login_costs_a_dummy_verification_and_is_recorded() {
    let mut m = Mocks::new();
    m.users.expect_by_login().returning(|_| Ok(None));
    m.hasher
        .expect_verify()
        .with(eq("Secret123"), eq(None))
        .times(1)
        .returning(|_, _| Ok(false));
    m.login_history
        .expect_record()
        .withf(|a| {
            a.user_id.is_none()
                && !a.success
                && a.failure_reason.as_deref() == Some("invalid_credentials")
        })
        .times(1)
        .returning(|_| Ok(()));
    let result = m
        .build()
        .login("ghost@example.com", "Secret123", ClientInfo::default())
        .await;
    assert_eq!(
        result,
        Err(AppError::Identity(IdentityError::InvalidCredentials))
    );
}

#[tokio::test]
async fn locked_account_is_refused_even_with_the_right_password() {
    let mut m = Mocks::new();
    let mut locked = user(&[Role::Learner]);
    locked.locked_until = Some(NOW + time::Duration::minutes(10));
    m.users
        .expect_by_login()
        .returning(move |_| Ok(Some((locked.clone(), "hash".into()))));
    m.hasher.expect_verify().never();
    m.login_history
        .expect_record()
        .withf(|a| a.failure_reason.as_deref() == Some("locked"))
        .returning(|_| Ok(()));
    let result = m
        .build()
        .login("ashakumar", "Secret123", ClientInfo::default())
        .await;
    assert!(matches!(
        result,
        Err(AppError::Identity(IdentityError::AccountLocked { .. }))
    ));
}

#[tokio::test]
async fn the_failure_that_reaches_the_limit_locks_the_account() {
    let mut m = Mocks::new();
    let u = user(&[Role::Learner]);
    let id = u.id;
    m.users
        .expect_by_login()
        .returning(move |_| Ok(Some((u.clone(), "hash".into()))));
    m.hasher.expect_verify().returning(|_, _| Ok(false));
    let until = NOW + time::Duration::minutes(15);
    m.users
        .expect_record_login_failure()
        // The count and the history row are one transaction.
        .withf(move |uid, p, _, a| {
            *uid == id
                && p.max_failures == 5
                && a.user_id == Some(id)
                && a.failure_reason.as_deref() == Some("invalid_credentials")
        })
        .times(1)
        .returning(move |_, _, _, _| Ok(Some(until)));
    m.login_history.expect_record().never();
    let result = m
        .build()
        .login("ashakumar", "Wrong1234", ClientInfo::default())
        .await;
    assert_eq!(
        result,
        Err(AppError::Identity(IdentityError::AccountLocked { until }))
    );
}

#[tokio::test]
async fn banned_user_cannot_sign_in_until_the_ban_expires() {
    let mut m = Mocks::new();
    let mut banned = user(&[Role::Learner]);
    banned.ban = Some(Ban {
        reason: "spam".into(),
        expires_at: Some(NOW + time::Duration::days(1)),
    });
    m.users
        .expect_by_login()
        .returning(move |_| Ok(Some((banned.clone(), "hash".into()))));
    m.login_history
        .expect_record()
        .withf(|a| a.failure_reason.as_deref() == Some("banned"))
        .returning(|_| Ok(()));
    let result = m
        .build()
        .login("ashakumar", "Secret123", ClientInfo::default())
        .await;
    assert!(
        matches!(result, Err(AppError::Identity(IdentityError::Banned { reason, .. })) if reason == "spam")
    );
}

#[tokio::test]
async fn successful_sign_in_starts_a_session_and_issues_tokens() {
    let mut m = Mocks::new();
    let u = user(&[Role::Learner]);
    let id = u.id;
    m.users
        .expect_by_login()
        .returning(move |_| Ok(Some((u.clone(), "hash".into()))));
    m.hasher
        .expect_verify()
        .with(eq("Secret123"), eq(Some("hash".to_owned())))
        .returning(|_, _| Ok(true));
    // One transaction: the session, the history row and the reset failure count.
    m.login_history.expect_record().never();
    m.auth_sessions
        .expect_start()
        .withf(move |s, a| {
            s.refresh_token_digest == "digest"
                && s.user_id == id
                && s.created_at == NOW
                && a.success
                && a.user_id == Some(id)
        })
        .times(1)
        .returning(|s, _| Ok(session(s.user_id)));
    m.access_tokens.expect_issue().returning(|_, _, _, _| {
        Ok(IssuedAccessToken {
            token: "jwt".into(),
            expires_in: 900,
        })
    });
    let pair = m
        .build()
        .login("asha@example.com", "Secret123", ClientInfo::default())
        .await
        .unwrap();
    assert_eq!(
        (
            pair.access_token.as_str(),
            pair.refresh_token.as_str(),
            pair.expires_in
        ),
        ("jwt", "plain-secret", 900)
    );
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_session() {
    let mut m = Mocks::new();
    let s = session(Uuid::now_v7());
    let (sid, uid) = (s.id, s.user_id);
    m.auth_sessions
        .expect_rotate()
        .withf(|r| r.presented_digest == "digest-of-stolen")
        .returning(move |_| Ok(RotationOutcome::Reused(s.clone())));
    m.auth_sessions
        .expect_revoke()
        .with(eq(uid), eq(sid), eq(NOW))
        .times(1)
        .returning(|_, _, _| Ok(()));
    assert_eq!(
        m.build().refresh("stolen").await,
        Err(AppError::Identity(IdentityError::InvalidRefreshToken))
    );
}

#[tokio::test]
async fn admin_rights_come_from_the_database_not_the_token() {
    let mut m = Mocks::new();
    let learner = user(&[Role::Learner]);
    let (uid, stored) = (learner.id, learner.clone());
    let s = session(uid);
    let sid = s.id;
    m.access_tokens.expect_verify().returning(move |_| {
        Ok(AccessClaims {
            user_id: uid,
            session_id: sid,
            roles: Roles::single(Role::Admin),
            expires_at: NOW,
        })
    });
    m.auth_sessions
        .expect_with_account()
        .returning(move |_| Ok(Some((s.clone(), stored.clone()))));
    m.users.expect_by_id().never();
    m.users.expect_search().never();
    let app = m.build();
    let caller = app.authenticate("token-claiming-admin").await.unwrap();
    let result = app
        .admin_list_users(
            &caller,
            UserQuery::default(),
            lyceum_ports::PageRequest::first(20),
        )
        .await;
    assert_eq!(result, Err(AppError::Forbidden));
}

#[tokio::test]
async fn a_revoked_session_ends_its_access_tokens() {
    let mut m = Mocks::new();
    let mut s = session(Uuid::now_v7());
    s.revoked_at = Some(NOW);
    let (uid, sid) = (s.user_id, s.id);
    m.access_tokens.expect_verify().returning(move |_| {
        Ok(AccessClaims {
            user_id: uid,
            session_id: sid,
            roles: Roles::default(),
            expires_at: NOW,
        })
    });
    let mut account = user(&[Role::Learner]);
    account.id = uid;
    m.auth_sessions
        .expect_with_account()
        .returning(move |_| Ok(Some((s.clone(), account.clone()))));
    assert_eq!(
        m.build().authenticate("t").await,
        Err(AppError::Unauthenticated)
    );
}

#[tokio::test]
async fn forgot_password_for_an_unknown_email_answers_the_same_and_sends_nothing() {
    let mut m = Mocks::new();
    m.users.expect_by_email().returning(|_| Ok(None));
    m.verification_tokens.expect_issue().never();
    assert_eq!(m.build().forgot_password("ghost@example.com").await, Ok(()));
}

#[tokio::test]
async fn password_reset_signs_the_account_out_everywhere() {
    let mut m = Mocks::new();
    let uid = Uuid::now_v7();
    m.hasher.expect_hash().returning(|_| Ok("new-hash".into()));
    // Token, new hash and the revocation of every session: one repository call, one
    // transaction (the adapter test checks the sessions end).
    m.verification_tokens
        .expect_reset_password()
        .with(
            eq("digest-of-reset-token"),
            eq("new-hash".to_owned()),
            eq(NOW),
        )
        .times(1)
        .returning(move |_, _, _| Ok(Some(uid)));
    m.users.expect_set_password_hash().never();
    m.auth_sessions.expect_revoke_all().never();
    assert_eq!(
        m.build().reset_password("reset-token", "NewSecret9").await,
        Ok(())
    );
}

#[tokio::test]
async fn a_used_reset_token_is_refused() {
    let mut m = Mocks::new();
    m.hasher.expect_hash().returning(|_| Ok("new-hash".into()));
    // The adapter spends the token and stores the hash in one transaction, or neither.
    m.verification_tokens
        .expect_reset_password()
        .times(1)
        .returning(|_, _, _| Ok(None));
    m.users.expect_set_password_hash().never();
    assert_eq!(
        m.build().reset_password("used", "NewSecret9").await,
        Err(AppError::Identity(IdentityError::InvalidVerificationToken))
    );
}

#[tokio::test]
async fn profile_update_reports_every_bad_field_and_saves_nothing() {
    let mut m = Mocks::new();
    m.users.expect_save_details().never();
    let patch = ProfilePatch {
        timezone: Some(Some("Mars/Olympus".into())),
        interests: Some((0..11).map(|i| format!("topic{i}")).collect()),
        bio: Some(Some("b".repeat(1001))),
        ..Default::default()
    };
    let Err(AppError::Validation(errors)) = m
        .build()
        .update_my_account(&actor(&[Role::Learner]), patch)
        .await
    else {
        panic!("expected a validation error")
    };
    assert_eq!(
        errors.field_codes(),
        [
            ("bio", "too_long"),
            ("timezone", "invalid_format"),
            ("interests", "too_long"),
        ]
    );
}

#[tokio::test]
async fn a_blank_text_clears_a_field_unless_it_holds_characters_the_field_refuses() {
    let mut m = Mocks::new();
    m.users.expect_save_details().never();
    let refused = ProfilePatch {
        location: Some(Some("\t".into())),
        designation: Some(Some("Engineer\r\nLead".into())),
        goals: Some(Some("Ship\u{1b}[1m it".into())),
        ..Default::default()
    };
    let Err(AppError::Validation(errors)) = m
        .build()
        .update_my_account(&actor(&[Role::Learner]), refused)
        .await
    else {
        panic!("expected a validation error")
    };
    assert_eq!(
        errors.field_codes(),
        [
            ("location", "invalid_characters"),
            ("designation", "invalid_characters"),
            ("goals", "invalid_characters"),
        ]
    );

    let mut m = Mocks::new();
    m.users
        .expect_save_details()
        .withf(|_, details, _| {
            details.profile.bio.is_none()
                && details.profile.goals.as_ref().map(|g| g.as_str())
                    == Some("Ship it.\n\tThen rest.")
        })
        .times(1)
        .returning(|_, _, _| Ok(user(&[Role::Learner])));
    let kept = ProfilePatch {
        bio: Some(Some("\n\r\n".into())),
        goals: Some(Some("Ship it.\n\tThen rest.\n".into())),
        ..Default::default()
    };
    m.build()
        .update_my_account(&actor(&[Role::Learner]), kept)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_ban_reason_may_span_lines_but_holds_no_other_control_character() {
    let mut m = Mocks::new();
    m.users.expect_set_ban().never();
    m.auth_sessions.expect_revoke_all().never();
    let request = BanInput {
        reason: "abuse\u{85}".into(),
        expires_at: None,
    };
    let Err(AppError::Validation(errors)) = m
        .build()
        .admin_ban(&actor(&[Role::Admin]), Uuid::now_v7(), request)
        .await
    else {
        panic!("expected a validation error")
    };
    assert_eq!(errors.field_codes(), [("reason", "invalid_characters")]);
}

#[tokio::test]
async fn a_specialization_description_is_multi_line_text() {
    let mut m = Mocks::new();
    m.specializations.expect_create().never();
    let admin = actor(&[Role::Admin]);
    let result = m
        .build()
        .create_specialization(&admin, "Databases", Some("Tables\u{0}".into()))
        .await;
    let Err(AppError::Validation(errors)) = result else {
        panic!("expected a validation error, got {result:?}")
    };
    assert_eq!(
        errors.field_codes(),
        [("description", "invalid_characters")]
    );
}

#[tokio::test]
async fn admin_cannot_remove_their_own_admin_role() {
    let m = Mocks::new();
    let admin = actor(&[Role::Admin]);
    let result = m
        .build()
        .admin_remove_role(&admin, admin.id(), Role::Admin)
        .await;
    assert!(matches!(
        result,
        Err(AppError::Identity(IdentityError::SelfDemotion))
    ));
}

#[tokio::test]
async fn ban_signs_the_user_out_everywhere() {
    let mut m = Mocks::new();
    let target = user(&[Role::Learner]);
    let tid = target.id;
    m.users
        .expect_set_ban()
        .withf(move |id, ban, _| *id == tid && ban.as_ref().is_some_and(|b| b.expires_at.is_none()))
        .returning(move |_, _, _| Ok(target.clone()));
    // Signing out is part of the ban's own transaction (the adapter's `set_ban`).
    m.auth_sessions.expect_revoke_all().never();
    let request = BanInput {
        reason: "abuse".into(),
        expires_at: None,
    };
    assert!(
        m.build()
            .admin_ban(&actor(&[Role::Admin]), tid, request)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn deduction_beyond_the_balance_is_refused_before_writing() {
    let mut m = Mocks::new();
    let uid = Uuid::now_v7();
    m.wallets
        .expect_wallet()
        .returning(move |id| Ok(Some(wallet_of(id, 2))));
    m.wallets.expect_append_ledger_entry().never();
    let deduct = Adjustment::new(AdjustmentDirection::Deduct, 3, "correction").unwrap();
    let result = m
        .build()
        .admin_adjust_wallet(&actor(&[Role::Admin]), uid, deduct, None)
        .await;
    assert_eq!(
        result,
        Err(AppError::Wallet(WalletError::InsufficientPoints {
            balance: 2,
            requested: 3
        }))
    );
}

#[tokio::test]
async fn idempotency_key_is_scoped_to_the_admin_and_sent_with_the_write() {
    let mut m = Mocks::new();
    let admin = actor(&[Role::Admin]);
    let scope = format!("wallet_adjustment:{}", admin.id());
    let uid = Uuid::now_v7();
    m.wallets
        .expect_wallet()
        .returning(move |id| Ok(Some(wallet_of(id, 0))));
    let recalled = scope.clone();
    m.idempotency_keys
        .expect_recall()
        .withf(move |c, _| c.scope == recalled && c.key == "k1")
        .times(1)
        .returning(|_, _| Ok(None));
    m.wallets
        .expect_append_ledger_entry()
        .withf(move |e, claim, _| {
            e.delta == 5
                && claim
                    .as_ref()
                    .is_some_and(|c| c.scope == scope && c.key == "k1" && c.fingerprint == "fp")
        })
        .times(1)
        .returning(|_, _, _| Err(RepoError::IdempotencyKeyMismatch));
    // A key that cannot be honoured is no answer to keep.
    m.idempotency_keys.expect_record_refusal().never();
    let grant = Adjustment::new(AdjustmentDirection::Grant, 5, "welcome").unwrap();
    let result = m
        .build()
        .admin_adjust_wallet(&admin, uid, grant, Some(keyed("k1", "fp", &render_debug)))
        .await;
    assert_eq!(
        result,
        Err(AppError::Idempotency(IdempotencyError::KeyReused))
    );
}

#[tokio::test]
async fn only_admins_adjust_wallets() {
    let mut m = Mocks::new();
    m.wallets.expect_append_ledger_entry().never();
    let grant = Adjustment::new(AdjustmentDirection::Grant, 5, "gift").unwrap();
    let result = m
        .build()
        .admin_adjust_wallet(&actor(&[Role::Mentor]), Uuid::now_v7(), grant, None)
        .await;
    assert_eq!(result, Err(AppError::Forbidden));
}

#[tokio::test]
async fn a_grant_that_would_overflow_the_balance_is_refused_even_with_a_key() {
    let mut m = Mocks::new();
    m.wallets
        .expect_wallet()
        .returning(move |id| Ok(Some(wallet_of(id, i64::MAX - 1))));
    m.wallets.expect_append_ledger_entry().never();
    m.idempotency_keys
        .expect_recall()
        .returning(|_, _| Ok(None));
    // A rule the use case applies while processing: the refusal is the key's answer.
    m.idempotency_keys
        .expect_record_refusal()
        .withf(|_, answer, _| answer.0.starts_with("Err(Validation("))
        .times(1)
        .returning(|_, _, _| Ok(()));
    let grant = Adjustment::new(AdjustmentDirection::Grant, 5, "too much").unwrap();
    let result = m
        .build()
        .admin_adjust_wallet(
            &actor(&[Role::Admin]),
            Uuid::now_v7(),
            grant,
            Some(keyed("k", "fp", &render_debug)),
        )
        .await;
    assert!(matches!(result, Err(AppError::Validation(_))), "{result:?}");
}
