//! Mentoring (sessions, bookings, mentorship requests, availability, messages, feedback,
//! learner ratings) and per-user notifications.
//!
//! The seat rules are guarded by the schema itself, not only by the adapter's
//! conditional updates: `CHECK (seats_taken >= 0 AND seats_taken <= capacity)` makes an
//! overbooked session impossible even for a buggy statement, and the partial unique
//! index `ux_bookings_live_learner` allows one live (pending or confirmed) booking per
//! learner and session while keeping cancelled ones as history. Unique indexes are named
//! `ux_<table>_<columns>` so that the adapters recognise which rule a violation broke.
//!
//! Discovery sorts by integer keys (start, price, `rating_avg_milli`, `booking_count`),
//! each behind an index ending in `id`, the keyset tie-breaker.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000003_mentoring"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Specializations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum MentoringSessions {
    Table,
    Id,
    MentorId,
    Title,
    Description,
    SpecializationId,
    DurationMinutes,
    PriceAmountMinor,
    PriceCurrency,
    Capacity,
    SeatsTaken,
    StartsAt,
    EndsAt,
    MeetingUrl,
    Status,
    RequestId,
    ViewCount,
    BookingCount,
    CompletedBookingCount,
    RatingCount,
    RatingSum,
    RatingAvgMilli,
    CancelledAt,
    CancelledBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Bookings {
    Table,
    Id,
    SessionId,
    LearnerId,
    Status,
    PaymentStatus,
    AmountMinor,
    Currency,
    HoldExpiresAt,
    PaymentReference,
    CancelledBy,
    CancellationReason,
    CancelledAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MentorshipRequests {
    Table,
    Id,
    LearnerId,
    MentorId,
    Subject,
    Message,
    ProposedStart,
    DurationMinutes,
    Notes,
    Status,
    ResponseMessage,
    SessionId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MentorAvailability {
    Table,
    MentorId,
    Timezone,
    Windows,
    Exceptions,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    SenderId,
    RecipientId,
    Body,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum Feedback {
    Table,
    Id,
    BookingId,
    SessionId,
    MentorId,
    LearnerId,
    MentorRating,
    SessionRating,
    ContentQuality,
    Communication,
    Helpfulness,
    PlatformRating,
    OverallExperience,
    WouldRecommend,
    Comments,
    ImprovementSuggestions,
    IsPublic,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LearnerRatings {
    Table,
    Id,
    SessionId,
    RaterId,
    RateeId,
    Rating,
    Comment,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    Title,
    Message,
    Link,
    Data,
    ReadAt,
    DedupeKey,
    CreatedAt,
}

/// A timestamp column (timestamptz on PostgreSQL, RFC 3339 text on SQLite).
fn at<T: IntoIden>(col: T) -> ColumnDef {
    timestamp_with_time_zone(col)
}

fn at_null<T: IntoIden>(col: T) -> ColumnDef {
    timestamp_with_time_zone_null(col)
}

/// A foreign key that disappears with the row it points at.
fn cascade<T, C, R, RC>(table: T, col: C, to: R, to_col: RC) -> ForeignKeyCreateStatement
where
    T: IntoIden + 'static,
    C: IntoIden + 'static,
    R: IntoIden + 'static,
    RC: IntoIden + 'static,
{
    ForeignKey::create()
        .from(table, col)
        .to(to, to_col)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// `CHECK (col BETWEEN 1 AND 5)`, for every score.
fn one_to_five(table: &str, col: &'static str) -> Check {
    Check::named(
        format!("ck_{table}_{col}"),
        Expr::col(Alias::new(col)).between(1, 5),
    )
}

fn index<T: IntoIden + 'static>(
    name: &str,
    table: T,
    cols: &[(&'static str, IndexOrder)],
) -> IndexCreateStatement {
    let mut index = Index::create().name(name).table(table).to_owned();
    for (col, order) in cols {
        index.col((Alias::new(*col), order.clone()));
    }
    index
}

fn asc(cols: &[&'static str]) -> Vec<(&'static str, IndexOrder)> {
    cols.iter().map(|c| (*c, IndexOrder::Asc)).collect()
}

fn unique_index<T: IntoIden + 'static>(
    name: &str,
    table: T,
    cols: &[&'static str],
) -> IndexCreateStatement {
    let mut index = Index::create().name(name).table(table).unique().to_owned();
    for col in cols {
        index.col(Alias::new(*col));
    }
    index
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use MentoringSessions as S;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(pk_uuid(S::Id))
                    .col(uuid(S::MentorId))
                    .col(text(S::Title))
                    .col(text(S::Description))
                    .col(uuid_null(S::SpecializationId))
                    .col(integer(S::DurationMinutes))
                    .col(big_integer(S::PriceAmountMinor))
                    .col(text(S::PriceCurrency))
                    .col(integer(S::Capacity))
                    .col(integer(S::SeatsTaken).default(0))
                    .col(at(S::StartsAt))
                    // Stored (= starts_at + duration) so that "ends before" and overlap
                    // queries are plain indexed comparisons on both backends.
                    .col(at(S::EndsAt))
                    .col(text(S::MeetingUrl))
                    .col(text(S::Status))
                    .col(uuid_null(S::RequestId))
                    .col(big_integer(S::ViewCount).default(0))
                    .col(big_integer(S::BookingCount).default(0))
                    .col(big_integer(S::CompletedBookingCount).default(0))
                    .col(big_integer(S::RatingCount).default(0))
                    .col(big_integer(S::RatingSum).default(0))
                    // Average session rating × 1000, rounded; 0 when unrated: the integer
                    // sort key of "best rated first".
                    .col(big_integer(S::RatingAvgMilli).default(0))
                    .col(at_null(S::CancelledAt))
                    .col(uuid_null(S::CancelledBy))
                    .col(at(S::CreatedAt))
                    .col(at(S::UpdatedAt))
                    .check(Check::named(
                        "ck_mentoring_sessions_price_non_negative",
                        Expr::col(S::PriceAmountMinor).gte(0),
                    ))
                    .check(Check::named(
                        "ck_mentoring_sessions_capacity",
                        Expr::col(S::Capacity).gte(1),
                    ))
                    .check(Check::named(
                        "ck_mentoring_sessions_seats",
                        Expr::col(S::SeatsTaken)
                            .gte(0)
                            .and(Expr::col(S::SeatsTaken).lte(Expr::col(S::Capacity))),
                    ))
                    .foreign_key(&mut cascade(S::Table, S::MentorId, Users::Table, Users::Id))
                    .foreign_key(
                        ForeignKey::create()
                            .from(S::Table, S::SpecializationId)
                            .to(Specializations::Table, Specializations::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // Meeting URLs are not unique: a mentor may bring the same personal room to every
        // session. Generated rooms are unique because they embed the session id.
        manager
            .create_index(index(
                "ix_mentoring_sessions_status_starts_at",
                S::Table,
                &asc(&["status", "starts_at", "id"]),
            ))
            .await?;
        manager
            .create_index(index(
                "ix_mentoring_sessions_mentor_id_starts_at",
                S::Table,
                &asc(&["mentor_id", "starts_at"]),
            ))
            .await?;
        manager
            .create_index(index(
                "ix_mentoring_sessions_price_amount_minor",
                S::Table,
                &asc(&["price_amount_minor", "id"]),
            ))
            .await?;
        // Descending keys with ascending ids: the exact order of the "rating" and
        // "popularity" sorts, so the keyset scan reads the index forwards.
        manager
            .create_index(index(
                "ix_mentoring_sessions_rating_avg_milli",
                S::Table,
                &[
                    ("rating_avg_milli", IndexOrder::Desc),
                    ("id", IndexOrder::Asc),
                ],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_mentoring_sessions_booking_count",
                S::Table,
                &[("booking_count", IndexOrder::Desc), ("id", IndexOrder::Asc)],
            ))
            .await?;

        use Bookings as B;
        manager
            .create_table(
                Table::create()
                    .table(B::Table)
                    .col(pk_uuid(B::Id))
                    .col(uuid(B::SessionId))
                    .col(uuid(B::LearnerId))
                    .col(text(B::Status))
                    .col(text(B::PaymentStatus))
                    .col(big_integer(B::AmountMinor))
                    .col(text(B::Currency))
                    .col(at_null(B::HoldExpiresAt))
                    .col(text_null(B::PaymentReference))
                    .col(uuid_null(B::CancelledBy))
                    .col(text_null(B::CancellationReason))
                    .col(at_null(B::CancelledAt))
                    .col(at(B::CreatedAt))
                    .col(at(B::UpdatedAt))
                    .check(Check::named(
                        "ck_bookings_amount_non_negative",
                        Expr::col(B::AmountMinor).gte(0),
                    ))
                    .foreign_key(&mut cascade(B::Table, B::SessionId, S::Table, S::Id))
                    .foreign_key(&mut cascade(
                        B::Table,
                        B::LearnerId,
                        Users::Table,
                        Users::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        // One live booking per learner and session; cancelled and completed ones stay as
        // history. Same partial-index syntax on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_bookings_live_learner ON bookings (session_id, learner_id) \
                 WHERE status IN ('pending', 'confirmed')",
            )
            .await?;
        manager
            .create_index(index(
                "ix_bookings_learner_id_id",
                B::Table,
                &asc(&["learner_id", "id"]),
            ))
            .await?;
        manager
            .create_index(index(
                "ix_bookings_session_id_id",
                B::Table,
                &asc(&["session_id", "id"]),
            ))
            .await?;
        manager
            .create_index(index(
                "ix_bookings_status_hold_expires_at",
                B::Table,
                &asc(&["status", "hold_expires_at"]),
            ))
            .await?;

        use MentorshipRequests as R;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .col(pk_uuid(R::Id))
                    .col(uuid(R::LearnerId))
                    .col(uuid(R::MentorId))
                    .col(text(R::Subject))
                    .col(text(R::Message))
                    .col(at(R::ProposedStart))
                    .col(integer(R::DurationMinutes))
                    .col(text_null(R::Notes))
                    .col(text(R::Status))
                    .col(text_null(R::ResponseMessage))
                    .col(uuid_null(R::SessionId))
                    .col(at(R::CreatedAt))
                    .col(at(R::UpdatedAt))
                    .foreign_key(&mut cascade(
                        R::Table,
                        R::LearnerId,
                        Users::Table,
                        Users::Id,
                    ))
                    .foreign_key(&mut cascade(R::Table, R::MentorId, Users::Table, Users::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_mentorship_requests_learner_id_id",
                R::Table,
                &asc(&["learner_id", "id"]),
            ))
            .await?;
        manager
            .create_index(index(
                "ix_mentorship_requests_mentor_id_id",
                R::Table,
                &asc(&["mentor_id", "id"]),
            ))
            .await?;

        use MentorAvailability as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(pk_uuid(A::MentorId))
                    .col(text(A::Timezone))
                    // JSON arrays kept as text: portable, and only ever read whole.
                    .col(text(A::Windows))
                    .col(text(A::Exceptions))
                    .col(at(A::UpdatedAt))
                    .foreign_key(&mut cascade(A::Table, A::MentorId, Users::Table, Users::Id))
                    .to_owned(),
            )
            .await?;

        use Messages as M;
        manager
            .create_table(
                Table::create()
                    .table(M::Table)
                    .col(pk_uuid(M::Id))
                    .col(uuid(M::SenderId))
                    .col(uuid(M::RecipientId))
                    .col(text(M::Body))
                    .col(at(M::CreatedAt))
                    .col(at_null(M::ReadAt))
                    .foreign_key(&mut cascade(M::Table, M::SenderId, Users::Table, Users::Id))
                    .foreign_key(&mut cascade(
                        M::Table,
                        M::RecipientId,
                        Users::Table,
                        Users::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_messages_sender_id_recipient_id_id",
                M::Table,
                &asc(&["sender_id", "recipient_id", "id"]),
            ))
            .await?;
        manager
            .create_index(index(
                "ix_messages_recipient_id_id",
                M::Table,
                &asc(&["recipient_id", "id"]),
            ))
            .await?;

        use Feedback as F;
        manager
            .create_table(
                Table::create()
                    .table(F::Table)
                    .col(pk_uuid(F::Id))
                    .col(uuid(F::BookingId))
                    .col(uuid(F::SessionId))
                    .col(uuid(F::MentorId))
                    .col(uuid(F::LearnerId))
                    .col(integer(F::MentorRating))
                    .col(integer(F::SessionRating))
                    .col(integer(F::ContentQuality))
                    .col(integer(F::Communication))
                    .col(integer(F::Helpfulness))
                    .col(integer(F::PlatformRating))
                    .col(integer(F::OverallExperience))
                    .col(boolean(F::WouldRecommend))
                    .col(text_null(F::Comments))
                    .col(text_null(F::ImprovementSuggestions))
                    .col(boolean(F::IsPublic))
                    .col(at(F::CreatedAt))
                    .check(one_to_five("feedback", "mentor_rating"))
                    .check(one_to_five("feedback", "session_rating"))
                    .check(one_to_five("feedback", "content_quality"))
                    .check(one_to_five("feedback", "communication"))
                    .check(one_to_five("feedback", "helpfulness"))
                    .check(one_to_five("feedback", "platform_rating"))
                    .check(one_to_five("feedback", "overall_experience"))
                    .foreign_key(&mut cascade(F::Table, F::BookingId, B::Table, B::Id))
                    .foreign_key(&mut cascade(F::Table, F::SessionId, S::Table, S::Id))
                    .foreign_key(&mut cascade(F::Table, F::MentorId, Users::Table, Users::Id))
                    .foreign_key(&mut cascade(
                        F::Table,
                        F::LearnerId,
                        Users::Table,
                        Users::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "ux_feedback_booking_id",
                F::Table,
                &["booking_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_feedback_mentor_id_id",
                F::Table,
                &asc(&["mentor_id", "id"]),
            ))
            .await?;

        use LearnerRatings as L;
        manager
            .create_table(
                Table::create()
                    .table(L::Table)
                    .col(pk_uuid(L::Id))
                    .col(uuid(L::SessionId))
                    .col(uuid(L::RaterId))
                    .col(uuid(L::RateeId))
                    .col(integer(L::Rating))
                    .col(text_null(L::Comment))
                    .col(at(L::CreatedAt))
                    .check(one_to_five("learner_ratings", "rating"))
                    .foreign_key(&mut cascade(L::Table, L::SessionId, S::Table, S::Id))
                    .foreign_key(&mut cascade(L::Table, L::RaterId, Users::Table, Users::Id))
                    .foreign_key(&mut cascade(L::Table, L::RateeId, Users::Table, Users::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "ux_learner_ratings_session_id_rater_id",
                L::Table,
                &["session_id", "rater_id"],
            ))
            .await?;

        use Notifications as N;
        manager
            .create_table(
                Table::create()
                    .table(N::Table)
                    .col(pk_uuid(N::Id))
                    .col(uuid(N::UserId))
                    .col(text(N::Kind))
                    .col(text(N::Title))
                    .col(text(N::Message))
                    .col(text_null(N::Link))
                    .col(text(N::Data))
                    .col(at_null(N::ReadAt))
                    .col(text_null(N::DedupeKey))
                    .col(at(N::CreatedAt))
                    .foreign_key(&mut cascade(N::Table, N::UserId, Users::Table, Users::Id))
                    .to_owned(),
            )
            .await?;
        // NULLs never collide, so only keyed notifications are deduplicated.
        manager
            .create_index(unique_index(
                "ux_notifications_dedupe_key",
                N::Table,
                &["dedupe_key"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_notifications_user_id_id",
                N::Table,
                &asc(&["user_id", "id"]),
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Notifications::Table.into_iden(),
            LearnerRatings::Table.into_iden(),
            Feedback::Table.into_iden(),
            Messages::Table.into_iden(),
            MentorAvailability::Table.into_iden(),
            MentorshipRequests::Table.into_iden(),
            Bookings::Table.into_iden(),
            MentoringSessions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
