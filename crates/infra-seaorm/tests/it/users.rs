//! Accounts: registration, sign-in bookkeeping, details, search and erasure.

use lyceum_domain::identity::{
    Ban, Email, Keywords, LockoutPolicy, PersonName, PhoneNumber, Profile, Role, Roles, Username,
};
use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_infra_seaorm::{
    AuthSessionStore, LoginAttemptStore, SpecializationStore, UserStore, WalletStore,
};
use lyceum_ports::identity::{
    AccountDetails, AuthSessionRepository, LoginAttempt, LoginAttemptRepository, MentorFilter,
    NewAuthSession, SpecializationRepository, UserQuery, UserRepository,
};
use lyceum_ports::outbox::Outbox;
use lyceum_ports::wallet::WalletRepository;
use lyceum_ports::{Conflict, PageRequest, RepoError};
use time::Duration;

use crate::common::{NOW, new_user, registered, with_phone};

#[tokio::test]
async fn registering_creates_an_empty_wallet() {
    on_each_backend(|t| async move {
        let users = UserStore::new(&t.database);
        let user = registered(&users, 1).await;
        assert_eq!(user.created_at, NOW);
        assert_eq!(users.by_id(user.id).await.unwrap(), Some(user.clone()));
        let wallet = WalletStore::new(&t.database)
            .wallet(user.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(wallet.balance.value(), 0);
    })
    .await;
}

#[tokio::test]
async fn duplicates_ignoring_case_are_conflicts() {
    on_each_backend(|t| async move {
        let users = UserStore::new(&t.database);
        users
            .register(
                with_phone(new_user(1), "+919876543210"),
                None,
                Outbox::empty(),
            )
            .await
            .unwrap();

        let mut same_email = new_user(2);
        same_email.email = Email::parse("MEMBER1@Example.com").unwrap();
        assert_eq!(
            users.register(same_email, None, Outbox::empty()).await,
            Err(RepoError::Conflict(Conflict::EmailTaken))
        );

        let mut same_username = new_user(3);
        same_username.username = Username::parse("mEMBER0001").unwrap();
        assert_eq!(
            users.register(same_username, None, Outbox::empty()).await,
            Err(RepoError::Conflict(Conflict::UsernameTaken))
        );

        let same_phone = with_phone(new_user(4), "+91 98765-43210");
        assert_eq!(
            users.register(same_phone, None, Outbox::empty()).await,
            Err(RepoError::Conflict(Conflict::PhoneTaken))
        );

        // Nothing of the refused registrations was left behind.
        let page = users
            .search(UserQuery::default(), PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn login_finds_by_email_or_username_ignoring_case() {
    on_each_backend(|t| async move {
        let users = UserStore::new(&t.database);
        let user = registered(&users, 7).await;
        let (by_email, hash) = users
            .by_login(" Member7@EXAMPLE.com ")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_email.id, user.id);
        assert!(hash.starts_with("$argon2id$"));
        let (by_username, _) = users.by_login("MEMBER0007").await.unwrap().unwrap();
        assert_eq!(by_username.id, user.id);
        assert_eq!(users.by_login("nobody@example.com").await.unwrap(), None);
        let email = Email::parse("member7@example.com").unwrap();
        assert_eq!(
            users.by_email(&email).await.unwrap().map(|u| u.id),
            Some(user.id)
        );
    })
    .await;
}

#[tokio::test]
async fn fifth_failure_locks_and_success_resets() {
    on_each_backend(|t| async move {
        let users = UserStore::new(&t.database);
        let user = registered(&users, 1).await;
        let policy = LockoutPolicy::default();
        for _ in 0..4 {
            assert_eq!(
                users
                    .record_login_failure(user.id, policy, NOW, failed(user.id))
                    .await
                    .unwrap(),
                None
            );
        }
        assert_eq!(
            users
                .by_id(user.id)
                .await
                .unwrap()
                .unwrap()
                .failed_login_count,
            4
        );
        let until = users
            .record_login_failure(user.id, policy, NOW, failed(user.id))
            .await
            .unwrap();
        assert_eq!(until, Some(NOW + Duration::minutes(15)));
        let locked = users.by_id(user.id).await.unwrap().unwrap();
        assert_eq!((locked.failed_login_count, locked.locked_until), (0, until));

        users
            .record_login_failure(user.id, policy, NOW, failed(user.id))
            .await
            .unwrap();
        AuthSessionStore::new(&t.database)
            .start(
                signed_in(user.id, NOW + Duration::hours(1)),
                attempt(user.id, None, NOW + Duration::hours(1)),
            )
            .await
            .unwrap();
        let back = users.by_id(user.id).await.unwrap().unwrap();
        assert_eq!(back.failed_login_count, 0);
        assert_eq!(back.locked_until, None);
        assert_eq!(back.last_login_at, Some(NOW + Duration::hours(1)));

        let history = LoginAttemptStore::new(&t.database)
            .for_user(user.id, 20)
            .await
            .unwrap();
        assert_eq!(
            history.iter().filter(|a| !a.success).count(),
            6,
            "each failure is in the history, written with its count"
        );
        assert_eq!(history.iter().filter(|a| a.success).count(), 1);
        let missing = users
            .record_login_failure(uuid::Uuid::now_v7(), policy, NOW, failed(user.id))
            .await;
        assert_eq!(missing, Err(RepoError::NotFound));
    })
    .await;
}

#[tokio::test]
async fn details_are_saved_and_a_taken_phone_is_refused() {
    on_each_backend(|t| async move {
        let users = UserStore::new(&t.database);
        let other = users
            .register(
                with_phone(new_user(1), "+15550000001"),
                None,
                Outbox::empty(),
            )
            .await
            .unwrap();
        let user = registered(&users, 2).await;
        let profile = Profile {
            expertise: Keywords::parse(&["Rust", "PostgreSQL"]).unwrap(),
            years_experience: Some(12),
            ..Profile::default()
        };
        let details = AccountDetails {
            first_name: PersonName::parse("Meera").unwrap(),
            last_name: PersonName::parse("Iyer").unwrap(),
            phone_number: Some(PhoneNumber::parse("+15550000002").unwrap()),
            profile: profile.clone(),
        };
        let later = NOW + Duration::minutes(5);
        let saved = users
            .save_details(user.id, details.clone(), later)
            .await
            .unwrap();
        assert_eq!(saved.first_name.as_str(), "Meera");
        assert_eq!(saved.profile, profile);
        assert_eq!(saved.updated_at, later);

        let taken = AccountDetails {
            phone_number: other.phone_number.clone(),
            ..details
        };
        assert_eq!(
            users.save_details(user.id, taken, later).await,
            Err(RepoError::Conflict(Conflict::PhoneTaken))
        );
    })
    .await;
}

#[tokio::test]
async fn bans_roles_and_soft_deletion_are_stored() {
    on_each_backend(|t| async move {
        let users = UserStore::new(&t.database);
        let user = registered(&users, 1).await;
        let ban = Ban {
            reason: "spam".into(),
            expires_at: Some(NOW + Duration::days(1)),
        };
        assert_eq!(
            users
                .set_ban(user.id, Some(ban.clone()), NOW)
                .await
                .unwrap()
                .ban,
            Some(ban)
        );
        assert_eq!(users.set_ban(user.id, None, NOW).await.unwrap().ban, None);
        let roles: Roles = [Role::Learner, Role::Mentor].into_iter().collect();
        assert_eq!(
            users
                .set_roles(user.id, roles.clone(), NOW)
                .await
                .unwrap()
                .roles,
            roles
        );
        users.soft_delete(user.id, NOW).await.unwrap();
        users
            .soft_delete(user.id, NOW + Duration::hours(1))
            .await
            .unwrap();
        assert_eq!(
            users.by_id(user.id).await.unwrap().unwrap().deleted_at,
            Some(NOW)
        );
        assert_eq!(
            users.soft_delete(uuid::Uuid::now_v7(), NOW).await,
            Err(RepoError::NotFound)
        );
    })
    .await;
}

#[tokio::test]
async fn admin_search_filters_and_pages_in_id_order() {
    on_each_backend(|t| async move {
        let users = UserStore::new(&t.database);
        let mut ids = Vec::new();
        for n in 1..=5 {
            ids.push(registered(&users, n).await.id);
        }
        let mentor: Roles = [Role::Learner, Role::Mentor].into_iter().collect();
        users.set_roles(ids[1], mentor.clone(), NOW).await.unwrap();
        users.set_roles(ids[3], mentor, NOW).await.unwrap();
        users.soft_delete(ids[4], NOW).await.unwrap();

        let first = users
            .search(UserQuery::default(), PageRequest::first(2))
            .await
            .unwrap();
        assert_eq!(
            first.items.iter().map(|u| u.id).collect::<Vec<_>>(),
            ids[..2]
        );
        let second = users
            .search(
                UserQuery::default(),
                PageRequest {
                    limit: 2,
                    after: first.next_after,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            second.items.iter().map(|u| u.id).collect::<Vec<_>>(),
            ids[2..4]
        );
        assert_eq!(second.next_after, None);

        let text = UserQuery {
            text: Some("KUMAR3".into()),
            ..Default::default()
        };
        let found = users.search(text, PageRequest::first(10)).await.unwrap();
        assert_eq!(
            found.items.iter().map(|u| u.id).collect::<Vec<_>>(),
            [ids[2]]
        );

        let wildcard = UserQuery {
            text: Some("%".into()),
            ..Default::default()
        };
        assert!(
            users
                .search(wildcard, PageRequest::first(10))
                .await
                .unwrap()
                .items
                .is_empty()
        );

        let mentors = UserQuery {
            role: Some(Role::Mentor),
            ..Default::default()
        };
        let found = users.search(mentors, PageRequest::first(10)).await.unwrap();
        assert_eq!(
            found.items.iter().map(|u| u.id).collect::<Vec<_>>(),
            [ids[1], ids[3]]
        );

        let all = UserQuery {
            include_deleted: true,
            ..Default::default()
        };
        assert_eq!(
            users
                .search(all, PageRequest::first(10))
                .await
                .unwrap()
                .items
                .len(),
            5
        );
    })
    .await;
}

#[tokio::test]
async fn mentor_directory_filters_by_specialization_and_expertise() {
    on_each_backend(|t| async move {
        let users = UserStore::new(&t.database);
        let specializations = SpecializationStore::new(&t.database);
        let databases = specializations
            .list()
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.name.as_str() == "Databases");
        let databases = databases.unwrap().id;
        let mentor: Roles = [Role::Mentor].into_iter().collect();
        let mut ids = Vec::new();
        for n in 1..=3 {
            let user = registered(&users, n).await;
            users.set_roles(user.id, mentor.clone(), NOW).await.unwrap();
            ids.push(user.id);
        }
        registered(&users, 4).await; // a learner
        specializations
            .add_to_user(ids[0], databases, NOW)
            .await
            .unwrap();
        let profile = Profile {
            expertise: Keywords::parse(&["PostgreSQL"]).unwrap(),
            ..Profile::default()
        };
        let user = users.by_id(ids[2]).await.unwrap().unwrap();
        let details = AccountDetails {
            first_name: user.first_name,
            last_name: user.last_name,
            phone_number: None,
            profile,
        };
        users.save_details(ids[2], details, NOW).await.unwrap();

        let all = users
            .mentors(MentorFilter::default(), PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(all.items.iter().map(|u| u.id).collect::<Vec<_>>(), ids);
        let by_link = MentorFilter {
            specialization_id: Some(databases),
            ..Default::default()
        };
        let found = users
            .mentors(by_link, PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(
            found.items.iter().map(|u| u.id).collect::<Vec<_>>(),
            [ids[0]]
        );
        let by_keyword = MentorFilter {
            expertise: Some("postgres".into()),
            ..Default::default()
        };
        let found = users
            .mentors(by_keyword, PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(
            found.items.iter().map(|u| u.id).collect::<Vec<_>>(),
            [ids[2]]
        );
    })
    .await;
}

fn attempt(user_id: uuid::Uuid, failure: Option<&str>, at: time::OffsetDateTime) -> LoginAttempt {
    LoginAttempt {
        id: uuid::Uuid::now_v7(),
        user_id: Some(user_id),
        login: "member1".into(),
        success: failure.is_none(),
        failure_reason: failure.map(str::to_owned),
        ip: None,
        user_agent: None,
        created_at: at,
    }
}

fn failed(user_id: uuid::Uuid) -> LoginAttempt {
    attempt(user_id, Some("invalid_credentials"), NOW)
}

fn signed_in(user_id: uuid::Uuid, at: time::OffsetDateTime) -> NewAuthSession {
    NewAuthSession {
        id: uuid::Uuid::now_v7(),
        user_id,
        refresh_token_id: uuid::Uuid::now_v7(),
        refresh_token_digest: format!("digest-{}", uuid::Uuid::now_v7()),
        ip: None,
        user_agent: None,
        created_at: at,
        expires_at: at + Duration::days(30),
    }
}
