//! Specializations, declared certificates, billing addresses, erasure and the outbox.

use lyceum_domain::identity::{
    BillingAddress, BillingAddressDetails, RawBillingAddress, SingleLineText, Specialization,
    SpecializationName, UserCertificate, WebUrl,
};
use lyceum_domain::wallet::LedgerEntryKind;
use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_infra_seaorm::{
    BillingAddressStore, CertificateStore, OutboxMailer, SpecializationStore, UserStore,
    WalletStore,
};
use lyceum_ports::identity::{
    BillingAddressRepository, CertificateRepository, SpecializationRepository, UserRepository,
};
use lyceum_ports::system::{MailMessage, OutgoingMail};
use lyceum_ports::wallet::{NewLedgerEntry, WalletRepository};
use lyceum_ports::{Conflict, PageRequest, RepoError};
use time::Duration;
use time::macros::date;
use uuid::Uuid;

use crate::common::{NOW, registered};

fn specialization(name: &str) -> Specialization {
    Specialization {
        id: Uuid::now_v7(),
        name: SpecializationName::parse(name).unwrap(),
        description: Some("what it covers".into()),
        created_at: NOW,
        updated_at: NOW,
    }
}

#[tokio::test]
async fn specialization_names_and_links_are_unique() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let store = SpecializationStore::new(&t.database);
        assert_eq!(store.list().await.unwrap().len(), 10);
        assert_eq!(
            store.create(specialization("DATABASES")).await,
            Err(RepoError::Conflict(Conflict::SpecializationNameTaken))
        );
        let game = store
            .create(specialization("Game development"))
            .await
            .unwrap();
        assert_eq!(store.by_id(game.id).await.unwrap(), Some(game.clone()));
        let renamed = store
            .update(
                game.id,
                SpecializationName::parse("Games").unwrap(),
                None,
                NOW + Duration::hours(1),
            )
            .await
            .unwrap();
        assert_eq!(
            (renamed.name.as_str(), renamed.description),
            ("Games", None)
        );
        assert_eq!(
            store
                .update(
                    game.id,
                    SpecializationName::parse("devops").unwrap(),
                    None,
                    NOW
                )
                .await,
            Err(RepoError::Conflict(Conflict::SpecializationNameTaken))
        );

        store.add_to_user(user.id, game.id, NOW).await.unwrap();
        assert_eq!(
            store.add_to_user(user.id, game.id, NOW).await,
            Err(RepoError::Conflict(Conflict::SpecializationAlreadyAdded))
        );
        assert_eq!(
            store.add_to_user(user.id, Uuid::now_v7(), NOW).await,
            Err(RepoError::NotFound)
        );
        assert_eq!(
            store
                .of_user(user.id)
                .await
                .unwrap()
                .iter()
                .map(|s| s.id)
                .collect::<Vec<_>>(),
            [game.id]
        );

        store.delete(game.id).await.unwrap();
        assert!(store.of_user(user.id).await.unwrap().is_empty());
        assert_eq!(store.delete(game.id).await, Err(RepoError::NotFound));
        assert_eq!(
            store.remove_from_user(user.id, game.id).await,
            Err(RepoError::NotFound)
        );
    })
    .await;
}

fn certificate(user_id: Uuid, title: &str, issued: time::Date) -> UserCertificate {
    UserCertificate {
        id: Uuid::now_v7(),
        user_id,
        title: SingleLineText::parse(title).unwrap(),
        issuer: SingleLineText::parse("Amazon").unwrap(),
        issue_date: issued,
        certificate_url: WebUrl::parse("https://aws.example/c/1").unwrap(),
        created_at: NOW,
        updated_at: NOW,
    }
}

#[tokio::test]
async fn certificates_are_newest_first_and_only_the_owner_removes_them() {
    on_each_backend(|t| async move {
        let users = UserStore::new(&t.database);
        let owner = registered(&users, 1).await;
        let stranger = registered(&users, 2).await;
        let store = CertificateStore::new(&t.database);
        let old = store
            .add(certificate(owner.id, "Old", date!(2020 - 01 - 01)))
            .await
            .unwrap();
        let new = store
            .add(certificate(owner.id, "New", date!(2024 - 06 - 30)))
            .await
            .unwrap();
        assert_eq!(
            store.of_user(owner.id).await.unwrap(),
            [new.clone(), old.clone()]
        );
        assert_eq!(
            store.remove(stranger.id, old.id).await,
            Err(RepoError::NotFound)
        );
        store.remove(owner.id, old.id).await.unwrap();
        assert_eq!(store.of_user(owner.id).await.unwrap(), [new]);
    })
    .await;
}

fn address(user_id: Uuid, city: &str) -> BillingAddress {
    let input = BillingAddressDetails::parse(RawBillingAddress {
        first_name: "Asha",
        last_name: "Kumar",
        email: "billing@example.com",
        address_line1: "12 MG Road",
        city,
        state: "Karnataka",
        postal_code: "560001",
        country: "IN",
        vat_number: Some("GST123"),
        ..Default::default()
    })
    .unwrap();
    BillingAddress {
        id: Uuid::now_v7(),
        user_id,
        address: input,
        created_at: NOW,
        updated_at: NOW,
    }
}

#[tokio::test]
async fn billing_address_is_created_once_then_replaced() {
    on_each_backend(|t| async move {
        let user = registered(&UserStore::new(&t.database), 1).await;
        let store = BillingAddressStore::new(&t.database);
        let (first, created) = store.put(address(user.id, "Bengaluru")).await.unwrap();
        assert!(created);
        let mut replacement = address(user.id, "Mysuru");
        replacement.updated_at = NOW + Duration::days(1);
        let (second, created) = store.put(replacement).await.unwrap();
        assert!(!created);
        assert_eq!((second.id, second.created_at), (first.id, first.created_at));
        assert_eq!(second.address.city.as_str(), "Mysuru");
        assert_eq!(store.of_user(user.id).await.unwrap(), Some(second));
        store.remove(user.id).await.unwrap();
        assert_eq!(store.remove(user.id).await, Err(RepoError::NotFound));
    })
    .await;
}

#[tokio::test]
async fn erasing_a_user_removes_what_only_they_own() {
    on_each_backend(|t| async move {
        let users = UserStore::new(&t.database);
        let wallets = WalletStore::new(&t.database);
        let specializations = SpecializationStore::new(&t.database);
        let admin = registered(&users, 1).await;
        let user = registered(&users, 2).await;
        let linked = specializations.list().await.unwrap()[0].id;
        specializations
            .add_to_user(user.id, linked, NOW)
            .await
            .unwrap();
        CertificateStore::new(&t.database)
            .add(certificate(user.id, "Cert", date!(2024 - 01 - 01)))
            .await
            .unwrap();
        BillingAddressStore::new(&t.database)
            .put(address(user.id, "Pune"))
            .await
            .unwrap();
        let grant = |user_id: Uuid, actor_id: Uuid| NewLedgerEntry {
            id: Uuid::now_v7(),
            user_id,
            delta: 5,
            kind: LedgerEntryKind::AdminGrant,
            reason: "welcome".into(),
            reference: None,
            actor_id: Some(actor_id),
        };
        // An entry in the erased user's own wallet, and one they made in a wallet that stays.
        wallets
            .append_ledger_entry(grant(user.id, admin.id), None, NOW)
            .await
            .unwrap();
        wallets
            .append_ledger_entry(grant(admin.id, user.id), None, NOW)
            .await
            .unwrap();

        users.erase(user.id).await.unwrap();
        assert_eq!(users.by_id(user.id).await.unwrap(), None);
        assert_eq!(wallets.wallet(user.id).await.unwrap(), None);
        assert!(
            wallets
                .ledger(user.id, PageRequest::first(10))
                .await
                .unwrap()
                .items
                .is_empty()
        );
        assert!(
            CertificateStore::new(&t.database)
                .of_user(user.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(specializations.of_user(user.id).await.unwrap().is_empty());
        assert_eq!(
            BillingAddressStore::new(&t.database)
                .of_user(user.id)
                .await
                .unwrap(),
            None
        );
        assert_eq!(specializations.list().await.unwrap().len(), 10);
        let admin_ledger = wallets
            .ledger(admin.id, PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(admin_ledger.items.len(), 1);
        assert_eq!(admin_ledger.items[0].actor_id, None);
        assert_eq!(users.erase(user.id).await, Err(RepoError::NotFound));
    })
    .await;
}

#[tokio::test]
async fn outbox_keeps_mail_as_facts_until_worded_then_newest_first() {
    on_each_backend(|t| async move {
        let mailer = OutboxMailer::new(&t.database);
        for (i, code) in ["first", "second"].into_iter().enumerate() {
            let mail = OutgoingMail {
                id: Uuid::now_v7(),
                to: "member1@example.com".into(),
                message: MailMessage::PasswordReset {
                    first_name: "Member".into(),
                    code: code.into(),
                    valid_for: Duration::minutes(30),
                },
                created_at: NOW + Duration::seconds(i as i64),
            };
            mailer.queue(mail).await.unwrap();
        }
        let unworded = mailer.unworded(10).await.unwrap();
        assert_eq!(unworded.len(), 2, "committed as facts, oldest first");
        assert!(
            matches!(&unworded[0].message, MailMessage::PasswordReset { code, valid_for, .. }
                         if code == "first" && *valid_for == Duration::minutes(30))
        );
        assert!(
            mailer
                .due_for_delivery(NOW, Duration::minutes(1), 10)
                .await
                .unwrap()
                .is_empty(),
            "nothing is delivered before it is worded"
        );
        for (mail, subject) in unworded.iter().zip(["Reset", "Reset again"]) {
            mailer
                .store_wording(mail.id, subject, "body")
                .await
                .unwrap();
            // A second relay's wording changes nothing.
            mailer
                .store_wording(mail.id, "other", "other")
                .await
                .unwrap();
        }
        assert!(mailer.unworded(10).await.unwrap().is_empty());
        let mails = mailer.sent_to("member1@example.com").await.unwrap();
        assert_eq!(
            mails.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(),
            ["Reset again", "Reset"]
        );
        let due = mailer
            .due_for_delivery(NOW, Duration::minutes(1), 10)
            .await
            .unwrap();
        assert_eq!(due.len(), 2);
        assert!(
            mailer
                .claim_attempt(due[0].id, NOW, Duration::minutes(1))
                .await
                .unwrap()
        );
        assert!(
            !mailer
                .claim_attempt(due[0].id, NOW, Duration::minutes(1))
                .await
                .unwrap(),
            "one relay claims an attempt"
        );
        assert!(
            mailer
                .claim_attempt(due[0].id, NOW + Duration::minutes(2), Duration::minutes(1))
                .await
                .unwrap(),
            "a failed attempt is retried after the pause"
        );
        mailer.mark_sent(mails[0].id, NOW).await.unwrap();
        assert!(mailer.mark_sent(Uuid::now_v7(), NOW).await.is_err());
        assert_eq!(
            mailer
                .due_for_delivery(NOW + Duration::hours(1), Duration::minutes(1), 10)
                .await
                .unwrap()
                .len(),
            1,
            "a sent mail is not due again"
        );
    })
    .await;
}
