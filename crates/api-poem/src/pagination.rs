//! Cursor pagination (docs/api-conventions.md): `?limit=&cursor=`, `{items, next_cursor}`
//! and an RFC 8288 `Link: <…>; rel="next"` header. Cursors are opaque to clients; today
//! they wrap the last id of the page, which can change without breaking anyone.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lyceum_app::{Page, PageRequest};
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use uuid::Uuid;

use crate::problem::ApiError;
use crate::responses::Listed;
use crate::shared::PageShape;
use lyceum_domain::validation::Violation;

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 20;

/// Largest page size. Every `limit` parameter declares `minimum: 1, maximum: 100` in the
/// document (poem-openapi takes the bound as a literal; a test keeps it equal to this).
pub const MAX_LIMIT: u32 = 100;

/// Turns `limit` and `cursor` query values into a page request.
pub fn page_request(limit: Option<u32>, cursor: Option<&str>) -> Result<PageRequest, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_input(
            &crate::errors::PAGINATION_INVALID_LIMIT,
            "limit",
            Violation::OutOfRange,
            "must be between 1 and 100",
        ));
    }
    let after = cursor.map(decode_cursor).transpose()?;
    Ok(PageRequest {
        limit: u64::from(limit),
        after,
    })
}

/// The opaque form of a position.
pub fn encode_cursor(after: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{after}"))
}

fn decode_cursor(cursor: &str) -> Result<Uuid, ApiError> {
    let invalid = || {
        ApiError::invalid_input(
            &crate::errors::PAGINATION_INVALID_CURSOR,
            "cursor",
            Violation::InvalidFormat,
            "is not a cursor this API returned",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix("v1:")
        .and_then(|id| Uuid::parse_str(id).ok())
        .ok_or_else(invalid)
}

/// The opaque form of a position in a sorted list: the sort key and the id.
pub fn encode_keyed_cursor(key: i64, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("k1:{key}:{id}"))
}

/// Reads a cursor made by [`encode_keyed_cursor`].
pub fn decode_keyed_cursor(cursor: &str) -> Result<(i64, Uuid), ApiError> {
    let invalid = || {
        ApiError::invalid_input(
            &crate::errors::PAGINATION_INVALID_CURSOR,
            "cursor",
            Violation::InvalidFormat,
            "is not a cursor this API returned",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let rest = text.strip_prefix("k1:").ok_or_else(invalid)?;
    let (key, id) = rest.split_once(':').ok_or_else(invalid)?;
    Ok((
        key.parse().map_err(|_| invalid())?,
        Uuid::parse_str(id).map_err(|_| invalid())?,
    ))
}

/// The `Link` header pointing at the next page of the current request, if there is one.
pub fn next_link(req: &Request, next_cursor: Option<&str>) -> Option<String> {
    let cursor = next_cursor?;
    let mut pairs: Vec<(String, String)> = req
        .uri()
        .query()
        .map(|q| {
            url_pairs(q)
                .into_iter()
                .filter(|(k, _)| k != "cursor")
                .collect()
        })
        .unwrap_or_default();
    pairs.push(("cursor".into(), cursor.to_owned()));
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    Some(format!(
        "<{}?{}>; rel=\"next\"",
        req.uri().path(),
        query.join("&")
    ))
}

/// The 200 answer for one page of an id-ordered list: each item converted by its
/// `From`, the next cursor, and the `Link` header.
pub fn listed<P, T>(req: &Request, found: Page<T>) -> Listed<P>
where
    P: PageShape + ToJSON + ParseFromJSON + Send + Sync,
    P::Item: for<'a> From<&'a T>,
{
    listed_with(req, found, |t| P::Item::from(t))
}

/// [`listed`], with each item converted by `out`.
pub fn listed_with<P, T>(req: &Request, found: Page<T>, out: impl Fn(&T) -> P::Item) -> Listed<P>
where
    P: PageShape + ToJSON + ParseFromJSON + Send + Sync,
{
    let next_cursor = found.next_after.map(encode_cursor);
    let link = next_link(req, next_cursor.as_deref());
    let items = found.items.iter().map(out).collect();
    Listed::Ok(Json(P::new(items, next_cursor)), link)
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (p.to_owned(), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_garbage_is_refused() {
        let id = Uuid::now_v7();
        let page = page_request(Some(5), Some(&encode_cursor(id))).unwrap();
        assert_eq!((page.limit, page.after), (5, Some(id)));
        assert!(page_request(None, Some("garbage!")).is_err());
        assert!(page_request(Some(0), None).is_err());
        assert!(page_request(Some(101), None).is_err());
    }

    /// Every parameter of the operations in the identity, wallet and mentoring contexts.
    fn parameters() -> Vec<(String, poem_openapi::registry::MetaOperationParam)> {
        use crate::identity::{AccountApi, AdminApi, AuthApi, CatalogueApi};
        use crate::mentoring::{BookingsApi, MentorsApi, MessagesApi, RequestsApi, SessionsApi};
        use poem_openapi::OpenApi;
        [
            AuthApi::meta(),
            AccountApi::meta(),
            CatalogueApi::meta(),
            AdminApi::meta(),
            crate::wallet::WalletApi::meta(),
            SessionsApi::meta(),
            BookingsApi::meta(),
            RequestsApi::meta(),
            MentorsApi::meta(),
            MessagesApi::meta(),
        ]
        .into_iter()
        .flatten()
        .flat_map(|api| api.paths)
        .flat_map(|path| {
            path.operations.into_iter().flat_map(move |op| {
                let at = format!("{} {}", op.method, path.path);
                op.params.into_iter().map(move |p| (at.clone(), p))
            })
        })
        .collect()
    }

    #[test]
    fn every_parameter_is_described_and_every_limit_is_bounded() {
        let params = parameters();
        assert!(params.len() > 30);
        for (at, param) in &params {
            assert!(
                param.description.is_some(),
                "{at}: {} has no description",
                param.name
            );
            if param.name == "limit" {
                let schema = serde_json::to_value(&param.schema).unwrap();
                assert_eq!(schema["minimum"], 1.0, "{at}");
                assert_eq!(schema["maximum"], f64::from(MAX_LIMIT), "{at}");
            }
        }
    }

    #[test]
    fn next_link_replaces_the_cursor_and_keeps_filters() {
        let req = Request::builder()
            .uri_str("/api/v1/mentors?limit=2&cursor=old&expertise=rust")
            .finish();
        let link = next_link(&req, Some("new")).unwrap();
        assert_eq!(
            link,
            "</api/v1/mentors?limit=2&expertise=rust&cursor=new>; rel=\"next\""
        );
        assert_eq!(next_link(&req, None), None);
    }
}
