//! The catalogue of every error code the API can return. Clients switch on `code`, so
//! each one is stable, listed here once with its status and meaning, rendered into the
//! OpenAPI document's description and kept equal to `docs/errors.md` by a test. The
//! mapping from use-case errors to these entries lives in [`crate::problem`].

/// One stable error code and the status it always comes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    /// Machine-readable and stable, `<area>.<reason>`.
    pub code: &'static str,
    /// The HTTP status this code is always sent with.
    pub status: u16,
    /// Short summary of the problem type (the problem's `title`).
    pub title: &'static str,
    /// What it means for a client, for the docs.
    pub meaning: &'static str,
}

impl ErrorCode {
    /// The problem `type` URI: a stable name for the problem type, derived from the code.
    pub fn type_uri(&self) -> String {
        format!(
            "https://lyceum.dev/problems/{}",
            self.code.replace(['.', '_'], "-")
        )
    }
}

/// `request.malformed` (400): The body is not JSON at all (a body that is JSON but breaks the schema is a 422 `request.validation`).
pub const REQUEST_MALFORMED: ErrorCode = ErrorCode {
    code: "request.malformed",
    status: 400,
    title: "Malformed request",
    meaning: "The body is not JSON at all (a body that is JSON but breaks the schema is a 422 `request.validation`).",
};
/// `request.invalid` (400): Another client error found before the operation ran (the status says which).
pub const REQUEST_INVALID: ErrorCode = ErrorCode {
    code: "request.invalid",
    status: 400,
    title: "Invalid request",
    meaning: "Another client error found before the operation ran (the status says which).",
};
/// `pagination.invalid_cursor` (422): The `cursor` is not one this list handed out.
pub const PAGINATION_INVALID_CURSOR: ErrorCode = ErrorCode {
    code: "pagination.invalid_cursor",
    status: 422,
    title: "Invalid cursor",
    meaning: "The `cursor` is not one this list handed out.",
};
/// `pagination.invalid_limit` (422): `limit` is outside 1–100.
pub const PAGINATION_INVALID_LIMIT: ErrorCode = ErrorCode {
    code: "pagination.invalid_limit",
    status: 422,
    title: "Invalid page size",
    meaning: "`limit` is outside 1–100.",
};
/// `idempotency.invalid_key` (400): `Idempotency-Key` is not 1 to 255 visible ASCII characters.
pub const IDEMPOTENCY_INVALID_KEY: ErrorCode = ErrorCode {
    code: "idempotency.invalid_key",
    status: 400,
    title: "Malformed request",
    meaning: "`Idempotency-Key` is not 1 to 255 visible ASCII characters.",
};
/// `auth.unauthenticated` (401): No valid bearer access token: missing, expired, or its session ended.
pub const AUTH_UNAUTHENTICATED: ErrorCode = ErrorCode {
    code: "auth.unauthenticated",
    status: 401,
    title: "Authentication required",
    meaning: "No valid bearer access token: missing, expired, or its session ended.",
};
/// `auth.invalid_credentials` (401): Unknown login or wrong password (deliberately not told apart).
pub const AUTH_INVALID_CREDENTIALS: ErrorCode = ErrorCode {
    code: "auth.invalid_credentials",
    status: 401,
    title: "Invalid credentials",
    meaning: "Unknown login or wrong password (deliberately not told apart).",
};
/// `auth.invalid_refresh_token` (401): The refresh token is unknown, expired, revoked or already used; sign in again.
pub const AUTH_INVALID_REFRESH_TOKEN: ErrorCode = ErrorCode {
    code: "auth.invalid_refresh_token",
    status: 401,
    title: "Invalid refresh token",
    meaning: "The refresh token is unknown, expired, revoked or already used; sign in again.",
};
/// `auth.forbidden` (403): Signed in, but this account may not do this.
pub const AUTH_FORBIDDEN: ErrorCode = ErrorCode {
    code: "auth.forbidden",
    status: 403,
    title: "Not allowed",
    meaning: "Signed in, but this account may not do this.",
};
/// `mentor.role_required` (403): Mentoring (running or editing sessions, publishing availability, accepting requests) needs the mentor role; learning needs none.
pub const MENTOR_ROLE_REQUIRED: ErrorCode = ErrorCode {
    code: "mentor.role_required",
    status: 403,
    title: "Mentor role required",
    meaning: "Mentoring (running or editing sessions, publishing availability, accepting requests) needs the mentor role; learning needs none.",
};
/// `auth.account_locked` (403): Too many failed sign-ins; `detail` says until when.
pub const AUTH_ACCOUNT_LOCKED: ErrorCode = ErrorCode {
    code: "auth.account_locked",
    status: 403,
    title: "Account locked",
    meaning: "Too many failed sign-ins; `detail` says until when.",
};
/// `auth.banned` (403): An admin banned the account; `detail` says until when and why.
pub const AUTH_BANNED: ErrorCode = ErrorCode {
    code: "auth.banned",
    status: 403,
    title: "Account banned",
    meaning: "An admin banned the account; `detail` says until when and why.",
};
/// `request.not_found` (404): No route matches the path.
pub const REQUEST_NOT_FOUND: ErrorCode = ErrorCode {
    code: "request.not_found",
    status: 404,
    title: "Not found",
    meaning: "No route matches the path.",
};
/// `resource.not_found` (404): A thing the operation needs does not exist.
pub const RESOURCE_NOT_FOUND: ErrorCode = ErrorCode {
    code: "resource.not_found",
    status: 404,
    title: "Not found",
    meaning: "A thing the operation needs does not exist.",
};
/// `user.not_found` (404): No such account (or it is hidden from the caller).
pub const USER_NOT_FOUND: ErrorCode = ErrorCode {
    code: "user.not_found",
    status: 404,
    title: "Not found",
    meaning: "No such account (or it is hidden from the caller).",
};
/// `mentor.not_found` (404): No such mentor.
pub const MENTOR_NOT_FOUND: ErrorCode = ErrorCode {
    code: "mentor.not_found",
    status: 404,
    title: "Not found",
    meaning: "No such mentor.",
};
/// `auth_session.not_found` (404): No such sign-in session of mine.
pub const AUTH_SESSION_NOT_FOUND: ErrorCode = ErrorCode {
    code: "auth_session.not_found",
    status: 404,
    title: "Not found",
    meaning: "No such sign-in session of mine.",
};
/// `billing_address.not_found` (404): I have no billing address.
pub const BILLING_ADDRESS_NOT_FOUND: ErrorCode = ErrorCode {
    code: "billing_address.not_found",
    status: 404,
    title: "Not found",
    meaning: "I have no billing address.",
};
/// `certificate.not_found` (404): No such certificate of mine.
pub const CERTIFICATE_NOT_FOUND: ErrorCode = ErrorCode {
    code: "certificate.not_found",
    status: 404,
    title: "Not found",
    meaning: "No such certificate of mine.",
};
/// `specialization.not_found` (404): No such specialization.
pub const SPECIALIZATION_NOT_FOUND: ErrorCode = ErrorCode {
    code: "specialization.not_found",
    status: 404,
    title: "Not found",
    meaning: "No such specialization.",
};
/// `wallet.not_found` (404): No such wallet.
pub const WALLET_NOT_FOUND: ErrorCode = ErrorCode {
    code: "wallet.not_found",
    status: 404,
    title: "Not found",
    meaning: "No such wallet.",
};
/// `mentoring_session.not_found` (404): No such mentoring session (or it is not visible to the caller).
pub const MENTORING_SESSION_NOT_FOUND: ErrorCode = ErrorCode {
    code: "mentoring_session.not_found",
    status: 404,
    title: "Not found",
    meaning: "No such mentoring session (or it is not visible to the caller).",
};
/// `booking.not_found` (404): No such booking of the caller's.
pub const BOOKING_NOT_FOUND: ErrorCode = ErrorCode {
    code: "booking.not_found",
    status: 404,
    title: "Not found",
    meaning: "No such booking of the caller's.",
};
/// `mentorship_request.not_found` (404): No such mentorship request of the caller's.
pub const MENTORSHIP_REQUEST_NOT_FOUND: ErrorCode = ErrorCode {
    code: "mentorship_request.not_found",
    status: 404,
    title: "Not found",
    meaning: "No such mentorship request of the caller's.",
};
/// `availability.not_found` (404): The mentor has not published availability.
pub const AVAILABILITY_NOT_FOUND: ErrorCode = ErrorCode {
    code: "availability.not_found",
    status: 404,
    title: "Not found",
    meaning: "The mentor has not published availability.",
};
/// `calendar_feed.not_found` (404): No calendar feed has this URL: it was replaced or revoked, or its owner can no longer sign in.
pub const CALENDAR_FEED_NOT_FOUND: ErrorCode = ErrorCode {
    code: "calendar_feed.not_found",
    status: 404,
    title: "Not found",
    meaning: "No calendar feed has this URL: it was replaced or revoked, or its owner can no longer sign in.",
};
/// `notification.not_found` (404): No such notification of mine.
pub const NOTIFICATION_NOT_FOUND: ErrorCode = ErrorCode {
    code: "notification.not_found",
    status: 404,
    title: "Not found",
    meaning: "No such notification of mine.",
};
/// `request.method_not_allowed` (405): The path exists but not with this method.
pub const REQUEST_METHOD_NOT_ALLOWED: ErrorCode = ErrorCode {
    code: "request.method_not_allowed",
    status: 405,
    title: "Method not allowed",
    meaning: "The path exists but not with this method.",
};
/// `request.timeout` (408): The request body did not arrive within the server's deadline; the connection is closed.
pub const REQUEST_TIMEOUT: ErrorCode = ErrorCode {
    code: "request.timeout",
    status: 408,
    title: "Request timeout",
    meaning: "The request body did not arrive within the server's deadline (`LYCEUM_HTTP_BODY_TIMEOUT_SECONDS`); the connection is closed. Send it again on a new connection.",
};
/// `state.changed` (409): The resource changed state meanwhile; reload and retry.
pub const STATE_CHANGED: ErrorCode = ErrorCode {
    code: "state.changed",
    status: 409,
    title: "State changed",
    meaning: "The resource changed state meanwhile; reload and retry.",
};
/// `user.email_taken` (409): Another account has this email (ignoring case).
pub const USER_EMAIL_TAKEN: ErrorCode = ErrorCode {
    code: "user.email_taken",
    status: 409,
    title: "Email taken",
    meaning: "Another account has this email (ignoring case).",
};
/// `user.username_taken` (409): Another account has this username (ignoring case).
pub const USER_USERNAME_TAKEN: ErrorCode = ErrorCode {
    code: "user.username_taken",
    status: 409,
    title: "Username taken",
    meaning: "Another account has this username (ignoring case).",
};
/// `user.phone_taken` (409): Another account has this phone number.
pub const USER_PHONE_TAKEN: ErrorCode = ErrorCode {
    code: "user.phone_taken",
    status: 409,
    title: "Phone number taken",
    meaning: "Another account has this phone number.",
};
/// `user.email_already_verified` (409): There is nothing to verify.
pub const USER_EMAIL_ALREADY_VERIFIED: ErrorCode = ErrorCode {
    code: "user.email_already_verified",
    status: 409,
    title: "Email already verified",
    meaning: "There is nothing to verify.",
};
/// `specialization.name_taken` (409): Another specialization has this name.
pub const SPECIALIZATION_NAME_TAKEN: ErrorCode = ErrorCode {
    code: "specialization.name_taken",
    status: 409,
    title: "Specialization exists",
    meaning: "Another specialization has this name.",
};
/// `specialization.already_added` (409): I listed this specialization already.
pub const SPECIALIZATION_ALREADY_ADDED: ErrorCode = ErrorCode {
    code: "specialization.already_added",
    status: 409,
    title: "Specialization already listed",
    meaning: "I listed this specialization already.",
};
/// `admin.self_moderation` (409): Admins cannot ban or delete their own account through moderation.
pub const ADMIN_SELF_MODERATION: ErrorCode = ErrorCode {
    code: "admin.self_moderation",
    status: 409,
    title: "Not on yourself",
    meaning: "Admins cannot ban or delete their own account through moderation.",
};
/// `admin.self_demotion` (409): Admins cannot remove their own admin role.
pub const ADMIN_SELF_DEMOTION: ErrorCode = ErrorCode {
    code: "admin.self_demotion",
    status: 409,
    title: "Not on yourself",
    meaning: "Admins cannot remove their own admin role.",
};
/// `wallet.insufficient_points` (409): The deduction is larger than the balance.
pub const WALLET_INSUFFICIENT_POINTS: ErrorCode = ErrorCode {
    code: "wallet.insufficient_points",
    status: 409,
    title: "Insufficient points",
    meaning: "The deduction is larger than the balance.",
};
/// `idempotency.in_flight` (409): The first request with this `Idempotency-Key` is still running; retry shortly.
pub const IDEMPOTENCY_IN_FLIGHT: ErrorCode = ErrorCode {
    code: "idempotency.in_flight",
    status: 409,
    title: "Request in flight",
    meaning: "The first request with this `Idempotency-Key` is still running; retry shortly.",
};
/// `session.invalid_transition` (409): The session's state does not allow this (or changed meanwhile).
pub const SESSION_INVALID_TRANSITION: ErrorCode = ErrorCode {
    code: "session.invalid_transition",
    status: 409,
    title: "Session state",
    meaning: "The session's state does not allow this (or changed meanwhile).",
};
/// `session.not_editable` (409): Only scheduled sessions that have not started can be edited.
pub const SESSION_NOT_EDITABLE: ErrorCode = ErrorCode {
    code: "session.not_editable",
    status: 409,
    title: "Session not editable",
    meaning: "Only scheduled sessions that have not started can be edited.",
};
/// `session.capacity_below_seats_taken` (409): The capacity cannot go below the seats already taken.
pub const SESSION_CAPACITY_BELOW_SEATS_TAKEN: ErrorCode = ErrorCode {
    code: "session.capacity_below_seats_taken",
    status: 409,
    title: "Capacity too low",
    meaning: "The capacity cannot go below the seats already taken.",
};
/// `session.overlaps` (409): The mentor already has a scheduled or active session at that time; `conflicting_session_id` names it.
pub const SESSION_OVERLAPS: ErrorCode = ErrorCode {
    code: "session.overlaps",
    status: 409,
    title: "Mentor busy",
    meaning: "The mentor already has a scheduled or active session at that time; `conflicting_session_id` names it.",
};
/// `booking.session_full` (409): Every seat of the session is taken.
pub const BOOKING_SESSION_FULL: ErrorCode = ErrorCode {
    code: "booking.session_full",
    status: 409,
    title: "Session full",
    meaning: "Every seat of the session is taken.",
};
/// `booking.session_not_bookable` (409): The session is not scheduled in the future.
pub const BOOKING_SESSION_NOT_BOOKABLE: ErrorCode = ErrorCode {
    code: "booking.session_not_bookable",
    status: 409,
    title: "Session not bookable",
    meaning: "The session is not scheduled in the future.",
};
/// `booking.own_session` (409): Mentors cannot book their own sessions.
pub const BOOKING_OWN_SESSION: ErrorCode = ErrorCode {
    code: "booking.own_session",
    status: 409,
    title: "Own session",
    meaning: "Mentors cannot book their own sessions.",
};
/// `booking.mentor_inactive` (409): The session's mentor no longer mentors (the role was removed or the account closed); it cannot be booked.
pub const BOOKING_MENTOR_INACTIVE: ErrorCode = ErrorCode {
    code: "booking.mentor_inactive",
    status: 409,
    title: "Mentor inactive",
    meaning: "The session's mentor no longer mentors (the role was removed or the account closed); it cannot be booked.",
};
/// `booking.duplicate` (409): The learner already holds a seat in this session.
pub const BOOKING_DUPLICATE: ErrorCode = ErrorCode {
    code: "booking.duplicate",
    status: 409,
    title: "Seat held already",
    meaning: "The learner already holds a seat in this session.",
};
/// `booking.invalid_transition` (409): The booking's state does not allow this (it is no longer live).
pub const BOOKING_INVALID_TRANSITION: ErrorCode = ErrorCode {
    code: "booking.invalid_transition",
    status: 409,
    title: "Booking state",
    meaning: "The booking's state does not allow this (it is no longer live).",
};
/// `booking.cancellation_closed` (409): Learners cancel only until the cut-off before the start.
pub const BOOKING_CANCELLATION_CLOSED: ErrorCode = ErrorCode {
    code: "booking.cancellation_closed",
    status: 409,
    title: "Cancellation closed",
    meaning: "Learners cancel only until the cut-off before the start.",
};
/// `booking.other_mentor` (409): A booking moves only to another session of the same mentor.
pub const BOOKING_OTHER_MENTOR: ErrorCode = ErrorCode {
    code: "booking.other_mentor",
    status: 409,
    title: "Other mentor",
    meaning: "A booking moves only to another session of the same mentor.",
};
/// `booking.price_differs` (409): A booking moves only to a session with the same price.
pub const BOOKING_PRICE_DIFFERS: ErrorCode = ErrorCode {
    code: "booking.price_differs",
    status: 409,
    title: "Price differs",
    meaning: "A booking moves only to a session with the same price.",
};
/// `booking.same_session` (409): The booking is already in this session.
pub const BOOKING_SAME_SESSION: ErrorCode = ErrorCode {
    code: "booking.same_session",
    status: 409,
    title: "Same session",
    meaning: "The booking is already in this session.",
};
/// `booking.hold_expired` (409): The seat hold of a paid booking ran out before payment; book again.
pub const BOOKING_HOLD_EXPIRED: ErrorCode = ErrorCode {
    code: "booking.hold_expired",
    status: 409,
    title: "Hold expired",
    meaning: "The seat hold of a paid booking ran out before payment; book again.",
};
/// `payment.declined` (409): The payment provider refused the charge; `detail` says why.
pub const PAYMENT_DECLINED: ErrorCode = ErrorCode {
    code: "payment.declined",
    status: 409,
    title: "Payment declined",
    meaning: "The payment provider refused the charge; `detail` says why.",
};
/// `request.invalid_transition` (409): The request's state does not allow this (or changed meanwhile).
pub const REQUEST_INVALID_TRANSITION: ErrorCode = ErrorCode {
    code: "request.invalid_transition",
    status: 409,
    title: "Request state",
    meaning: "The request's state does not allow this (or changed meanwhile).",
};
/// `request.start_passed` (409): The proposed start has passed; ask for a new time.
pub const REQUEST_START_PASSED: ErrorCode = ErrorCode {
    code: "request.start_passed",
    status: 409,
    title: "Start passed",
    meaning: "The proposed start has passed; ask for a new time.",
};
/// `feedback.session_not_completed` (409): Feedback opens once the session is completed.
pub const FEEDBACK_SESSION_NOT_COMPLETED: ErrorCode = ErrorCode {
    code: "feedback.session_not_completed",
    status: 409,
    title: "Too early for feedback",
    meaning: "Feedback opens once the session is completed.",
};
/// `feedback.duplicate` (409): Feedback for this booking exists already.
pub const FEEDBACK_DUPLICATE: ErrorCode = ErrorCode {
    code: "feedback.duplicate",
    status: 409,
    title: "Feedback exists",
    meaning: "Feedback for this booking exists already.",
};
/// `rating.not_one_to_one` (409): Learners are rated in 1:1 sessions only.
pub const RATING_NOT_ONE_TO_ONE: ErrorCode = ErrorCode {
    code: "rating.not_one_to_one",
    status: 409,
    title: "Not a 1:1",
    meaning: "Learners are rated in 1:1 sessions only.",
};
/// `rating.session_not_completed` (409): Ratings open once the session is completed.
pub const RATING_SESSION_NOT_COMPLETED: ErrorCode = ErrorCode {
    code: "rating.session_not_completed",
    status: 409,
    title: "Too early to rate",
    meaning: "Ratings open once the session is completed.",
};
/// `rating.no_learner` (409): Nobody attended the session.
pub const RATING_NO_LEARNER: ErrorCode = ErrorCode {
    code: "rating.no_learner",
    status: 409,
    title: "Nobody to rate",
    meaning: "Nobody attended the session.",
};
/// `rating.duplicate` (409): This session's learner was rated already.
pub const RATING_DUPLICATE: ErrorCode = ErrorCode {
    code: "rating.duplicate",
    status: 409,
    title: "Rated already",
    meaning: "This session's learner was rated already.",
};
/// `request.too_large` (413): The body is larger than the configured limit.
pub const REQUEST_TOO_LARGE: ErrorCode = ErrorCode {
    code: "request.too_large",
    status: 413,
    title: "Request body too large",
    meaning: "The body is larger than the configured limit.",
};
/// `request.unsupported_media_type` (415): The body is not `application/json`.
pub const REQUEST_UNSUPPORTED_MEDIA_TYPE: ErrorCode = ErrorCode {
    code: "request.unsupported_media_type",
    status: 415,
    title: "Unsupported media type",
    meaning: "The body is not `application/json`.",
};
/// `request.validation` (422): Some fields are invalid; `errors` lists each with its field.
pub const REQUEST_VALIDATION: ErrorCode = ErrorCode {
    code: "request.validation",
    status: 422,
    title: "Invalid values",
    meaning: "Some fields are invalid; `errors` lists each with its field.",
};
/// `auth.invalid_token` (422): The verification or reset token is unknown, used or expired.
pub const AUTH_INVALID_TOKEN: ErrorCode = ErrorCode {
    code: "auth.invalid_token",
    status: 422,
    title: "Invalid or expired token",
    meaning: "The verification or reset token is unknown, used or expired.",
};
/// `idempotency.key_reused` (422): This `Idempotency-Key` was used with a different request.
pub const IDEMPOTENCY_KEY_REUSED: ErrorCode = ErrorCode {
    code: "idempotency.key_reused",
    status: 422,
    title: "Idempotency key reused",
    meaning: "This `Idempotency-Key` was used with a different request.",
};
/// `request.rate_limited` (429): Too many sign-in requests from this address; see `Retry-After`.
pub const REQUEST_RATE_LIMITED: ErrorCode = ErrorCode {
    code: "request.rate_limited",
    status: 429,
    title: "Too many requests",
    meaning: "Too many sign-in requests from this address; see `Retry-After`.",
};
/// `server.internal` (500): Something broke on our side; it has been logged. Nothing internal is sent.
pub const SERVER_INTERNAL: ErrorCode = ErrorCode {
    code: "server.internal",
    status: 500,
    title: "Internal server error",
    meaning: "Something broke on our side; it has been logged. Nothing internal is sent.",
};
/// `server.not_ready` (503): The database is not reachable (`/readyz`).
pub const SERVER_NOT_READY: ErrorCode = ErrorCode {
    code: "server.not_ready",
    status: 503,
    title: "Not ready",
    meaning: "The database is not reachable (`/readyz`).",
};
/// `server.unavailable` (503): The database cannot be reached right now, or the server holds as many connections as it may; retry after `Retry-After` seconds.
pub const SERVER_UNAVAILABLE: ErrorCode = ErrorCode {
    code: "server.unavailable",
    status: 503,
    title: "Service unavailable",
    meaning: "The database cannot be reached right now, or the server holds as many connections as it may (the connection is then closed); retry after `Retry-After` seconds.",
};

/// Every code, by status then code.
pub const ALL: &[ErrorCode] = &[
    REQUEST_MALFORMED,
    REQUEST_INVALID,
    PAGINATION_INVALID_CURSOR,
    PAGINATION_INVALID_LIMIT,
    IDEMPOTENCY_INVALID_KEY,
    AUTH_UNAUTHENTICATED,
    AUTH_INVALID_CREDENTIALS,
    AUTH_INVALID_REFRESH_TOKEN,
    AUTH_FORBIDDEN,
    MENTOR_ROLE_REQUIRED,
    AUTH_ACCOUNT_LOCKED,
    AUTH_BANNED,
    REQUEST_NOT_FOUND,
    RESOURCE_NOT_FOUND,
    USER_NOT_FOUND,
    MENTOR_NOT_FOUND,
    AUTH_SESSION_NOT_FOUND,
    BILLING_ADDRESS_NOT_FOUND,
    CERTIFICATE_NOT_FOUND,
    SPECIALIZATION_NOT_FOUND,
    WALLET_NOT_FOUND,
    MENTORING_SESSION_NOT_FOUND,
    BOOKING_NOT_FOUND,
    MENTORSHIP_REQUEST_NOT_FOUND,
    NOTIFICATION_NOT_FOUND,
    AVAILABILITY_NOT_FOUND,
    CALENDAR_FEED_NOT_FOUND,
    REQUEST_METHOD_NOT_ALLOWED,
    REQUEST_TIMEOUT,
    STATE_CHANGED,
    USER_EMAIL_TAKEN,
    USER_USERNAME_TAKEN,
    USER_PHONE_TAKEN,
    USER_EMAIL_ALREADY_VERIFIED,
    SPECIALIZATION_NAME_TAKEN,
    SPECIALIZATION_ALREADY_ADDED,
    ADMIN_SELF_MODERATION,
    ADMIN_SELF_DEMOTION,
    WALLET_INSUFFICIENT_POINTS,
    IDEMPOTENCY_IN_FLIGHT,
    SESSION_INVALID_TRANSITION,
    SESSION_NOT_EDITABLE,
    SESSION_CAPACITY_BELOW_SEATS_TAKEN,
    SESSION_OVERLAPS,
    BOOKING_SESSION_FULL,
    BOOKING_SESSION_NOT_BOOKABLE,
    BOOKING_OWN_SESSION,
    BOOKING_MENTOR_INACTIVE,
    BOOKING_DUPLICATE,
    BOOKING_INVALID_TRANSITION,
    BOOKING_CANCELLATION_CLOSED,
    BOOKING_OTHER_MENTOR,
    BOOKING_PRICE_DIFFERS,
    BOOKING_SAME_SESSION,
    BOOKING_HOLD_EXPIRED,
    PAYMENT_DECLINED,
    REQUEST_INVALID_TRANSITION,
    REQUEST_START_PASSED,
    FEEDBACK_SESSION_NOT_COMPLETED,
    FEEDBACK_DUPLICATE,
    RATING_NOT_ONE_TO_ONE,
    RATING_SESSION_NOT_COMPLETED,
    RATING_NO_LEARNER,
    RATING_DUPLICATE,
    REQUEST_TOO_LARGE,
    REQUEST_UNSUPPORTED_MEDIA_TYPE,
    REQUEST_VALIDATION,
    AUTH_INVALID_TOKEN,
    IDEMPOTENCY_KEY_REUSED,
    REQUEST_RATE_LIMITED,
    SERVER_INTERNAL,
    SERVER_NOT_READY,
    SERVER_UNAVAILABLE,
];

/// The catalogue as a Markdown table, for the OpenAPI description and `docs/errors.md`.
pub fn markdown_table() -> String {
    let mut table = String::from("| code | status | meaning |\n|---|---|---|\n");
    for entry in ALL {
        table.push_str(&format!(
            "| `{}` | {} | {} |\n",
            entry.code, entry.status, entry.meaning
        ));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for entry in ALL {
            assert!(seen.insert(entry.code), "{} listed twice", entry.code);
            let (area, reason) = entry.code.split_once('.').expect("area.reason");
            assert!(!area.is_empty() && !reason.is_empty(), "{}", entry.code);
            assert!((400..600).contains(&entry.status), "{}", entry.code);
        }
    }

    #[test]
    fn the_docs_list_every_code_with_its_status() {
        let docs = include_str!("../../../docs/errors.md");
        let table = markdown_table();
        assert!(
            docs.contains(&table),
            "docs/errors.md is out of date; its table must read:\n{table}"
        );
    }
}
