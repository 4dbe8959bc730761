//! SeaORM entities of the mentoring tables (schema: `migration::m20261122_000003_mentoring`).

pub(crate) mod mentoring_sessions {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mentoring_sessions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub mentor_id: Uuid,
        pub title: String,
        pub description: String,
        pub specialization_id: Option<Uuid>,
        pub duration_minutes: i32,
        pub price_amount_minor: i64,
        pub price_currency: String,
        pub capacity: i32,
        pub seats_taken: i32,
        pub starts_at: TimeDateTimeWithTimeZone,
        pub ends_at: TimeDateTimeWithTimeZone,
        pub meeting_url: String,
        pub status: String,
        pub request_id: Option<Uuid>,
        pub view_count: i64,
        pub booking_count: i64,
        pub completed_booking_count: i64,
        pub rating_count: i64,
        pub rating_sum: i64,
        pub rating_avg_milli: i64,
        pub cancelled_at: Option<TimeDateTimeWithTimeZone>,
        pub cancelled_by: Option<Uuid>,
        pub created_at: TimeDateTimeWithTimeZone,
        pub updated_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod bookings {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "bookings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub session_id: Uuid,
        pub learner_id: Uuid,
        pub status: String,
        pub payment_status: String,
        pub amount_minor: i64,
        pub currency: String,
        pub hold_expires_at: Option<TimeDateTimeWithTimeZone>,
        pub payment_reference: Option<String>,
        pub cancelled_by: Option<Uuid>,
        pub cancellation_reason: Option<String>,
        pub cancelled_at: Option<TimeDateTimeWithTimeZone>,
        pub created_at: TimeDateTimeWithTimeZone,
        pub updated_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod mentorship_requests {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mentorship_requests")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub learner_id: Uuid,
        pub mentor_id: Uuid,
        pub subject: String,
        pub message: String,
        pub proposed_start: TimeDateTimeWithTimeZone,
        pub duration_minutes: i32,
        pub notes: Option<String>,
        pub status: String,
        pub response_message: Option<String>,
        pub session_id: Option<Uuid>,
        pub created_at: TimeDateTimeWithTimeZone,
        pub updated_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod mentor_availability {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mentor_availability")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub mentor_id: Uuid,
        pub timezone: String,
        pub windows: String,
        pub exceptions: String,
        pub updated_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod messages {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "messages")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub sender_id: Uuid,
        pub recipient_id: Uuid,
        pub body: String,
        pub created_at: TimeDateTimeWithTimeZone,
        pub read_at: Option<TimeDateTimeWithTimeZone>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod feedback {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "feedback")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub booking_id: Uuid,
        pub session_id: Uuid,
        pub mentor_id: Uuid,
        pub learner_id: Uuid,
        pub mentor_rating: i32,
        pub session_rating: i32,
        pub content_quality: i32,
        pub communication: i32,
        pub helpfulness: i32,
        pub platform_rating: i32,
        pub overall_experience: i32,
        pub would_recommend: bool,
        pub comments: Option<String>,
        pub improvement_suggestions: Option<String>,
        pub is_public: bool,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod learner_ratings {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "learner_ratings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub session_id: Uuid,
        pub rater_id: Uuid,
        pub ratee_id: Uuid,
        pub rating: i32,
        pub comment: Option<String>,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod calendar_feeds {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "calendar_feeds")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        pub digest: String,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
