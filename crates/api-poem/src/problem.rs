//! RFC 9457 problem details: the only place where HTTP statuses and error codes are
//! chosen. Every error a client sees — from a use case, a malformed request, the router
//! or a middleware — leaves through here as `application/problem+json`.

use lyceum_app::AppError;
use poem::Response;
use poem::http::StatusCode;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The problem+json media type.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field.
#[derive(Debug, Clone, Object)]
pub struct FieldProblem {
    /// The request field, as sent (`email`, `timezone`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// An RFC 9457 problem.
#[derive(Debug, Clone, Object)]
pub struct Problem {
    /// A URI naming the problem type.
    #[oai(rename = "type")]
    pub kind: String,
    /// Short summary of the problem type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened this time, for people.
    pub detail: String,
    /// Stable machine-readable code, e.g. `user.email_taken`.
    pub code: String,
    /// Field problems, on validation failures.
    #[oai(skip_serializing_if_is_empty)]
    pub errors: Vec<FieldProblem>,
}

impl Problem {
    /// A problem with a status, code and explanation.
    pub fn new(status: StatusCode, code: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!(
                "https://lyceum.dev/problems/{}",
                code.replace(['.', '_'], "-")
            ),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            errors: Vec::new(),
        }
    }

    /// Renders the problem as a response with the right media type.
    pub fn into_response_with(self, retry_after: Option<u64>) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self.to_json()).unwrap_or_default();
        let mut builder = Response::builder()
            .status(status)
            .content_type(PROBLEM_JSON);
        if let Some(seconds) = retry_after {
            builder = builder.header("Retry-After", seconds.to_string());
        }
        builder.body(body)
    }

    fn to_json(&self) -> serde_json::Value {
        let mut value = serde_json::json!({
            "type": self.kind, "title": self.title, "status": self.status,
            "detail": self.detail, "code": self.code,
        });
        if !self.errors.is_empty() {
            value["errors"] = serde_json::json!(
                self.errors
                    .iter()
                    .map(|e| serde_json::json!({"field": e.field, "message": e.message}))
                    .collect::<Vec<_>>()
            );
        }
        value
    }

    /// The generic problem for a status produced outside the use cases (router, body
    /// parsing, authorization header). Only 4xx details are passed on: they describe the
    /// client's request. Anything else says nothing about the server's internals.
    pub fn from_status(status: StatusCode, detail: String) -> Self {
        match status.as_u16() {
            400 => Problem::new(status, "request.malformed", "Malformed request", detail),
            401 => Problem::new(
                status,
                "auth.unauthenticated",
                "Authentication required",
                "A valid bearer access token is required.",
            ),
            404 => Problem::new(
                status,
                "request.not_found",
                "Not found",
                "No such resource.",
            ),
            405 => Problem::new(
                status,
                "request.method_not_allowed",
                "Method not allowed",
                detail,
            ),
            413 => Problem::new(
                status,
                "request.too_large",
                "Request body too large",
                detail,
            ),
            415 => Problem::new(
                status,
                "request.unsupported_media_type",
                "Unsupported media type",
                detail,
            ),
            s if (400..500).contains(&s) => {
                Problem::new(status, "request.invalid", "Invalid request", detail)
            }
            _ => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server.internal",
                "Internal server error",
                "Something went wrong on our side. It has been logged.",
            ),
        }
    }
}

fn time_text(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// The error side of every operation, documented so generated clients know each shape.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// Malformed body or parameters.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// Missing, invalid or expired credentials.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// Signed in but not allowed, banned or locked.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// Not found (also for what the caller may not see).
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// Conflict with the current state: duplicates, insufficient points, idempotency.
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// Well-formed but invalid values, listed per field.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Too many requests; retry after the given number of seconds.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>, #[oai(header = "Retry-After")] u64),
    /// Unexpected failure; carries no internals.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
}

impl ApiError {
    fn from_problem(problem: Problem) -> Self {
        let json = Json(problem);
        match json.0.status {
            400 => Self::BadRequest(json),
            401 => Self::Unauthorized(json),
            403 => Self::Forbidden(json),
            404 => Self::NotFound(json),
            409 => Self::Conflict(json),
            422 => Self::Unprocessable(json),
            _ => Self::Internal(json),
        }
    }

    /// A 400 about a query parameter or header the handler checked itself.
    pub fn bad_request(code: &str, detail: impl Into<String>) -> Self {
        Self::from_problem(Problem::new(
            StatusCode::BAD_REQUEST,
            code,
            "Malformed request",
            detail,
        ))
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        use StatusCode as S;
        let problem = match error {
            AppError::Validation(errors) => {
                let mut p = Problem::new(
                    S::UNPROCESSABLE_ENTITY,
                    "request.validation",
                    "Invalid values",
                    "Some fields are invalid; see `errors`.",
                );
                p.errors = errors
                    .into_vec()
                    .into_iter()
                    .map(|e| FieldProblem {
                        field: e.field,
                        message: e.message,
                    })
                    .collect();
                p
            }
            AppError::Unauthenticated => Problem::from_status(S::UNAUTHORIZED, String::new()),
            AppError::InvalidCredentials => Problem::new(
                S::UNAUTHORIZED,
                "auth.invalid_credentials",
                "Invalid credentials",
                "The login or the password is wrong.",
            ),
            AppError::InvalidRefreshToken => Problem::new(
                S::UNAUTHORIZED,
                "auth.invalid_refresh_token",
                "Invalid refresh token",
                "This refresh token is unknown, expired, revoked or already used. Sign in again.",
            ),
            AppError::InvalidVerificationToken => Problem::new(
                S::UNPROCESSABLE_ENTITY,
                "auth.invalid_token",
                "Invalid or expired token",
                "This token is unknown, already used or expired.",
            ),
            AppError::AccountLocked { until } => Problem::new(
                S::FORBIDDEN,
                "auth.account_locked",
                "Account locked",
                format!(
                    "Too many failed sign-ins. Try again after {}.",
                    time_text(until)
                ),
            ),
            AppError::Banned { until, reason } => {
                let when = until.map_or_else(
                    || "permanently".to_owned(),
                    |u| format!("until {}", time_text(u)),
                );
                Problem::new(
                    S::FORBIDDEN,
                    "auth.banned",
                    "Account banned",
                    format!("This account is banned {when}: {reason}"),
                )
            }
            AppError::Forbidden => Problem::new(
                S::FORBIDDEN,
                "auth.forbidden",
                "Not allowed",
                "You are not allowed to do this.",
            ),
            AppError::NotFound(what) => {
                let code = format!("{}.not_found", what.replace(' ', "_"));
                Problem::new(S::NOT_FOUND, &code, "Not found", format!("No such {what}."))
            }
            AppError::Conflict { code, detail } => {
                Problem::new(S::CONFLICT, code, "Conflict", detail)
            }
            AppError::InsufficientPoints { balance, requested } => Problem::new(
                S::CONFLICT,
                "wallet.insufficient_points",
                "Insufficient points",
                format!("The wallet holds {balance} points; {requested} were requested."),
            ),
            AppError::IdempotencyKeyMismatch => Problem::new(
                S::UNPROCESSABLE_ENTITY,
                "idempotency.key_reused",
                "Idempotency key reused",
                "This Idempotency-Key was already used with a different request.",
            ),
            AppError::IdempotencyKeyInFlight => Problem::new(
                S::CONFLICT,
                "idempotency.in_flight",
                "Request in flight",
                "A request with this Idempotency-Key is still being processed. Retry shortly.",
            ),
            AppError::Internal(message) => {
                tracing::error!(error = %message, "internal error");
                Problem::from_status(S::INTERNAL_SERVER_ERROR, String::new())
            }
        };
        Self::from_problem(problem)
    }
}

/// Result type of every operation.
pub type ApiResult<T> = Result<T, ApiError>;
