//! Keyset pagination. Ids are UUIDv7, so "after this id" is a stable position in time
//! order that does not skip or repeat rows when new ones arrive between pages.

use uuid::Uuid;

/// Which page to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// At most this many items (the API bounds it to 1–100).
    pub limit: u64,
    /// Continue after this id (in the list's own order), or start at the beginning.
    pub after: Option<Uuid>,
}

impl PageRequest {
    /// The first page of `limit` items.
    pub fn first(limit: u64) -> Self {
        Self { limit, after: None }
    }
}

/// One page and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in the list's order.
    pub items: Vec<T>,
    /// The id to pass as `after` for the next page; `None` on the last page.
    pub next_after: Option<Uuid>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows: the extra row only proves that a next
    /// page exists, and is dropped.
    pub fn from_overfetch(mut rows: Vec<T>, limit: u64, id_of: impl Fn(&T) -> Uuid) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let has_more = rows.len() > limit;
        rows.truncate(limit);
        let next_after = if has_more {
            rows.last().map(&id_of)
        } else {
            None
        };
        Self {
            items: rows,
            next_after,
        }
    }

    /// Converts the items, keeping the position.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_after: self.next_after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_row_marks_a_next_page_and_is_dropped() {
        let ids: Vec<Uuid> = (0..3).map(Uuid::from_u128).collect();
        let page = Page::from_overfetch(ids.clone(), 2, |id| *id);
        assert_eq!(page.items, ids[..2]);
        assert_eq!(page.next_after, Some(ids[1]));
        let last = Page::from_overfetch(ids[..2].to_vec(), 2, |id| *id);
        assert_eq!(last.next_after, None);
    }
}
