//! What every request passes through: a request id and a tracing span, the body size
//! limit, the per-address rate limit on auth endpoints, and the rendering of any error
//! that did not come from a use case as problem+json.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use poem::http::{HeaderValue, Method, StatusCode};
use poem::{Body, Endpoint, IntoResponse, Request, Response};
use tracing::Instrument;
use uuid::Uuid;

use lyceum_domain::validation::text::{ControlCharacters, TextKind};
use lyceum_domain::validation::{FieldRule, Violation};

use crate::problem::Problem;

/// The client's address as Lyceum trusts it (remote peer, or the first `X-Forwarded-For`
/// hop when the deployment says a proxy sets it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

/// Fixed-window request counter per client address.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    /// Allows `per_minute` requests per address per minute (0 disables the limit).
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` if the address may proceed, otherwise the seconds until it may.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let window = Duration::from_secs(60);
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = windows.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_minute {
            let left = window.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

/// Settings of the request pipeline.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// Limiter for `/api/v1/auth/*`.
    pub auth_limiter: Arc<RateLimiter>,
    /// Whether `X-Forwarded-For` is set by a trusted proxy.
    pub trust_forwarded_for: bool,
    /// The published document, whose body schemas every JSON request body must satisfy.
    pub contract: Arc<crate::contract::Contract>,
}

impl Pipeline {
    fn client_ip(&self, req: &Request) -> Option<IpAddr> {
        if self.trust_forwarded_for
            && let Some(ip) = req
                .header("x-forwarded-for")
                .and_then(|h| h.split(',').next())
                .and_then(|first| first.trim().parse().ok())
        {
            return Some(ip);
        }
        req.remote_addr().as_socket_addr().map(|addr| addr.ip())
    }

    /// Runs one request through the pipeline.
    pub async fn handle<E: Endpoint>(&self, next: &E, mut req: Request) -> poem::Result<Response> {
        let request_id = req
            .header("x-request-id")
            .filter(|id| {
                !id.is_empty() && id.len() <= 128 && id.chars().all(|c| c.is_ascii_graphic())
            })
            .map_or_else(|| Uuid::now_v7().to_string(), str::to_owned);
        let ip = self.client_ip(&req);
        req.extensions_mut().insert(ClientIp(ip));
        let path = req.uri().path().to_owned();
        let method = req.method().clone();
        let span = tracing::info_span!("request", id = %request_id, method = %req.method(), path = %loggable_path(req.uri().path()));
        let started = Instant::now();
        let mut response = async {
            if let Some(problem) = self.reject_early(&mut req, ip).await {
                return problem;
            }
            match next.call(req).await {
                Ok(resp) => resp.into_response(),
                Err(err) => self.render_error(err, &method, &path),
            }
        }
        .instrument(span.clone())
        .await;
        if response.status() == StatusCode::METHOD_NOT_ALLOWED
            && let Some(allowed) = self.contract.allowed_methods(&path)
            && let Ok(value) = HeaderValue::from_str(&allowed)
        {
            response.headers_mut().insert("allow", value);
        }
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert("x-request-id", value);
        }
        span.in_scope(|| {
            tracing::info!(
                status = response.status().as_u16(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "served"
            );
        });
        Ok(response)
    }

    async fn reject_early(&self, req: &mut Request, ip: Option<IpAddr>) -> Option<Response> {
        if req.uri().path().starts_with("/api/v1/auth/")
            && let Some(ip) = ip
            && let Err(retry_after) = self.auth_limiter.check(ip, Instant::now())
        {
            let problem = Problem::of(
                &crate::errors::REQUEST_RATE_LIMITED,
                format!(
                    "Too many sign-in requests from this address. Retry after {retry_after} seconds."
                ),
            );
            return Some(problem.into_response_with(Some(retry_after)));
        }
        // An Idempotency-Key that is not even text would otherwise be read as absent.
        if req
            .headers()
            .get("idempotency-key")
            .is_some_and(|key| key.to_str().is_err())
        {
            return Some(
                Problem::of(
                    &crate::errors::IDEMPOTENCY_INVALID_KEY,
                    "Idempotency-Key must be 1 to 255 visible ASCII characters",
                )
                .into_response_with(None),
            );
        }
        if let Some(name) = query_parameter_off_one_line(req.uri().query()) {
            let refusal = ControlCharacters(TextKind::SingleLine);
            return Some(
                Problem::invalid_field(&name, refusal.violation(), refusal.to_string())
                    .into_response_with(None),
            );
        }
        let too_large = || {
            Problem::from_status(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("Request bodies are limited to {} bytes.", self.body_limit),
            )
            .into_response_with(None)
        };
        let declared = req
            .header("content-length")
            .and_then(|v| v.parse::<usize>().ok());
        // Only writes carry bodies the document describes: find their operation once.
        let writes = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH);
        let operation = writes
            .then(|| self.contract.operation(req.method(), req.uri().path()))
            .flatten();
        let validated = operation.is_some_and(crate::contract::Operation::has_body_schema);
        let empty = match declared {
            Some(length) if length > self.body_limit => return Some(too_large()),
            Some(length) if !validated => length == 0,
            _ => {
                // No declared length (chunked), or a body to check: read at most the
                // limit before parsing.
                let body = req.take_body();
                match body.into_bytes_limit(self.body_limit).await {
                    Ok(bytes) => {
                        let empty = bytes.is_empty();
                        req.set_body(Body::from(bytes));
                        empty
                    }
                    Err(_) => return Some(too_large()),
                }
            }
        };
        if empty
            && req.header("content-type").is_none()
            && operation.is_some_and(crate::contract::Operation::requires_body)
        {
            // A body the operation needs was not sent at all.
            return Some(
                Problem::invalid_field(
                    "$",
                    Violation::Required,
                    "this operation needs a JSON body",
                )
                .into_response_with(None),
            );
        }
        if writes {
            treat_empty_write_as_empty_object(req, empty);
        }
        if let Some(operation) = operation.filter(|op| op.has_body_schema())
            && is_json(req)
        {
            return check_body(operation, req).await;
        }
        None
    }

    /// Renders an error that left the endpoint; a parameter poem-openapi could not read
    /// becomes a 422 naming it and saying, from the document, what it accepts (never the
    /// parser's own words).
    fn render_error(&self, err: poem::Error, method: &poem::http::Method, path: &str) -> Response {
        let refused = if let Some(error) = err.downcast_ref::<poem_openapi::error::ParsePathError>()
        {
            error
                .name
                .strip_prefix("param")
                .and_then(|index| index.parse().ok())
                .and_then(|index| self.contract.path_parameter_name(path, index))
                .map(|name| (name.to_owned(), error.reason.as_str()))
        } else {
            err.downcast_ref::<poem_openapi::error::ParseParamError>()
                .map(|error| (error.name.to_owned(), error.reason.as_str()))
        };
        match refused {
            Some((name, reason)) => {
                let message = self
                    .contract
                    .operation(method, path)
                    .and_then(|op| op.parameter_rule(&name))
                    .unwrap_or("is not a valid value here")
                    .to_owned();
                invalid_parameter(&name, reason, message)
            }
            None => render_error(err),
        }
    }
}

/// Holds a JSON body to its operation's schema: a body that is not JSON is a 400, one that
/// breaks the schema a 422 naming every invalid field. The handler then only sees bodies
/// the document allows.
async fn check_body(operation: &crate::contract::Operation, req: &mut Request) -> Option<Response> {
    let bytes = req.take_body().into_bytes().await.unwrap_or_default();
    let parsed = serde_json::from_slice::<serde_json::Value>(&bytes);
    req.set_body(Body::from(bytes));
    let mut body = match parsed {
        Ok(body) => body,
        Err(error) => {
            return Some(
                Problem::of(
                    &crate::errors::REQUEST_MALFORMED,
                    format!("The body is not valid JSON: {error}."),
                )
                .into_response_with(None),
            );
        }
    };
    let Some(fields) = operation.check_body(&body) else {
        // JSON Schema counts `4.0` as an integer; so does Lyceum: the handler gets `4`.
        if crate::contract::integral_floats_to_integers(&mut body)
            && let Ok(rewritten) = serde_json::to_vec(&body)
        {
            req.headers_mut().insert(
                "content-length",
                HeaderValue::from_str(&rewritten.len().to_string())
                    .unwrap_or(HeaderValue::from_static("0")),
            );
            req.set_body(Body::from(rewritten));
        }
        return None;
    };
    Some(
        Problem::invalid_fields(&crate::errors::REQUEST_VALIDATION, fields)
            .into_response_with(None),
    )
}

/// Action endpoints (`POST …/cancel`, `…/accept`, `…/read`) take an optional JSON body or
/// none; a client sending none at all means "no options", so an empty body without a
/// content type is read as `{}` instead of being refused as an unsupported media type.
/// (An operation whose body is required was refused before this.)
fn treat_empty_write_as_empty_object(req: &mut Request, empty: bool) {
    if empty && req.header("content-type").is_none() {
        req.headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
        req.headers_mut()
            .insert("content-length", HeaderValue::from_static("2"));
        req.set_body(Body::from_string("{}".to_owned()));
    }
}

/// The name of the first query parameter whose name or value is not one line of text
/// (the domain's single-line rule: no control character, no line separator), decoded as
/// the handlers decode it, without the characters it refuses. Such characters can only
/// arrive percent-encoded, so a query without `%` is passed over without decoding.
fn query_parameter_off_one_line(query: Option<&str>) -> Option<String> {
    let query = query.filter(|query| query.contains('%'))?;
    let one_line = TextKind::SingleLine;
    form_urlencoded::parse(query.as_bytes()).find_map(|(name, value)| {
        (one_line.check(&name).is_err() || one_line.check(&value).is_err())
            .then(|| name.chars().filter(|c| one_line.allows(*c)).collect())
    })
}

fn is_json(req: &Request) -> bool {
    req.header("content-type")
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| {
            let media = media.trim().to_ascii_lowercase();
            media == "application/json"
                || (media.starts_with("application/") && media.ends_with("+json"))
        })
}

/// The pipeline as a poem middleware.
#[derive(Debug, Clone)]
pub struct PipelineMiddleware(pub std::sync::Arc<Pipeline>);

impl<E: Endpoint> poem::Middleware<E> for PipelineMiddleware {
    type Output = PipelineEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        PipelineEndpoint {
            inner,
            pipeline: self.0.clone(),
        }
    }
}

/// An endpoint wrapped in the pipeline.
pub struct PipelineEndpoint<E> {
    inner: E,
    pipeline: std::sync::Arc<Pipeline>,
}

impl<E: Endpoint> Endpoint for PipelineEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        self.pipeline.handle(&self.inner, req).await
    }
}

/// Renders an error that left an endpoint: responses built by [`crate::problem::ApiError`]
/// pass through; anything else (routing, parsing, authorization header) becomes a
/// generic problem for its status.
pub fn render_error(err: poem::Error) -> Response {
    if err.is_from_response() {
        return err.into_response();
    }
    if let Some(payload) = err.downcast_ref::<poem_openapi::error::ParseRequestPayloadError>() {
        // The body is JSON and passed its schema, yet the operation could not read it.
        return Problem::invalid_field("$", Violation::InvalidType, payload.reason.clone())
            .into_response_with(None);
    }
    let status = err.status();
    if status.is_server_error() {
        tracing::error!(error = %err, "request failed");
    }
    Problem::from_status(status, err.to_string()).into_response_with(None)
}

/// The 422 for a query, header or path parameter poem-openapi could not read.
fn invalid_parameter(name: &str, reason: &str, message: String) -> Response {
    Problem::invalid_field(name, parameter_violation(reason), message).into_response_with(None)
}

/// The rule a parameter's value broke, from poem-openapi's reason for refusing it.
fn parameter_violation(reason: &str) -> Violation {
    if reason.contains("expects an input value") {
        Violation::Required
    } else if reason.contains("maximum") || reason.contains("minimum") {
        Violation::OutOfRange
    } else if reason.contains("maxLength") || reason.contains("max_length") {
        Violation::TooLong
    } else if reason.contains("minLength") || reason.contains("min_length") {
        Violation::TooShort
    } else if reason.contains("Expected input type") {
        Violation::InvalidType
    } else if reason.contains("variant") || reason.contains("enum") {
        Violation::InvalidChoice
    } else {
        Violation::InvalidFormat
    }
}

/// The path as logged. A calendar feed's path holds the secret that opens it, and logs
/// are read by more people than should open feeds: the token is left out.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    use crate::mentoring::calendar::FEED_PATH;
    match path.strip_prefix(FEED_PATH) {
        Some(token) if !token.is_empty() => format!("{FEED_PATH}[token]").into(),
        _ => path.into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn feed_tokens_are_kept_out_of_logged_paths() {
        assert_eq!(
            super::loggable_path("/api/v1/calendar-feeds/s3cret.ics"),
            "/api/v1/calendar-feeds/[token]"
        );
        assert_eq!(
            super::loggable_path("/api/v1/me/calendar.ics"),
            "/api/v1/me/calendar.ics"
        );
    }

    use super::*;

    #[test]
    fn a_query_parameter_that_is_not_one_line_names_itself() {
        let named = |query: &str| query_parameter_off_one_line(Some(query));
        for refused in [
            "%00",
            "%09",
            "%0A",
            "%0d",
            "%07",
            "%7F",
            "%C2%85",
            "%E2%80%A8",
        ] {
            assert_eq!(
                named(&format!("limit=5&q=ab{refused}c")).as_deref(),
                Some("q"),
                "{refused}"
            );
        }
        assert_eq!(named("q%0A=1").as_deref(), Some("q"));
        assert_eq!(named("limit=5&q=r%C3%BCst+lang%25"), None);
        assert_eq!(named("limit=5&q=abc"), None);
        assert_eq!(query_parameter_off_one_line(None), None);
    }

    #[test]
    fn limiter_refuses_past_the_limit_and_says_when_to_retry() {
        let limiter = RateLimiter::new(2);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let t0 = Instant::now();
        assert!(limiter.check(ip, t0).is_ok());
        assert!(limiter.check(ip, t0).is_ok());
        let retry = limiter.check(ip, t0 + Duration::from_secs(20)).unwrap_err();
        assert!((39..=41).contains(&retry), "{retry}");
        assert!(limiter.check(ip, t0 + Duration::from_secs(61)).is_ok());
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(limiter.check(other, t0).is_ok());
    }
}
