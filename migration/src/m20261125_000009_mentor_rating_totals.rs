//! A mentor's rating summary kept on the mentor's row: the sum and count of the
//! `mentor_rating` of the feedback they received, updated in the transaction that stores
//! each feedback. Profiles, session pages and discovery read them instead of aggregating
//! the feedback on every request. Existing feedback is summed once here.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000009_mentor_rating_totals"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    MentorRatingSum,
    MentorRatingCount,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Users::MentorRatingSum, Users::MentorRatingCount] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(big_integer(column).default(0))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE users SET \
                 mentor_rating_sum = (SELECT COALESCE(SUM(f.mentor_rating), 0) FROM feedback f \
                                      WHERE f.mentor_id = users.id), \
                 mentor_rating_count = (SELECT COUNT(*) FROM feedback f \
                                        WHERE f.mentor_id = users.id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Users::MentorRatingCount, Users::MentorRatingSum] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
