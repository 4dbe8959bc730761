//! RFC 9457 problem details: the only place where HTTP statuses and error codes are
//! chosen. Every error a client sees — from a use case, a malformed request, the router
//! or a middleware — leaves through here as `application/problem+json`.

use lyceum_app::identity::IdentityError;
use lyceum_app::mentoring::MentoringError;
use lyceum_app::{AppError, IdempotencyError, Resource};
use lyceum_domain::mentoring::{BookingError, RequestError, SessionError};
use lyceum_domain::wallet::WalletError;

use crate::errors::ErrorCode;
use lyceum_domain::validation::Violation;
use poem::Response;
use poem::http::StatusCode;
use poem_openapi::payload::Json;
use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use poem_openapi::{ApiResponse, Object};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The `detail` of every 422 that lists its fields.
const INVALID_FIELDS_DETAIL: &str = "Some fields are invalid; see `errors`.";

/// The problem+json media type.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
pub struct FieldProblem {
    /// The request field as sent: `email`, `price.amount_minor`, `expertise[2]`, a
    /// parameter's name, or `$` for the body as a whole.
    pub field: String,
    /// Which rule the value breaks.
    pub code: FieldCode,
    /// What is wrong with it, for people.
    pub message: String,
}

/// Which rule an invalid field breaks, from the domain's closed vocabulary
/// ([`Violation`]), so clients can react to it without reading `message`. The schema lists
/// exactly the codes `Violation::ALL` has; there is no second list to keep in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldCode(pub Violation);

impl From<Violation> for FieldCode {
    fn from(violation: Violation) -> Self {
        Self(violation)
    }
}

impl FieldCode {
    /// The code as sent (`too_long`): the domain's own spelling of the rule.
    pub fn as_str(self) -> &'static str {
        self.0.code()
    }
}

impl Type for FieldCode {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "FieldCode".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference(Self::name().into_owned())
    }

    fn register(registry: &mut Registry) {
        registry.create_schema::<Self, _>(Self::name().into_owned(), |_| MetaSchema {
            description: Some(
                "Which rule an invalid field breaks: a closed vocabulary, so clients can \
                 react to it\nwithout reading `message`.",
            ),
            enum_items: Violation::ALL.iter().map(|v| v.code().into()).collect(),
            ..MetaSchema::new("string")
        });
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ToJSON for FieldCode {
    fn to_json(&self) -> Option<serde_json::Value> {
        Some(self.as_str().into())
    }
}

impl ParseFromJSON for FieldCode {
    fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
        let value = value.unwrap_or_default();
        Violation::ALL
            .into_iter()
            .find(|v| value.as_str() == Some(v.code()))
            .map(Self)
            .ok_or_else(|| ParseError::expected_type(value))
    }
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
    /// Every invalid field; present only on validation problems (422).
    #[oai(skip_serializing_if_is_none)]
    pub errors: Option<Vec<FieldProblem>>,
    /// The mentoring session already taking the time asked for; present only on 409
    /// `session.overlaps`.
    #[oai(skip_serializing_if_is_none)]
    pub conflicting_session_id: Option<uuid::Uuid>,
}

impl Problem {
    /// The problem for a catalogue entry, with this occurrence's explanation.
    pub fn of(code: &ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            kind: code.type_uri(),
            title: code.title.to_owned(),
            status: code.status,
            detail: detail.into(),
            code: code.code.to_owned(),
            errors: None,
            conflicting_session_id: None,
        }
    }

    /// The 422 for invalid input under the catalogue entry `code`, listing every field
    /// found invalid.
    pub fn invalid_fields(code: &ErrorCode, fields: Vec<FieldProblem>) -> Self {
        let mut problem = Self::of(code, INVALID_FIELDS_DETAIL);
        problem.errors = Some(fields);
        problem
    }

    /// The 422 `request.validation` for one invalid field the HTTP layer finds itself.
    pub fn invalid_field(field: &str, violation: Violation, message: impl Into<String>) -> Self {
        Self::invalid_fields(
            &crate::errors::REQUEST_VALIDATION,
            vec![FieldProblem {
                field: field.to_owned(),
                code: violation.into(),
                message: message.into(),
            }],
        )
    }

    /// The 503 for a connection the server will not take because it holds as many as it
    /// may (`LYCEUM_HTTP_MAX_CONNECTIONS`); the serving loop writes it and closes.
    pub fn connection_limit_reached() -> Self {
        Self::of(
            &crate::errors::SERVER_UNAVAILABLE,
            "The server holds as many connections as it may. Retry shortly.",
        )
    }

    /// The 408 for a request whose body did not arrive within `seconds` of its headers;
    /// the serving loop sends it and closes the connection.
    pub fn body_timeout(seconds: u64) -> Self {
        Self::of(
            &crate::errors::REQUEST_TIMEOUT,
            format!("The request body did not arrive within {seconds} seconds."),
        )
    }

    /// The problem document as JSON bytes, for answers written outside poem.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.to_json()).unwrap_or_default()
    }

    /// Renders the problem as a response with the right media type.
    pub fn into_response_with(self, retry_after: Option<u64>) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = self.to_bytes();
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
        if let Some(id) = self.conflicting_session_id {
            value["conflicting_session_id"] = id.to_string().into();
        }
        if let Some(errors) = &self.errors {
            value["errors"] = serde_json::json!(
                errors
                    .iter()
                    .map(|e| serde_json::json!({"field": e.field, "code": e.code.as_str(), "message": e.message}))
                    .collect::<Vec<_>>()
            );
        }
        value
    }

    /// The generic problem for a status produced outside the use cases (router, body
    /// parsing, authorization header). Only 4xx details are passed on: they describe the
    /// client's request. Anything else says nothing about the server's internals.
    pub fn from_status(status: StatusCode, detail: String) -> Self {
        use crate::errors::*;
        match status.as_u16() {
            400 => Problem::of(&REQUEST_MALFORMED, detail),
            401 => Problem::of(
                &AUTH_UNAUTHENTICATED,
                "A valid bearer access token is required.",
            ),
            404 => Problem::of(&REQUEST_NOT_FOUND, "No such resource."),
            405 => Problem::of(&REQUEST_METHOD_NOT_ALLOWED, detail),
            413 => Problem::of(&REQUEST_TOO_LARGE, detail),
            415 => Problem::of(&REQUEST_UNSUPPORTED_MEDIA_TYPE, detail),
            s if (400..500).contains(&s) => {
                let mut problem = Problem::of(&REQUEST_INVALID, detail);
                problem.status = s;
                problem
            }
            _ => Problem::of(
                &SERVER_INTERNAL,
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
    /// The body is not JSON, or the `Idempotency-Key` is malformed.
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
    /// Invalid input — body members or parameters — listed per field in `errors`.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Too many requests; retry after the given number of seconds.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>, #[oai(header = "Retry-After")] u64),
    /// Unexpected failure; carries no internals.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The database cannot be reached right now; retry after the given number of seconds.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>, #[oai(header = "Retry-After")] u64),
}

/// How long a client should wait before retrying after a 503: long enough for a database
/// failover or restart to finish, short enough that an interactive client still retries.
pub const RETRY_AFTER_UNAVAILABLE_SECONDS: u64 = 5;

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
            503 => Self::Unavailable(json, RETRY_AFTER_UNAVAILABLE_SECONDS),
            _ => Self::Internal(json),
        }
    }

    /// The opaque 500: the cause has been logged where it happened.
    pub fn internal() -> Self {
        Self::from_problem(Problem::from_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            String::new(),
        ))
    }

    /// The 422 for one invalid input the HTTP layer finds itself (a cursor, a limit),
    /// under the catalogue entry `code` (a 422 one).
    pub fn invalid_input(
        code: &ErrorCode,
        field: &str,
        violation: Violation,
        message: impl Into<String>,
    ) -> Self {
        Self::from_problem(Problem::invalid_fields(
            code,
            vec![FieldProblem {
                field: field.to_owned(),
                code: violation.into(),
                message: message.into(),
            }],
        ))
    }

    /// A problem the HTTP layer finds itself (a malformed cursor or header), from the
    /// catalogue.
    pub fn of(code: &ErrorCode, detail: impl Into<String>) -> Self {
        Self::from_problem(Problem::of(code, detail))
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        let fields = match &error {
            AppError::Validation(errors) => Some(
                errors
                    .clone()
                    .into_vec()
                    .into_iter()
                    .map(|e| FieldProblem {
                        field: e.field,
                        code: e.violation.into(),
                        message: e.message,
                    })
                    .collect(),
            ),
            _ => None,
        };
        let conflicting_session_id = match &error {
            AppError::Mentoring(MentoringError::Session(SessionError::Overlaps { session_id })) => {
                Some(*session_id)
            }
            _ => None,
        };
        let (code, detail) = describe(error);
        let mut problem = Problem::of(code, detail);
        problem.errors = fields;
        problem.conflicting_session_id = conflicting_session_id;
        Self::from_problem(problem)
    }
}

/// The one mapping from what a use case says to what a client sees: a catalogue entry
/// (status and stable code) and the wording for this occurrence.
fn describe(error: AppError) -> (&'static ErrorCode, String) {
    use crate::errors::*;
    match error {
        // The field list itself is attached by `From<AppError>`.
        AppError::Validation(_) => (&REQUEST_VALIDATION, INVALID_FIELDS_DETAIL.into()),
        AppError::Unauthenticated => (
            &AUTH_UNAUTHENTICATED,
            "A valid bearer access token is required.".into(),
        ),
        AppError::Forbidden => (&AUTH_FORBIDDEN, "You are not allowed to do this.".into()),
        AppError::NotFound(resource) => {
            let (code, what) = not_found(resource);
            (code, format!("No such {what}."))
        }
        AppError::StateChanged => (
            &STATE_CHANGED,
            "The resource changed state meanwhile; reload and retry.".into(),
        ),
        AppError::Idempotency(IdempotencyError::KeyReused) => (
            &IDEMPOTENCY_KEY_REUSED,
            "This Idempotency-Key was already used with a different request.".into(),
        ),
        AppError::Idempotency(IdempotencyError::InFlight) => (
            &IDEMPOTENCY_IN_FLIGHT,
            "A request with this Idempotency-Key is still being processed. Retry shortly.".into(),
        ),
        AppError::Identity(error) => describe_identity(error),
        AppError::Wallet(WalletError::InsufficientPoints { balance, requested }) => (
            &WALLET_INSUFFICIENT_POINTS,
            format!("The wallet holds {balance} points; {requested} were requested."),
        ),
        AppError::Wallet(other) => (&REQUEST_VALIDATION, sentence(&other)),
        AppError::Mentoring(error) => describe_mentoring(error),
        AppError::Unavailable(cause) => {
            tracing::warn!(error = %cause, "database unreachable");
            (
                &SERVER_UNAVAILABLE,
                "The service cannot reach its database right now. Retry shortly.".into(),
            )
        }
        AppError::Internal(cause) => {
            tracing::error!(error = %cause, "internal error");
            (
                &SERVER_INTERNAL,
                "Something went wrong on our side. It has been logged.".into(),
            )
        }
    }
}

fn describe_identity(error: IdentityError) -> (&'static ErrorCode, String) {
    use crate::errors::*;
    match error {
        IdentityError::InvalidCredentials => (
            &AUTH_INVALID_CREDENTIALS,
            "The login or the password is wrong.".into(),
        ),
        IdentityError::InvalidRefreshToken => (
            &AUTH_INVALID_REFRESH_TOKEN,
            "This refresh token is unknown, expired, revoked or already used. Sign in again."
                .into(),
        ),
        IdentityError::InvalidVerificationToken => (
            &AUTH_INVALID_TOKEN,
            "This token is unknown, already used or expired.".into(),
        ),
        IdentityError::AccountLocked { until } => (
            &AUTH_ACCOUNT_LOCKED,
            format!(
                "Too many failed sign-ins. Try again after {}.",
                time_text(until)
            ),
        ),
        IdentityError::Banned { until, reason } => {
            let when = until.map_or_else(
                || "permanently".to_owned(),
                |u| format!("until {}", time_text(u)),
            );
            (
                &AUTH_BANNED,
                format!("This account is banned {when}: {reason}"),
            )
        }
        IdentityError::EmailTaken => (
            &USER_EMAIL_TAKEN,
            "An account with this email already exists.".into(),
        ),
        IdentityError::UsernameTaken => (
            &USER_USERNAME_TAKEN,
            "This username is already taken.".into(),
        ),
        IdentityError::PhoneTaken => (
            &USER_PHONE_TAKEN,
            "This phone number belongs to another account.".into(),
        ),
        IdentityError::EmailAlreadyVerified => (
            &USER_EMAIL_ALREADY_VERIFIED,
            "Your email address is already verified.".into(),
        ),
        IdentityError::SpecializationNameTaken => (
            &SPECIALIZATION_NAME_TAKEN,
            "A specialization with this name already exists.".into(),
        ),
        IdentityError::SpecializationAlreadyAdded => (
            &SPECIALIZATION_ALREADY_ADDED,
            "You already listed this specialization.".into(),
        ),
        IdentityError::SelfBan => (
            &ADMIN_SELF_MODERATION,
            "Admins cannot ban themselves.".into(),
        ),
        IdentityError::SelfDeletion => (
            &ADMIN_SELF_MODERATION,
            "Admins cannot delete their own account this way.".into(),
        ),
        IdentityError::SelfDemotion => (
            &ADMIN_SELF_DEMOTION,
            "Admins cannot remove their own admin role.".into(),
        ),
    }
}

fn describe_mentoring(error: MentoringError) -> (&'static ErrorCode, String) {
    use crate::errors::*;
    let code = match &error {
        MentoringError::Session(SessionError::InvalidTransition { .. })
        | MentoringError::SessionChanged => &SESSION_INVALID_TRANSITION,
        MentoringError::Session(SessionError::NotEditable) => &SESSION_NOT_EDITABLE,
        MentoringError::Session(SessionError::CapacityBelowSeatsTaken { .. })
        | MentoringError::CapacityBelowSeatsTaken => &SESSION_CAPACITY_BELOW_SEATS_TAKEN,
        MentoringError::Session(SessionError::Overlaps { .. }) => &SESSION_OVERLAPS,
        MentoringError::MentorRoleRequired => &MENTOR_ROLE_REQUIRED,
        MentoringError::MentorInactive => &BOOKING_MENTOR_INACTIVE,
        // Value rules reach clients as field errors; a stray one is still a 422.
        MentoringError::Session(_) => &REQUEST_VALIDATION,
        MentoringError::Request(RequestError::InvalidTransition { .. })
        | MentoringError::RequestChanged
        | MentoringError::MentorMustDecline => &REQUEST_INVALID_TRANSITION,
        MentoringError::Request(_) => &REQUEST_VALIDATION,
        MentoringError::Booking(booking) => match booking {
            BookingError::SessionFull { .. } => &BOOKING_SESSION_FULL,
            BookingError::SessionNotBookable => &BOOKING_SESSION_NOT_BOOKABLE,
            BookingError::OwnSession => &BOOKING_OWN_SESSION,
            BookingError::Duplicate => &BOOKING_DUPLICATE,
            BookingError::InvalidTransition { .. } => &BOOKING_INVALID_TRANSITION,
            BookingError::CancellationClosed { .. } => &BOOKING_CANCELLATION_CLOSED,
            BookingError::OtherMentor => &BOOKING_OTHER_MENTOR,
            BookingError::PriceDiffers => &BOOKING_PRICE_DIFFERS,
            BookingError::SameSession => &BOOKING_SAME_SESSION,
        },
        MentoringError::BookingNotLive => &BOOKING_INVALID_TRANSITION,
        MentoringError::HoldExpired => &BOOKING_HOLD_EXPIRED,
        MentoringError::PaymentDeclined(_) => &PAYMENT_DECLINED,
        MentoringError::RequestStartPassed => &REQUEST_START_PASSED,
        MentoringError::FeedbackNotOpen => &FEEDBACK_SESSION_NOT_COMPLETED,
        MentoringError::FeedbackExists => &FEEDBACK_DUPLICATE,
        MentoringError::RatingNotOneToOne => &RATING_NOT_ONE_TO_ONE,
        MentoringError::RatingNotOpen => &RATING_SESSION_NOT_COMPLETED,
        MentoringError::RatingNoLearner => &RATING_NO_LEARNER,
        MentoringError::RatingExists => &RATING_DUPLICATE,
    };
    let detail = match error {
        MentoringError::PaymentDeclined(reason) => format!("The payment was declined: {reason}"),
        MentoringError::HoldExpired => "The seat hold expired; book again.".into(),
        MentoringError::RequestStartPassed => {
            "The proposed start has passed; ask the learner for a new time.".into()
        }
        MentoringError::Session(SessionError::Overlaps { session_id }) => format!(
            "A mentor cannot be in two places at once: session {session_id} already takes \
             this time. Choose another time, or move or cancel that session first."
        ),
        MentoringError::MentorRoleRequired => {
            "This needs the mentor role: mentoring sessions, availability and accepting \
             requests are for mentors. Every account may book and send requests."
                .into()
        }
        other => sentence(&other),
    };
    (code, detail)
}

/// What a resource is called in codes (`mentoring_session.not_found`) and in wording.
fn not_found(resource: Resource) -> (&'static ErrorCode, &'static str) {
    use crate::errors::*;
    match resource {
        Resource::User => (&USER_NOT_FOUND, "user"),
        Resource::Mentor => (&MENTOR_NOT_FOUND, "mentor"),
        Resource::AuthSession => (&AUTH_SESSION_NOT_FOUND, "sign-in session"),
        Resource::BillingAddress => (&BILLING_ADDRESS_NOT_FOUND, "billing address"),
        Resource::Certificate => (&CERTIFICATE_NOT_FOUND, "certificate"),
        Resource::Specialization => (&SPECIALIZATION_NOT_FOUND, "specialization"),
        Resource::Wallet => (&WALLET_NOT_FOUND, "wallet"),
        Resource::MentoringSession => (&MENTORING_SESSION_NOT_FOUND, "mentoring session"),
        Resource::Booking => (&BOOKING_NOT_FOUND, "booking"),
        Resource::MentorshipRequest => (&MENTORSHIP_REQUEST_NOT_FOUND, "mentorship request"),
        Resource::Notification => (&NOTIFICATION_NOT_FOUND, "notification"),
        Resource::Availability => (&AVAILABILITY_NOT_FOUND, "availability"),
        Resource::CalendarFeed => (&CALENDAR_FEED_NOT_FOUND, "calendar feed"),
        Resource::Unknown => (&RESOURCE_NOT_FOUND, "resource"),
    }
}

/// A domain error's own text as a sentence: capitalised, with a full stop.
fn sentence(error: &dyn std::fmt::Display) -> String {
    let mut out = crate::notification_text::capitalised(&error.to_string());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// Result type of every operation.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use poem::IntoResponse;

    #[tokio::test]
    async fn an_unreachable_database_is_a_503_with_retry_after_and_no_internals() {
        let cause = lyceum_ports::Cause::msg("connection refused by 10.0.0.7:5432");
        let response = ApiError::from(AppError::Unavailable(cause)).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap()),
            Some(RETRY_AFTER_UNAVAILABLE_SECONDS.to_string().as_str())
        );
        let body = response.into_body().into_string().await.unwrap();
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["code"], "server.unavailable");
        assert!(
            problem.get("errors").is_none(),
            "errors only on validation problems"
        );
        assert!(
            !body.contains("10.0.0.7"),
            "the cause stays in the log: {body}"
        );
    }

    #[tokio::test]
    async fn an_overlap_is_a_409_naming_the_session_that_takes_the_time() {
        let session_id = uuid::Uuid::now_v7();
        let error = AppError::Mentoring(MentoringError::Session(SessionError::Overlaps {
            session_id,
        }));
        let response = ApiError::from(error).into_response();
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let body = response.into_body().into_string().await.unwrap();
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["code"], "session.overlaps");
        assert_eq!(problem["conflicting_session_id"], session_id.to_string());
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains(&session_id.to_string())
        );

        // Any other problem leaves the member out rather than sending null.
        let other =
            ApiError::from(AppError::Mentoring(MentoringError::MentorRoleRequired)).into_response();
        assert_eq!(other.status(), StatusCode::FORBIDDEN);
        let body = other.into_body().into_string().await.unwrap();
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["code"], "mentor.role_required");
        assert!(problem.get("conflicting_session_id").is_none());
    }

    #[tokio::test]
    async fn validation_problems_list_each_field_with_its_code() {
        let mut errors = lyceum_domain::FieldErrors::new();
        errors.push(
            "title",
            Violation::TooLong,
            "must be at most 200 characters",
        );
        let response = ApiError::from(AppError::Validation(errors)).into_response();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = response.into_body().into_string().await.unwrap();
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        for violation in Violation::ALL {
            let code = FieldCode::from(violation);
            let json = ToJSON::to_json(&code);
            assert_eq!(json, Some(serde_json::json!(violation.code())));
            assert_eq!(
                FieldCode::parse_from_json(json).ok(),
                Some(code),
                "each code reads back as the same rule"
            );
        }
        assert_eq!(
            problem["errors"],
            serde_json::json!([{"field": "title", "code": "too_long", "message": "must be at most 200 characters"}])
        );
    }
}
