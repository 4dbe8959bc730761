//! Notifications store what they are about as a typed subject (kind + id) instead of an
//! API path, and no wording: the adapters word a notification for its reader when they
//! show it. Existing rows keep their subject, read back from the old `link`; their title
//! and message are dropped (the kind and data are enough to word them again).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement, Value};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000004_notification_subjects"
    }
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    SubjectKind,
    SubjectId,
}

/// The API paths the old rows stored, and the subject kind each one named.
const OLD_LINKS: &[(&str, &str)] = &[
    ("/api/v1/mentoring-sessions/", "mentoring_session"),
    ("/api/v1/bookings/", "booking"),
    ("/api/v1/mentorship-requests/", "mentorship_request"),
    ("/api/v1/me/conversations/", "conversation"),
    ("/api/v1/mentors/", "mentor_feedback"),
];

/// The subject an old link named, if any. A session's `/bookings` is its roster.
fn subject_of(link: &str) -> Option<(&'static str, uuid::Uuid)> {
    OLD_LINKS.iter().find_map(|(prefix, kind)| {
        let rest = link.strip_prefix(prefix)?;
        let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let kind = match (*kind, tail) {
            ("mentoring_session", "bookings") => "session_roster",
            _ => *kind,
        };
        Some((kind, uuid::Uuid::parse_str(id).ok()?))
    })
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ColumnDef::new(Notifications::SubjectKind)
                .string_len(32)
                .null()
                .to_owned(),
            ColumnDef::new(Notifications::SubjectId)
                .uuid()
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Notifications::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, link FROM notifications WHERE link IS NOT NULL",
            ))
            .await?;
        let update = match backend {
            sea_orm_migration::sea_orm::DatabaseBackend::Postgres => {
                "UPDATE notifications SET subject_kind = $1, subject_id = $2 WHERE id = $3"
            }
            _ => "UPDATE notifications SET subject_kind = ?, subject_id = ? WHERE id = ?",
        };
        for row in rows {
            let id: uuid::Uuid = row.try_get("", "id")?;
            let link: String = row.try_get("", "link")?;
            if let Some((kind, subject)) = subject_of(&link) {
                db.execute_raw(Statement::from_sql_and_values(
                    backend,
                    update,
                    [Value::from(kind), Value::from(subject), Value::from(id)],
                ))
                .await?;
            }
        }
        // One column per statement: SQLite alters one thing at a time.
        for column in ["title", "message", "link"] {
            db.execute_unprepared(&format!("ALTER TABLE notifications DROP COLUMN {column}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE notifications ADD COLUMN title TEXT NOT NULL DEFAULT ''",
        )
        .await?;
        db.execute_unprepared(
            "ALTER TABLE notifications ADD COLUMN message TEXT NOT NULL DEFAULT ''",
        )
        .await?;
        db.execute_unprepared("ALTER TABLE notifications ADD COLUMN link TEXT")
            .await?;
        for column in ["subject_id", "subject_kind"] {
            db.execute_unprepared(&format!("ALTER TABLE notifications DROP COLUMN {column}"))
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_links_name_their_subjects() {
        let id = uuid::Uuid::now_v7();
        assert_eq!(
            subject_of(&format!("/api/v1/mentoring-sessions/{id}/bookings")),
            Some(("session_roster", id))
        );
        assert_eq!(
            subject_of(&format!("/api/v1/mentoring-sessions/{id}")),
            Some(("mentoring_session", id))
        );
        assert_eq!(
            subject_of(&format!("/api/v1/mentors/{id}/feedback")),
            Some(("mentor_feedback", id))
        );
        assert_eq!(
            subject_of(&format!("/api/v1/me/conversations/{id}")),
            Some(("conversation", id))
        );
        assert_eq!(subject_of("/api/v1/elsewhere"), None);
        assert_eq!(subject_of("/api/v1/bookings/not-an-id"), None);
    }
}
