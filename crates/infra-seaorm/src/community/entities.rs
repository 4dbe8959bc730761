//! SeaORM entities of the community tables (schema: `migration::m20261122_000003_mentoring`, subjects from
//! `m20261123_000004_notification_subjects`).

pub(crate) mod notifications {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "notifications")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Uuid,
        pub kind: String,
        pub subject_kind: Option<String>,
        pub subject_id: Option<Uuid>,
        pub data: String,
        pub read_at: Option<TimeDateTimeWithTimeZone>,
        pub dedupe_key: Option<String>,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
