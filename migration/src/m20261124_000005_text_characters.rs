//! Stored text is brought under the one character rule for free text (docs/domain-model.md,
//! "Free text"). Lyceum used to accept control characters in every field (SQLite even kept
//! U+0000), and every row is read back through the domain's parsers, which now refuse
//! them: without this step, one old name with a tab in it would make every listing that
//! shows it fail.
//!
//! Each value the rule refuses is rewritten once, keeping what it says: in a one-line
//! column a run of tabs and line breaks becomes one space and other control characters
//! are dropped; in a column that may span lines, vertical tab, form feed and NEL become
//! line feeds and other refused control characters are dropped. The columns are those the
//! adapters read through a text parser. The rule is written out here, not imported: a
//! migration never depends on the domain crate.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000005_text_characters"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rewrite_refused_text(manager.get_connection()).await?;
        Ok(())
    }

    /// Nothing to undo: the rewritten values are valid text for every earlier version.
    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

/// How a column's text is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// One line.
    OneLine,
    /// May span lines.
    Lines,
    /// A JSON array of one-line keywords (profile expertise and interests).
    Keywords,
}

use Layout::{Keywords, Lines, OneLine};

/// A table whose text the adapters parse: its name, its key column and its text columns.
type Table = (
    &'static str,
    &'static str,
    &'static [(&'static str, Layout)],
);

/// Every table whose text the adapters parse.
const COLUMNS: &[Table] = &[
    (
        "users",
        "id",
        &[("first_name", OneLine), ("last_name", OneLine)],
    ),
    (
        "profiles",
        "user_id",
        &[
            ("bio", Lines),
            ("location", OneLine),
            ("designation", OneLine),
            ("domain", OneLine),
            ("goals", Lines),
            ("career_goals", Lines),
            ("expertise", Keywords),
            ("interests", Keywords),
        ],
    ),
    ("specializations", "id", &[("name", OneLine)]),
    (
        "user_certificates",
        "id",
        &[("title", OneLine), ("issuer", OneLine)],
    ),
    (
        "billing_addresses",
        "id",
        &[
            ("first_name", OneLine),
            ("last_name", OneLine),
            ("company_name", OneLine),
            ("address_line1", OneLine),
            ("address_line2", OneLine),
            ("city", OneLine),
            ("state", OneLine),
            ("postal_code", OneLine),
            ("vat_number", OneLine),
            ("notes", Lines),
        ],
    ),
    (
        "mentoring_sessions",
        "id",
        &[("title", OneLine), ("description", Lines)],
    ),
    ("bookings", "id", &[("cancellation_reason", Lines)]),
    (
        "mentorship_requests",
        "id",
        &[
            ("subject", OneLine),
            ("message", Lines),
            ("notes", Lines),
            ("response_message", Lines),
        ],
    ),
    ("messages", "id", &[("body", Lines)]),
    (
        "feedback",
        "id",
        &[("comments", Lines), ("improvement_suggestions", Lines)],
    ),
    ("learner_ratings", "id", &[("comment", Lines)]),
];

/// Rewrites every stored value the text rule refuses (see the module documentation);
/// returns how many values changed. Public so that the adapters' tests can run it on rows
/// written the way an older Lyceum wrote them.
pub async fn rewrite_refused_text<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let mut changed = 0;
    for (table, key, columns) in COLUMNS {
        for (column, layout) in *columns {
            // PostgreSQL finds the few values to change itself (it never stored U+0000);
            // SQLite has no regular expressions, so its rows are read and checked here.
            let select = match backend {
                DatabaseBackend::Postgres => Statement::from_sql_and_values(
                    backend,
                    format!("SELECT {key}, {column} FROM {table} WHERE {column} ~ $1"),
                    [Value::from(suspect_pattern(*layout))],
                ),
                _ => Statement::from_string(
                    backend,
                    format!("SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL"),
                ),
            };
            for row in db.query_all_raw(select).await? {
                let id: uuid::Uuid = row.try_get("", key)?;
                let text: String = row.try_get("", column)?;
                let Some(rewritten) = rewrite(*layout, &text) else {
                    continue;
                };
                let (sql, values) = if *table == "specializations" {
                    // The unique key is the name lower-cased, as the adapters write it.
                    (
                        format!("UPDATE {table} SET {column} = $1, name_key = $2 WHERE {key} = $3"),
                        vec![
                            Value::from(rewritten.clone()),
                            Value::from(rewritten.to_lowercase()),
                            Value::from(id),
                        ],
                    )
                } else {
                    (
                        format!("UPDATE {table} SET {column} = $1 WHERE {key} = $2"),
                        vec![Value::from(rewritten), Value::from(id)],
                    )
                };
                let sql = match backend {
                    DatabaseBackend::Postgres => sql,
                    _ => sql.replace("$1", "?").replace("$2", "?").replace("$3", "?"),
                };
                db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
                    .await?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

/// A PostgreSQL regular expression matching a value that may need rewriting (for keyword
/// lists, the JSON escape of a control character).
fn suspect_pattern(layout: Layout) -> String {
    match layout {
        OneLine => "[\u{1}-\u{1f}\u{7f}-\u{9f}\u{2028}\u{2029}]".to_owned(),
        Lines => "[\u{1}-\u{8}\u{b}\u{c}\u{e}-\u{1f}\u{7f}-\u{9f}]".to_owned(),
        Keywords => "\\\\[trnbfu]|[\u{7f}-\u{9f}\u{2028}\u{2029}]".to_owned(),
    }
}

/// The value under the rule, or `None` when it already obeys it (or, for keywords, is not
/// a JSON list of texts, which the adapters report as it is).
fn rewrite(layout: Layout, text: &str) -> Option<String> {
    let rewritten = match layout {
        OneLine => one_line(text),
        Lines => lines(text),
        Keywords => {
            let words: Vec<String> = serde_json::from_str(text).ok()?;
            let words: Vec<String> = words.iter().map(|word| one_line(word)).collect();
            serde_json::to_string(&words).ok()?
        }
    };
    (rewritten != text).then_some(rewritten)
}

/// `text` on one line: each run of tabs and line breaks becomes one space, every other
/// control character is dropped.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_break = false;
    for c in text.chars() {
        if matches!(
            c,
            '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'
        ) {
            if !in_break {
                out.push(' ');
            }
            in_break = true;
            continue;
        }
        in_break = false;
        if !c.is_control() {
            out.push(c);
        }
    }
    out
}

/// `text` with only the control characters multi-line text keeps (TAB, LF, CR): vertical
/// tab, form feed and NEL become line feeds, the others are dropped.
fn lines(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(c),
            '\u{b}' | '\u{c}' | '\u{85}' => Some('\n'),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_text_keeps_its_words_apart() {
        assert_eq!(one_line("Asha\tKumar"), "Asha Kumar");
        assert_eq!(one_line("Line 1\r\nLine 2"), "Line 1 Line 2");
        assert_eq!(one_line("Ring\u{7}\u{0}ing\u{9f}"), "Ringing");
        assert_eq!(one_line("a\u{2028}b"), "a b");
        assert_eq!(rewrite(OneLine, "Åsa Øberg"), None, "valid text stays");
    }

    #[test]
    fn multi_line_text_keeps_tabs_and_line_breaks() {
        assert_eq!(lines("Day 1:\n\tOwnership\r\n"), "Day 1:\n\tOwnership\r\n");
        assert_eq!(lines("a\u{b}b\u{c}c\u{85}d"), "a\nb\nc\nd");
        assert_eq!(lines("Bell\u{7}\u{0}\u{1b}[1m"), "Bell[1m");
        assert_eq!(rewrite(Lines, "a\u{2028}b"), None, "separators are allowed");
    }

    #[test]
    fn keywords_are_rewritten_inside_their_json() {
        assert_eq!(
            rewrite(Keywords, r#"["Rust\tasync","Go"]"#).as_deref(),
            Some(r#"["Rust async","Go"]"#)
        );
        assert_eq!(rewrite(Keywords, r#"["Rust","Go"]"#), None);
        assert_eq!(rewrite(Keywords, "not json"), None);
    }
}
