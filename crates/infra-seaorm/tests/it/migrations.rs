//! The schema as migrated on each backend.

use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_infra_seaorm::{SpecializationStore, UserStore};
use lyceum_ports::identity::SpecializationRepository;
use sea_orm::{ConnectionTrait, Statement};

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
