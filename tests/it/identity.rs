//! Identity over HTTP, on SQLite and (when configured) PostgreSQL: sign-up, sign-in,
//! tokens, recovery, profiles, specializations, certificates, billing, admin, my data.

use lyceum_e2e::{PASSWORD, TestDb, field_codes, on_each_backend, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_learner_registers_signs_in_and_sees_their_account_and_empty_wallet() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let created = app
            .post(
                "/api/v1/auth/register",
                None,
                json!({"email": "Asha@Example.com", "username": "ashakumar", "password": PASSWORD,
                       "first_name": "Asha", "last_name": "Kumar", "role": "learner", "phone_number": "+91 98765 43210"}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        let id = created.body["id"].as_str().unwrap().to_owned();
        assert_eq!(created.header("location"), Some(format!("/api/v1/users/{id}").as_str()));
        assert_eq!(created.body["email"], "asha@example.com");
        assert_eq!(created.body["roles"], json!(["learner"]));
        let text = created.body.to_string();
        assert!(!text.contains("password") && !text.contains("argon2"), "no password or hash in {text}");

        let tokens = app.login("ASHA@example.com", PASSWORD).await;
        assert_eq!(tokens.status, StatusCode::OK);
        assert_eq!(tokens.body["token_type"], "Bearer");
        assert_eq!(tokens.body["expires_in"], 900);
        let access = tokens.body["access_token"].as_str().unwrap();

        let me = app.get("/api/v1/me", Some(access)).await;
        assert_eq!((me.status, me.body["id"].as_str()), (StatusCode::OK, Some(id.as_str())));
        assert_eq!(me.body["phone_number"], "+919876543210");
        let wallet = app.get("/api/v1/me/wallet", Some(access)).await;
        assert_eq!(wallet.body["balance"], 0);
        let ledger = app.get("/api/v1/me/wallet/ledger", Some(access)).await;
        assert_eq!(ledger.body, json!({"items": []}), "the last page has no next_cursor, not a null one");
        assert_eq!(app.login("ashakumar", PASSWORD).await.status, StatusCode::OK, "username works as login");
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn registration_refuses_duplicates_ignoring_case_and_lists_every_invalid_field() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        app.register("ravi_mentor", "mentor").await;
        let dup_email = app
            .post("/api/v1/auth/register", None, json!({"email": "RAVI_MENTOR@example.com", "username": "another1", "password": PASSWORD, "first_name": "R", "last_name": "M", "role": "learner"}))
            .await;
        assert_eq!((dup_email.status, dup_email.code()), (StatusCode::CONFLICT, "user.email_taken"));
        let dup_name = app
            .post("/api/v1/auth/register", None, json!({"email": "other@example.com", "username": "Ravi_Mentor", "password": PASSWORD, "first_name": "R", "last_name": "M", "role": "learner"}))
            .await;
        assert_eq!((dup_name.status, dup_name.code()), (StatusCode::CONFLICT, "user.username_taken"));
        let invalid = app
            .post("/api/v1/auth/register", None, json!({"email": "not-an-email", "username": "9lives", "password": "password", "first_name": "", "last_name": "M", "role": "admin", "phone_number": "12345"}))
            .await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(invalid.header("content-type"), Some("application/problem+json"));
        assert_eq!(
            field_codes(&invalid),
            [
                ("email", "invalid_format"),
                ("first_name", "required"),
                ("password", "invalid_format"),
                ("phone_number", "invalid_format"),
                ("role", "invalid_choice"),
                ("username", "invalid_format"),
            ],
            "every invalid field at once, each with its rule"
        );
        let nobody = app.login("not-an-email", "password").await;
        assert_eq!(nobody.status, StatusCode::UNAUTHORIZED, "nothing was stored");
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn five_failed_sign_ins_lock_the_account_even_for_the_right_password() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        app.register("lockme_user", "learner").await;
        let unknown = app.login("ghost_user", "Whatever1").await;
        assert_eq!(
            (unknown.status, unknown.code()),
            (StatusCode::UNAUTHORIZED, "auth.invalid_credentials")
        );
        for attempt in 1..=4 {
            let wrong = app.login("lockme_user", "Wrong1234").await;
            assert_eq!(
                (wrong.status, wrong.code()),
                (StatusCode::UNAUTHORIZED, "auth.invalid_credentials"),
                "attempt {attempt}"
            );
        }
        let fifth = app.login("lockme_user", "Wrong1234").await;
        assert_eq!(
            (fifth.status, fifth.code()),
            (StatusCode::FORBIDDEN, "auth.account_locked")
        );
        let right = app.login("lockme_user", PASSWORD).await;
        assert_eq!(
            (right.status, right.code()),
            (StatusCode::FORBIDDEN, "auth.account_locked")
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_its_whole_session() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, access, first_refresh) = app.signed_up("rotate_user", "learner").await;
        let rotated = app
            .post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": first_refresh}),
            )
            .await;
        assert_eq!(rotated.status, StatusCode::OK);
        let second_refresh = rotated.body["refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(second_refresh, first_refresh);
        let new_access = rotated.body["access_token"].as_str().unwrap().to_owned();
        assert_eq!(
            app.get("/api/v1/me", Some(&new_access)).await.status,
            StatusCode::OK
        );

        let replay = app
            .post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": first_refresh}),
            )
            .await;
        assert_eq!(
            (replay.status, replay.code()),
            (StatusCode::UNAUTHORIZED, "auth.invalid_refresh_token")
        );
        let family = app
            .post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": second_refresh}),
            )
            .await;
        assert_eq!(
            family.status,
            StatusCode::UNAUTHORIZED,
            "the whole family is revoked"
        );
        assert_eq!(
            app.get("/api/v1/me", Some(&access)).await.status,
            StatusCode::UNAUTHORIZED,
            "its access tokens too"
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn devices_are_listed_and_can_be_signed_out_one_by_one() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, laptop, _) = app.signed_up("two_devices", "learner").await;
        let phone = app.login("two_devices", PASSWORD).await.body["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let sessions = app.get("/api/v1/me/auth-sessions", Some(&laptop)).await;
        let list = sessions.body.as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
        let other = list.iter().find(|s| s["current"] == false).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(list.iter().all(|s| s["ip"] == "127.0.0.1"));
        assert_eq!(
            app.delete(&format!("/api/v1/me/auth-sessions/{other}"), Some(&laptop))
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.get("/api/v1/me", Some(&phone)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.post("/api/v1/auth/logout", Some(&laptop), json!({}))
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.get("/api/v1/me", Some(&laptop)).await.status,
            StatusCode::UNAUTHORIZED
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn email_verification_and_password_reset_work_through_the_mail_outbox() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, access, refresh) = app.signed_up("mail_person", "learner").await;
        let email = "mail_person@example.com";
        let token = app.mailed_token(email).await;
        assert_eq!(
            app.post("/api/v1/auth/email/verify", None, json!({"token": token}))
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.get("/api/v1/me", Some(&access)).await.body["email_verified"],
            true
        );
        let again = app
            .post("/api/v1/auth/email/verify", None, json!({"token": token}))
            .await;
        assert_eq!(
            (again.status, again.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "auth.invalid_token"),
            "single use"
        );

        let unknown = app
            .post(
                "/api/v1/auth/password/forgot",
                None,
                json!({"email": "nobody@example.com"}),
            )
            .await;
        let known = app
            .post(
                "/api/v1/auth/password/forgot",
                None,
                json!({"email": email}),
            )
            .await;
        assert_eq!(
            (unknown.status, known.status),
            (StatusCode::ACCEPTED, StatusCode::ACCEPTED)
        );
        assert_eq!(
            unknown.body, known.body,
            "the answer does not reveal accounts"
        );
        let reset_token = app.mailed_token(email).await;
        let weak = app
            .post(
                "/api/v1/auth/password/reset",
                None,
                json!({"token": reset_token, "new_password": "weak"}),
            )
            .await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
        let reset = app
            .post(
                "/api/v1/auth/password/reset",
                None,
                json!({"token": reset_token, "new_password": "NewSecret9"}),
            )
            .await;
        assert_eq!(reset.status, StatusCode::NO_CONTENT);
        assert_eq!(
            app.post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": refresh})
            )
            .await
            .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.get("/api/v1/me", Some(&access)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.login(email, PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(app.login(email, "NewSecret9").await.status, StatusCode::OK);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn profile_updates_are_validated_and_cannot_touch_roles_or_balances() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (id, access, _) = app.signed_up("profile_me", "mentor").await;
        let updated = app
            .patch(
                "/api/v1/me",
                Some(&access),
                json!({"bio": "I teach Rust.", "timezone": "Asia/Kolkata", "expertise": ["Rust", "SQL"],
                       "hourly_rate": {"amount_minor": 150000, "currency": "INR"}, "github": "https://github.com/profile_me",
                       "phone_number": "+15551234567"}),
            )
            .await;
        assert_eq!(updated.status, StatusCode::OK, "{:?}", updated.body);
        assert_eq!(updated.body["profile"]["timezone"], "Asia/Kolkata");
        assert_eq!(updated.body["profile"]["hourly_rate"]["amount_minor"], 150000);

        let invalid = app.patch("/api/v1/me", Some(&access), json!({"timezone": "Mars/Base", "bio": "x".repeat(1001)})).await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_codes(&invalid), [("bio", "too_long")], "the schema's limit is checked first");
        let zone = app.patch("/api/v1/me", Some(&access), json!({"timezone": "Mars/Base"})).await;
        assert_eq!(field_codes(&zone), [("timezone", "invalid_format")], "then the use case's rules");
        let mass = app.patch("/api/v1/me", Some(&access), json!({"bio": "sneaky", "roles": ["admin"]})).await;
        assert_eq!(mass.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", mass.body);
        assert_eq!(field_codes(&mass), [("roles", "unknown_field")]);
        let balance = app.patch("/api/v1/me", Some(&access), json!({"balance": 1000})).await;
        assert_eq!(field_codes(&balance), [("balance", "unknown_field")]);
        let typed = app.patch("/api/v1/me", Some(&access), json!({"bio": 42, "github": true})).await;
        assert_eq!(
            field_codes(&typed),
            [("bio", "invalid_type"), ("github", "invalid_type")],
            "numbers and booleans are not stored as text"
        );
        let cleared = app.patch("/api/v1/me", Some(&access), json!({"phone_number": null})).await;
        assert_eq!(cleared.status, StatusCode::OK, "null clears a clearable field: {:?}", cleared.body);
        assert!(cleared.body["profile"].get("phone_number").is_none(), "and an absent value is omitted");
        let patched = app.patch("/api/v1/me", Some(&access), json!({"phone_number": "+15551234567"})).await;
        assert_eq!(patched.status, StatusCode::OK);
        let me = app.get("/api/v1/me", Some(&access)).await;
        assert_eq!(me.body["profile"]["bio"], "I teach Rust.", "refused updates changed nothing");
        assert_eq!(me.body["roles"], json!(["mentor"]));

        let cleared = app.patch("/api/v1/me", Some(&access), json!({"github": null})).await;
        assert_eq!(cleared.body["profile"]["social_links"]["github"], json!(null));

        let public = app.get(&format!("/api/v1/users/{id}"), None).await;
        assert_eq!(public.status, StatusCode::OK);
        let text = public.body.to_string();
        assert!(!text.contains("profile_me@example.com") && !text.contains("+15551234567"), "no private fields: {text}");
        assert_eq!(public.body["profile"]["expertise"], json!(["Rust", "SQL"]));
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn specializations_certificates_and_billing_address_belong_to_their_owner() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (id, access, _) = app.signed_up("catalog_user", "mentor").await;
        let all = app.get("/api/v1/specializations", None).await;
        let list = all.body.as_array().unwrap();
        assert_eq!(list.len(), 10);
        let databases = list.iter().find(|s| s["name"] == "Databases").unwrap()["id"].as_str().unwrap().to_owned();
        let added = app.post("/api/v1/me/specializations", Some(&access), json!({"specialization_id": databases})).await;
        assert_eq!(added.status, StatusCode::CREATED);
        let twice = app.post("/api/v1/me/specializations", Some(&access), json!({"specialization_id": databases})).await;
        assert_eq!((twice.status, twice.code()), (StatusCode::CONFLICT, "specialization.already_added"));
        let filtered = app.get(&format!("/api/v1/mentors?specialization={databases}"), None).await;
        assert_eq!(filtered.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(filtered.body["items"][0]["id"], id.as_str());

        let cert = app
            .post("/api/v1/me/certificates", Some(&access), json!({"title": "PostgreSQL Associate", "issuer": "EDB", "issue_date": "2024-05-01", "certificate_url": "https://certs.example.com/123"}))
            .await;
        assert_eq!(cert.status, StatusCode::CREATED, "{:?}", cert.body);
        let bad_cert = app
            .post("/api/v1/me/certificates", Some(&access), json!({"title": "X", "issuer": "Y", "issue_date": "2024-05-01", "certificate_url": "not a url"}))
            .await;
        assert_eq!(bad_cert.status, StatusCode::UNPROCESSABLE_ENTITY);
        let public = app.get(&format!("/api/v1/users/{id}"), None).await;
        assert_eq!(public.body["certificates"][0]["issuer"], "EDB");
        assert_eq!(public.body["specializations"][0]["name"], "Databases");

        let address = json!({"first_name": "Asha", "last_name": "K", "email": "billing@example.com", "address_line1": "1 MG Road",
                             "city": "Bengaluru", "state": "KA", "postal_code": "560001", "country": "IN"});
        assert_eq!(app.put("/api/v1/me/billing-address", Some(&access), address.clone()).await.status, StatusCode::CREATED);
        let mut moved = address.clone();
        moved["city"] = json!("Mysuru");
        let replaced = app.put("/api/v1/me/billing-address", Some(&access), moved).await;
        assert_eq!((replaced.status, replaced.body["city"].as_str()), (StatusCode::OK, Some("Mysuru")));
        assert!(!public.body.to_string().contains("billing@example.com"));
        assert_eq!(app.delete("/api/v1/me/billing-address", Some(&access)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(app.get("/api/v1/me/billing-address", Some(&access)).await.status, StatusCode::NOT_FOUND);

        let (_, other, _) = app.signed_up("other_user", "learner").await;
        let cert_id = cert.body["id"].as_str().unwrap();
        let stolen = app.delete(&format!("/api/v1/me/certificates/{cert_id}"), Some(&other)).await;
        assert_eq!(stolen.status, StatusCode::NOT_FOUND, "another user's certificate is not found");
        let create = app.post("/api/v1/specializations", Some(&other), json!({"name": "Quantum"})).await;
        assert_eq!(create.status, StatusCode::FORBIDDEN);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn admins_moderate_accounts_with_rights_read_from_the_database() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, admin) = app.admin("root_admin").await;
        let (target, target_token, _) = app.signed_up("naughty_one", "learner").await;
        assert_eq!(
            app.get("/api/v1/admin/users", Some(&target_token))
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        let found = app.get("/api/v1/admin/users?q=NAUGHTY", Some(&admin)).await;
        assert_eq!(found.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(found.body["items"][0]["id"], target.as_str());

        let spec = app
            .post(
                "/api/v1/specializations",
                Some(&admin),
                json!({"name": "Quantum computing"}),
            )
            .await;
        assert_eq!(spec.status, StatusCode::CREATED);
        let spec_id = spec.body["id"].as_str().unwrap();
        let dup = app
            .post(
                "/api/v1/specializations",
                Some(&admin),
                json!({"name": "quantum COMPUTING"}),
            )
            .await;
        assert_eq!(
            (dup.status, dup.code()),
            (StatusCode::CONFLICT, "specialization.name_taken")
        );
        let renamed = app
            .patch(
                &format!("/api/v1/specializations/{spec_id}"),
                Some(&admin),
                json!({"name": "Quantum"}),
            )
            .await;
        assert_eq!(renamed.body["name"], "Quantum");
        assert_eq!(
            app.delete(&format!("/api/v1/specializations/{spec_id}"), Some(&admin))
                .await
                .status,
            StatusCode::NO_CONTENT
        );

        let ban = app
            .post(
                &format!("/api/v1/admin/users/{target}/ban"),
                Some(&admin),
                json!({"reason": "spam"}),
            )
            .await;
        assert_eq!(ban.status, StatusCode::OK, "{:?}", ban.body);
        assert_eq!(ban.body["ban"]["reason"], "spam");
        let banned_login = app.login("naughty_one", PASSWORD).await;
        assert_eq!(
            (banned_login.status, banned_login.code()),
            (StatusCode::FORBIDDEN, "auth.banned")
        );
        assert_eq!(
            app.get("/api/v1/me", Some(&target_token)).await.status,
            StatusCode::UNAUTHORIZED,
            "sessions revoked"
        );
        assert_eq!(
            app.post(
                &format!("/api/v1/admin/users/{target}/unban"),
                Some(&admin),
                json!({})
            )
            .await
            .status,
            StatusCode::OK
        );
        assert_eq!(
            app.login("naughty_one", PASSWORD).await.status,
            StatusCode::OK
        );

        let expired_ban = app
            .post(
                &format!("/api/v1/admin/users/{target}/ban"),
                Some(&admin),
                json!({"reason": "x", "expires_at": "2000-01-01T00:00:00Z"}),
            )
            .await;
        assert_eq!(expired_ban.status, StatusCode::UNPROCESSABLE_ENTITY);

        let grant = app
            .post(
                &format!("/api/v1/admin/users/{target}/roles"),
                Some(&admin),
                json!({"role": "mentor"}),
            )
            .await;
        assert_eq!(grant.body["roles"], json!(["learner", "mentor"]));
        let mentors = app.get("/api/v1/mentors", None).await;
        assert!(
            mentors.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["id"] == target.as_str())
        );

        assert_eq!(
            app.delete(&format!("/api/v1/admin/users/{target}"), Some(&admin))
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.login("naughty_one", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.get(&format!("/api/v1/users/{target}"), None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let with_deleted = app
            .get(
                "/api/v1/admin/users?q=naughty&include_deleted=true",
                Some(&admin),
            )
            .await;
        assert!(with_deleted.body["items"][0]["deleted_at"].is_string());
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn my_data_can_be_exported_and_my_account_deleted() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (id, access, _) = app.signed_up("leaving_user", "learner").await;
        app.post("/api/v1/me/certificates", Some(&access), json!({"title": "T", "issuer": "I", "issue_date": "2023-01-01", "certificate_url": "https://x.example.com/c"})).await;
        let export = app.get("/api/v1/me/export", Some(&access)).await;
        assert_eq!(export.status, StatusCode::OK);
        assert_eq!(export.body["account"]["id"], id.as_str());
        assert_eq!(export.body["wallet"]["balance"], 0);
        assert_eq!(export.body["certificates"].as_array().unwrap().len(), 1);
        assert!(!export.body["login_history"].as_array().unwrap().is_empty());
        assert!(!export.body.to_string().contains("argon2"));

        assert_eq!(app.delete("/api/v1/me", Some(&access)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(app.login("leaving_user", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get(&format!("/api/v1/users/{id}"), None).await.status, StatusCode::NOT_FOUND);
        app.register("leaving_user", "learner").await;
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn mentor_directory_pages_with_cursor_and_link_header() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        for i in 0..5 {
            app.register(&format!("mentor_{i:04}"), "mentor").await;
        }
        app.register("just_learner", "learner").await;
        let first = app.get("/api/v1/mentors?limit=2", None).await;
        assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
        let link = first.header("link").unwrap().to_owned();
        assert!(link.ends_with("; rel=\"next\""), "{link}");
        let next_path = link
            .trim_start_matches('<')
            .split('>')
            .next()
            .unwrap()
            .to_owned();
        let second = app.get(&next_path, None).await;
        let third_cursor = second.body["next_cursor"].as_str().unwrap();
        let third = app
            .get(
                &format!("/api/v1/mentors?limit=2&cursor={third_cursor}"),
                None,
            )
            .await;
        assert_eq!(third.body["items"].as_array().unwrap().len(), 1);
        assert!(
            third.body.get("next_cursor").is_none(),
            "absent on the last page"
        );
        assert!(third.header("link").is_none());
        let names: Vec<String> = [&first, &second, &third]
            .iter()
            .flat_map(|p| {
                p.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["username"].as_str().unwrap().to_owned())
            })
            .collect();
        assert_eq!(
            names,
            [
                "mentor_0000",
                "mentor_0001",
                "mentor_0002",
                "mentor_0003",
                "mentor_0004"
            ]
        );
        let bad = app.get("/api/v1/mentors?cursor=nonsense", None).await;
        assert_eq!(
            (bad.status, bad.code()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "pagination.invalid_cursor"
            )
        );
        let rust = app.get("/api/v1/mentors?expertise=rust", None).await;
        assert_eq!(rust.body["items"].as_array().unwrap().len(), 0);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn auth_endpoints_are_rate_limited_per_address() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app_with(&db, |c| c.auth_rate_limit_per_minute = 3).await;
        for _ in 0..3 {
            assert_eq!(
                app.login("ghost_user", "Whatever1").await.status,
                StatusCode::UNAUTHORIZED
            );
        }
        let limited = app.login("ghost_user", "Whatever1").await;
        assert_eq!(
            (limited.status, limited.code()),
            (StatusCode::TOO_MANY_REQUESTS, "request.rate_limited")
        );
        let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry));
        assert_eq!(
            app.get("/api/v1/specializations", None).await.status,
            StatusCode::OK,
            "other endpoints unaffected"
        );
        app.stop().await;
    })
    .await;
}

/// The caller is read with one query on every request, never cached: a role granted, a
/// ban and a logout all apply to the very next request made with a token issued before.
#[tokio::test]
async fn role_changes_bans_and_logouts_apply_to_the_next_request_of_an_existing_token() {
    on_each_backend(|db: TestDb| async move {
        let app = spawn_app(&db).await;
        let (_, admin) = app.admin("root_admin").await;
        let (user_id, token, _) = app.signed_up("soon_mentor", "learner").await;
        let starts_at = (time::OffsetDateTime::now_utc() + time::Duration::days(30))
            .replace_nanosecond(0)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let session = json!({"title": "Lifetimes", "duration_minutes": 60,
                             "price": {"amount_minor": 0, "currency": "INR"}, "capacity": 3,
                             "starts_at": starts_at});
        let refused = app
            .post("/api/v1/mentoring-sessions", Some(&token), session.clone())
            .await;
        assert_eq!(refused.code(), "mentor.role_required");
        let grant = app
            .post(
                &format!("/api/v1/admin/users/{user_id}/roles"),
                Some(&admin),
                json!({"role": "mentor"}),
            )
            .await;
        assert_eq!(grant.status, StatusCode::OK, "{:?}", grant.body);
        let created = app
            .post("/api/v1/mentoring-sessions", Some(&token), session)
            .await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "the same token mentors at once: {:?}",
            created.body
        );

        let (other_id, other, _) = app.signed_up("soon_banned", "learner").await;
        assert_eq!(
            app.get("/api/v1/me", Some(&other)).await.status,
            StatusCode::OK
        );
        app.post(
            &format!("/api/v1/admin/users/{other_id}/ban"),
            Some(&admin),
            json!({"reason": "spam"}),
        )
        .await;
        assert_eq!(
            app.get("/api/v1/me", Some(&other)).await.status,
            StatusCode::UNAUTHORIZED
        );

        assert_eq!(
            app.post("/api/v1/auth/logout", Some(&token), json!({}))
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.get("/api/v1/me", Some(&token)).await.status,
            StatusCode::UNAUTHORIZED
        );
    })
    .await;
}
