//! `Idempotency-Key` on the wire: the first final answer to a keyed request is kept as it
//! was sent — status, headers and body — and a retry with the same key gets exactly that
//! again with `Idempotent-Replayed: true`. The application decides which answers are kept
//! (see `lyceum_app::idempotency`); this module only renders them and plays them back.

use lyceum_app::AppError;
use lyceum_app::idempotency::{Rendering, Reply};
use lyceum_ports::idempotency::StoredResponse;
use poem::http::{HeaderName, HeaderValue, StatusCode};
use poem::{IntoResponse, Response};
use poem_openapi::ApiResponse;
use poem_openapi::registry::{MetaResponses, Registry};
use serde::{Deserialize, Serialize};

use crate::problem::{ApiError, ApiResult};

/// The header that marks an answer given again.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// An answer as stored: what the client got, byte for byte.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

/// An operation's answer, or the first answer to its key given again. The document
/// describes `T`'s responses: a replay is one of them (or one of the errors), as sent the
/// first time.
pub enum Replayable<T> {
    /// Answered now.
    Fresh(T),
    /// The first answer to this key, with `Idempotent-Replayed: true`.
    Replayed(Response),
}

impl<T: ApiResponse> ApiResponse for Replayable<T> {
    fn meta() -> MetaResponses {
        T::meta()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: IntoResponse> IntoResponse for Replayable<T> {
    fn into_response(self) -> Response {
        match self {
            Self::Fresh(answer) => answer.into_response(),
            Self::Replayed(response) => response,
        }
    }
}

/// How a keyed operation's final outcome is rendered for keeping: `answer` is the success
/// as first sent (without the replay header), an error is its problem document.
pub fn render_with<T, R>(
    answer: impl Fn(&T) -> R + Send + Sync,
) -> impl Fn(&Result<T, AppError>) -> Rendering + Send + Sync
where
    R: IntoResponse,
{
    move |outcome| {
        let response = match outcome {
            Ok(value) => answer(value).into_response(),
            Err(error) => ApiError::from(error.clone()).into_response(),
        };
        Box::pin(stored(response))
    }
}

/// The response as kept: its status, its own headers (the pipeline adds the rest to every
/// answer, replays included) and its body.
async fn stored(response: Response) -> Result<StoredResponse, AppError> {
    let (parts, body) = response.into_parts();
    let body = body.into_string().await.map_err(AppError::internal)?;
    let headers = parts
        .headers
        .iter()
        .filter(|(name, _)| *name != REPLAYED_HEADER && *name != "content-length")
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
        .collect();
    let stored = Stored {
        status: parts.status.as_u16(),
        headers,
        body,
    };
    serde_json::to_string(&stored)
        .map(StoredResponse)
        .map_err(AppError::internal)
}

/// The kept answer, given again.
fn replayed(answer: &StoredResponse) -> ApiResult<Response> {
    let stored: Stored = serde_json::from_str(&answer.0).map_err(|error| {
        tracing::error!(%error, "a stored idempotent answer cannot be read");
        ApiError::internal()
    })?;
    let mut response = Response::builder()
        .status(StatusCode::from_u16(stored.status).map_err(|_| ApiError::internal())?)
        .body(stored.body);
    for (name, value) in stored.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
        .headers_mut()
        .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    Ok(response)
}

/// A keyed use case's reply as the operation's answer: `fresh` renders a result that ran
/// now, a replay is the kept answer.
pub fn reply<T, R>(reply: Reply<T>, fresh: impl FnOnce(T) -> R) -> ApiResult<Replayable<R>> {
    match reply {
        Reply::Fresh(value) => Ok(Replayable::Fresh(fresh(value))),
        Reply::Replayed(answer) => replayed(&answer).map(Replayable::Replayed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lyceum_app::Resource;

    async fn parts(response: Response) -> (StatusCode, Vec<(String, String)>, String) {
        let (parts, body) = response.into_parts();
        let mut headers: Vec<_> = parts
            .headers
            .iter()
            .filter(|(name, _)| *name != "content-length")
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
            .collect();
        headers.sort();
        (parts.status, headers, body.into_string().await.unwrap())
    }

    #[tokio::test]
    async fn a_replayed_refusal_is_the_first_answer_with_the_replay_header() {
        let render = render_with(|_: &()| StatusCode::CREATED);
        let refusal = Err(AppError::NotFound(Resource::User));
        let first = ApiError::from(AppError::NotFound(Resource::User)).into_response();
        let kept = render(&refusal).await.unwrap();
        let again = reply::<(), StatusCode>(Reply::Replayed(kept), |()| StatusCode::CREATED)
            .unwrap()
            .into_response();
        let (status, mut headers, body) = parts(again).await;
        assert!(headers.contains(&(REPLAYED_HEADER.into(), "true".into())));
        headers.retain(|(name, _)| name != REPLAYED_HEADER);
        assert_eq!((status, headers, body), parts(first).await);
    }

    #[tokio::test]
    async fn a_replayed_success_keeps_its_headers_and_body() {
        let render = render_with(|n: &u32| {
            Response::builder()
                .status(StatusCode::CREATED)
                .header("location", format!("/things/{n}"))
                .content_type("application/json; charset=utf-8")
                .body(format!("{{\"n\":{n}}}"))
        });
        let kept = render(&Ok(7)).await.unwrap();
        let again = reply::<u32, StatusCode>(Reply::Replayed(kept), |_| StatusCode::OK)
            .unwrap()
            .into_response();
        let (status, headers, body) = parts(again).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(
            headers,
            vec![
                (
                    "content-type".into(),
                    "application/json; charset=utf-8".into()
                ),
                (REPLAYED_HEADER.into(), "true".into()),
                ("location".into(), "/things/7".into()),
            ]
        );
        assert_eq!(body, r#"{"n":7}"#);
    }
}
