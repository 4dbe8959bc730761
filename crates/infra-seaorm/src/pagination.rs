//! Keyset pagination by id: the one way the adapters read a page of a list.
//!
//! Ids are UUIDv7, so id order is creation order, and "after this id" is a position that
//! neither skips nor repeats rows when new ones arrive between two pages (an offset would).
//! The cursor a client holds is the last id of the previous page ([`PageRequest::after`],
//! encoded by the HTTP layer); this module only decides which rows follow it, so every
//! list pages the same way and the cursors stay interchangeable with the ones already
//! handed out. One row more than asked is read: it only proves that a next page exists,
//! and [`Page::from_overfetch`] drops it.

use lyceum_ports::{Page, PageRequest, RepoError};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use crate::database::unavailable;

/// Which way a list runs through its ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdOrder {
    /// Ascending ids: the next page holds newer (larger) ids.
    OldestFirst,
    /// Descending ids: the next page holds older (smaller) ids.
    NewestFirst,
}

/// The rows of one page of `select` (already filtered to the list), in `order` by its id
/// column `id`: those after `page.after`, at most `page.limit + 1` of them.
pub(crate) async fn page_rows<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    select: Select<E>,
    id: E::Column,
    order: IdOrder,
    page: PageRequest,
) -> Result<Vec<E::Model>, RepoError> {
    let mut select = select;
    if let Some(after) = page.after {
        select = select.filter(match order {
            IdOrder::OldestFirst => id.gt(after),
            IdOrder::NewestFirst => id.lt(after),
        });
    }
    let select = match order {
        IdOrder::OldestFirst => select.order_by_asc(id),
        IdOrder::NewestFirst => select.order_by_desc(id),
    };
    select
        .limit(page.limit.saturating_add(1))
        .all(conn)
        .await
        .map_err(unavailable)
}

/// The page made of `rows` (from [`page_rows`] with the same `page`), each read back
/// through `from_row`: every row, the extra one included, so a row the domain refuses
/// fails the read wherever it stands. The next cursor is the last kept item's `id_of`.
pub(crate) fn page_from_rows<M, T>(
    rows: Vec<M>,
    page: PageRequest,
    from_row: impl FnMut(M) -> Result<T, RepoError>,
    id_of: impl Fn(&T) -> Uuid,
) -> Result<Page<T>, RepoError> {
    let items = rows
        .into_iter()
        .map(from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(items, page.limit, id_of))
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::outbox::mail_outbox;
    use crate::testing::on_each_backend;

    /// The ids on every page of the mail sent to ann, following the cursors to the end.
    async fn walk(conn: &impl ConnectionTrait, order: IdOrder, limit: u64) -> Vec<Vec<u128>> {
        let mut pages = Vec::new();
        let mut page = PageRequest::first(limit);
        loop {
            let select = mail_outbox::Entity::find()
                .filter(mail_outbox::Column::Recipient.eq("ann@example.com"));
            let rows = page_rows(conn, select, mail_outbox::Column::Id, order, page)
                .await
                .unwrap();
            let found = page_from_rows(rows, page, Ok, |m| m.id).unwrap();
            pages.push(found.items.iter().map(|m| m.id.as_u128()).collect());
            match found.next_after {
                Some(after) => page.after = Some(after),
                None => return pages,
            }
        }
    }

    #[tokio::test]
    async fn pages_follow_the_cursor_in_both_orders_within_the_filter() {
        on_each_backend(|t| async move {
            let conn = t.database.connection();
            for n in 1..=6u128 {
                // Every third mail goes to someone else: the filter holds across pages.
                let recipient = if n % 3 == 0 {
                    "bob@example.com"
                } else {
                    "ann@example.com"
                };
                let id = Uuid::from_u128(n);
                mail_outbox::Entity::insert(mail_outbox::test_row(id, recipient))
                    .exec_without_returning(conn)
                    .await
                    .unwrap();
            }
            assert_eq!(
                walk(conn, IdOrder::OldestFirst, 2).await,
                vec![vec![1, 2], vec![4, 5]]
            );
            assert_eq!(
                walk(conn, IdOrder::NewestFirst, 3).await,
                vec![vec![5, 4, 2], vec![1]]
            );
            assert_eq!(
                walk(conn, IdOrder::OldestFirst, 10).await,
                vec![vec![1, 2, 4, 5]]
            );
        })
        .await;
    }
}
