//! The schema as migrated on each backend.

use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_infra_seaorm::{Backend, SpecializationStore, UserStore};
use lyceum_ports::identity::{SpecializationRepository, UserRepository};
use sea_orm::{ConnectionTrait, Statement, Value};

use crate::common;

#[tokio::test]
async fn predefined_specializations_are_seeded() {
    on_each_backend(|t| async move {
        let list = SpecializationStore::new(&t.database).list().await.unwrap();
        let mut names: Vec<String> = list.iter().map(|s| s.name.as_str().to_owned()).collect();
        names.sort();
        let mut expected: Vec<String> = lyceum_domain::identity::PREDEFINED_SPECIALIZATIONS
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        expected.sort();
        assert_eq!(names, expected);
    })
    .await;
}

#[tokio::test]
async fn migrating_twice_is_a_no_op() {
    on_each_backend(|t| async move {
        t.database.migrate().await.unwrap();
        t.database.ping().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_database_refuses_a_negative_balance() {
    on_each_backend(|t| async move {
        let user = common::registered(&UserStore::new(&t.database), 1).await;
        let conn = t.database.connection();
        let backend = conn.get_database_backend();
        let result = conn
            .execute_raw(Statement::from_sql_and_values(
                backend,
                "UPDATE wallets SET balance = -1 WHERE user_id = $1",
                [user.id.into()],
            ))
            .await;
        let error = result.expect_err("CHECK (balance >= 0) must refuse");
        assert!(
            error.to_string().to_lowercase().contains("check"),
            "{error}"
        );
    })
    .await;
}

#[tokio::test]
async fn text_stored_before_the_text_rule_is_rewritten_to_obey_it() {
    on_each_backend(|t| async move {
        let users = UserStore::new(&t.database);
        let user = common::registered(&users, 7).await;
        let conn = t.database.connection();
        let backend = conn.get_database_backend();
        let run = |sql: &str, values: Vec<Value>| {
            let statement = Statement::from_sql_and_values(backend, sql, values);
            async move { conn.execute_raw(statement).await.unwrap() }
        };
        // As an older Lyceum stored them: a tab in a name, a line feed in a location, a
        // bell in a bio, a tab inside a keyword; SQLite even kept U+0000.
        let last_name = if t.backend == Backend::Sqlite {
            "Ku\u{0}mar"
        } else {
            "Kumar"
        };
        run(
            "UPDATE users SET first_name = $1, last_name = $2 WHERE id = $3",
            vec!["Asha\tRani".into(), last_name.into(), user.id.into()],
        )
        .await;
        run(
            "UPDATE profiles SET location = $1, bio = $2, expertise = $3 WHERE user_id = $4",
            vec![
                "Benga\r\nluru".into(),
                "Hi\u{7}\n\tthere".into(),
                r#"["Rust\tasync","Go"]"#.into(),
                user.id.into(),
            ],
        )
        .await;
        assert!(
            users.by_id(user.id).await.is_err(),
            "the domain refuses the old text on the way out"
        );

        let changed = migration::rewrite_refused_text(conn).await.unwrap();
        let expected = if t.backend == Backend::Sqlite { 5 } else { 4 };
        assert_eq!(changed, expected);
        let read = users.by_id(user.id).await.unwrap().unwrap();
        assert_eq!(read.first_name.as_str(), "Asha Rani");
        assert_eq!(read.last_name.as_str(), "Kumar");
        let profile = &read.profile;
        assert_eq!(
            profile.location.as_ref().map(|l| l.as_str()),
            Some("Benga luru")
        );
        assert_eq!(
            profile.bio.as_ref().map(|b| b.as_str()),
            Some("Hi\n\tthere"),
            "line breaks and tabs stay where text may span lines"
        );
        assert_eq!(profile.expertise.as_slice(), ["Rust async", "Go"]);
        assert_eq!(
            migration::rewrite_refused_text(conn).await.unwrap(),
            0,
            "text that obeys the rule is left alone"
        );
    })
    .await;
}
