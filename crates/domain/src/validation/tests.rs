//! The codes are public API: these tests pin the vocabulary and the code each rule gives
//! for representative inputs, so a changed mapping fails here before a client notices.

use time::Duration;
use time::macros::{date, datetime};
use uuid::Uuid;

use super::*;
use crate::identity::{
    Ban, BillingAddressDetails, CertificateDetails, Email, ExperienceLevel, Keywords,
    MultiLineText, Password, PersonName, PhoneNumber, Profile, RawBillingAddress, SingleLineText,
    Specialization, SpecializationName, Timezone, Username, WebUrl,
};
use crate::mentoring::availability::{
    Availability, Interval, MAX_QUERY_DAYS, MAX_WINDOWS, WeeklyWindow,
};
use crate::mentoring::{
    CancellationReason, Capacity, FeedbackText, MeetingUrl, MessageBody, Rating, RequestDetails,
    RequestMessage, RequestNote, RequestSubject, SessionDescription, SessionDetails,
    SessionDuration, SessionTitle,
};
use crate::wallet::{Adjustment, AdjustmentDirection, Points, Wallet};
use crate::{Currency, Money};

/// The code `result`'s error gives, or a panic naming the input that was accepted.
fn code<T: fmt::Debug, E: FieldRule>(result: Result<T, E>) -> &'static str {
    match result {
        Ok(value) => panic!("expected a refusal, got {value:?}"),
        Err(error) => error.violation().code(),
    }
}

#[test]
fn the_vocabulary_is_exactly_the_published_one() {
    let codes: Vec<_> = Violation::ALL.iter().map(|v| v.code()).collect();
    assert_eq!(
        codes,
        [
            "required",
            "invalid_type",
            "too_short",
            "too_long",
            "out_of_range",
            "invalid_format",
            "invalid_choice",
            "invalid_characters",
            "inconsistent",
            "not_allowed",
            "unknown_field",
        ]
    );
    assert_eq!(Violation::TooLong.to_string(), "too_long");
}

#[test]
fn account_values_give_their_codes() {
    assert_eq!(code(Email::parse("asha@example")), "invalid_format");
    assert_eq!(code(Email::parse("  ")), "required");
    assert_eq!(code(Username::parse("7samurai")), "invalid_format");
    assert_eq!(code(Username::parse("")), "required");
    assert_eq!(code(Password::parse("secret123")), "invalid_format");
    assert_eq!(code(Password::parse("")), "required");
    assert_eq!(
        code(Password::parse(&format!("Aa1{}", "x".repeat(130)))),
        "too_long"
    );
    assert_eq!(code(PersonName::parse(" ")), "required");
    assert_eq!(code(PersonName::parse(&"a".repeat(101))), "too_long");
    assert_eq!(code(PhoneNumber::parse("98765")), "invalid_format");
    assert_eq!(code(SpecializationName::parse("")), "required");
    assert_eq!(code(SpecializationName::parse("x")), "too_short");
    assert_eq!(
        code(SpecializationName::parse(&"x".repeat(101))),
        "too_long"
    );
}

#[test]
fn blank_values_keep_the_wording_of_their_rule() {
    // Only the code tells a blank value apart; clients already show these texts.
    assert_eq!(
        Email::parse("").unwrap_err().to_string(),
        "must be a valid email address"
    );
    assert_eq!(
        PersonName::parse("").unwrap_err().to_string(),
        "must be 1 to 100 characters"
    );
    assert_eq!(
        SessionTitle::parse("").unwrap_err().to_string(),
        "title must be 1 to 200 characters"
    );
}

#[test]
fn profile_values_give_their_codes() {
    assert_eq!(
        code(SingleLineText::<10>::parse(&"a".repeat(11))),
        "too_long"
    );
    assert_eq!(
        code(MultiLineText::<10>::parse(&"a".repeat(11))),
        "too_long"
    );
    assert_eq!(code(Timezone::parse("Mars/Olympus")), "invalid_format");
    assert_eq!(code(WebUrl::parse("javascript:alert(1)")), "invalid_format");
    assert_eq!(code(Keywords::parse(&[" "])), "required");
    assert_eq!(code(Keywords::parse(&["x".repeat(51)])), "too_long");
    let eleven: Vec<String> = (0..11).map(|i| format!("topic{i}")).collect();
    assert_eq!(code(Keywords::parse(&eleven)), "too_long");
    assert_eq!(code(ExperienceLevel::parse("guru")), "invalid_choice");
    assert_eq!(code(Profile::parse_years_experience(81)), "out_of_range");
}

#[test]
fn money_values_give_their_codes() {
    assert_eq!(code(Currency::parse("inr")), "invalid_format");
    let inr = Currency::parse("INR").unwrap();
    assert_eq!(code(Money::new(-1, inr)), "out_of_range");
}

#[test]
fn session_values_give_their_codes() {
    let now = datetime!(2026-01-01 10:00 UTC);
    assert_eq!(code(SessionTitle::parse(&"x".repeat(201))), "too_long");
    assert_eq!(code(SessionTitle::parse("   ")), "required");
    assert_eq!(
        code(SessionDescription::parse(&"x".repeat(5001))),
        "too_long"
    );
    assert_eq!(code(SessionDuration::minutes(10)), "out_of_range");
    assert_eq!(code(Capacity::new(0)), "out_of_range");
    assert_eq!(code(SessionDetails::check_start(now, now)), "out_of_range");
    let year_9999 = datetime!(9999-12-31 23:30 UTC);
    assert_eq!(
        code(SessionDetails::check_start(year_9999, now)),
        "out_of_range"
    );
    assert_eq!(code(MeetingUrl::parse("/room")), "invalid_format");
}

#[test]
fn request_values_give_their_codes() {
    let now = datetime!(2026-01-01 10:00 UTC);
    let me = Uuid::from_u128(1);
    assert_eq!(code(RequestSubject::parse("")), "required");
    assert_eq!(code(RequestSubject::parse(&"x".repeat(201))), "too_long");
    assert_eq!(code(RequestMessage::parse(&"x".repeat(2001))), "too_long");
    let refused = RequestDetails::parse(me, me, "Rust", "", now, 10, None, now).unwrap_err();
    let codes: Vec<_> = refused
        .iter()
        .map(|(field, error)| (*field, error.violation().code()))
        .collect();
    assert_eq!(
        codes,
        [
            ("mentor_id", "not_allowed"),
            ("proposed_start", "out_of_range"),
            ("duration_minutes", "out_of_range"),
        ]
    );
}

#[test]
fn other_mentoring_values_give_their_codes() {
    assert_eq!(code(Rating::new(6)), "out_of_range");
    assert_eq!(code(Rating::new(0)), "out_of_range");
    assert_eq!(code(FeedbackText::parse(&"x".repeat(2001))), "too_long");
    assert_eq!(
        code(CancellationReason::parse(&"x".repeat(501))),
        "too_long"
    );
    assert_eq!(code(MessageBody::parse(" ")), "required");
    assert_eq!(code(MessageBody::parse(&"x".repeat(2001))), "too_long");
}

#[test]
fn availability_values_give_their_codes() {
    let nine = time::macros::time!(9:00);
    let ten = time::macros::time!(10:00);
    assert_eq!(
        code(WeeklyWindow::new(time::Weekday::Monday, ten, nine)),
        "inconsistent"
    );
    assert_eq!(
        code(Availability::new("Mars/Olympus", vec![], vec![])),
        "invalid_format"
    );
    let window = WeeklyWindow::new(time::Weekday::Monday, nine, ten).unwrap();
    assert_eq!(
        code(Availability::new("UTC", vec![window, window], vec![])),
        "inconsistent"
    );
    assert_eq!(
        code(Availability::new(
            "UTC",
            vec![window; MAX_WINDOWS + 1],
            vec![]
        )),
        "too_long"
    );
    let from = datetime!(2026-01-01 00:00 UTC);
    assert_eq!(code(Interval::new(from, from)), "inconsistent");
    let week = Availability::new("UTC", vec![window], vec![]).unwrap();
    let hour = Duration::hours(1);
    assert_eq!(code(week.free_slots(from, from, hour, &[])), "inconsistent");
    let long = from + Duration::days(MAX_QUERY_DAYS + 1);
    assert_eq!(code(week.free_slots(from, long, hour, &[])), "out_of_range");
    let tomorrow = from + Duration::days(1);
    let odd = Duration::minutes(10);
    assert_eq!(
        code(week.free_slots(from, tomorrow, odd, &[])),
        "out_of_range"
    );
}

#[test]
fn wallet_values_give_their_codes() {
    assert_eq!(code(Points::new(-1)), "out_of_range");
    let wallet = Wallet {
        user_id: Uuid::from_u128(1),
        balance: Points::new(10).unwrap(),
        created_at: datetime!(2026-01-01 10:00 UTC),
        updated_at: datetime!(2026-01-01 10:00 UTC),
    };
    assert_eq!(code(wallet.balance_after(-11)), "not_allowed");
    assert_eq!(code(wallet.balance_after(i64::MAX)), "out_of_range");
    assert_eq!(
        code(Adjustment::new(AdjustmentDirection::Grant, 0, "x")),
        "out_of_range"
    );
    assert_eq!(
        code(Adjustment::new(AdjustmentDirection::Grant, 5, " ")),
        "required"
    );
    assert_eq!(
        code(Adjustment::new(
            AdjustmentDirection::Grant,
            5,
            &"x".repeat(501)
        )),
        "too_long"
    );
}

#[test]
fn check_records_the_field_code_and_unchanged_wording() {
    let mut errors = FieldErrors::new();
    assert_eq!(errors.check("rating", Rating::new(6)), None);
    assert_eq!(
        errors.check("capacity", Capacity::new(3)).unwrap().seats(),
        3
    );
    errors.push(
        "role",
        Violation::InvalidChoice,
        "must be 'learner' or 'mentor'",
    );
    assert_eq!(
        errors.into_vec(),
        [
            FieldError::new(
                "rating",
                Violation::OutOfRange,
                "must be an integer from 1 to 5"
            ),
            FieldError::new(
                "role",
                Violation::InvalidChoice,
                "must be 'learner' or 'mentor'"
            ),
        ]
    );
}

#[test]
fn whole_forms_report_each_field_with_its_code() {
    let certificate = CertificateDetails::parse(
        "",
        "Amazon",
        date!(2027 - 01 - 10),
        "not a url",
        date!(2026 - 06 - 01),
    )
    .unwrap_err();
    assert_eq!(
        certificate.field_codes(),
        [
            ("title", "required"),
            ("certificate_url", "invalid_format"),
            ("issue_date", "out_of_range"),
        ]
    );

    let address = BillingAddressDetails::parse(RawBillingAddress {
        first_name: "Asha",
        last_name: "Kumar",
        email: "asha@example.com",
        address_line1: "1 MG Road",
        city: &"x".repeat(101),
        state: "KA",
        postal_code: "560001",
        country: "India",
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(
        address.field_codes(),
        [("city", "too_long"), ("country", "invalid_format"),]
    );
}

/// The message of `result`'s error, or a panic naming the input that was accepted.
fn refusal<T: fmt::Debug, E: FieldRule>(result: Result<T, E>) -> (&'static str, String) {
    match result {
        Ok(value) => panic!("expected a refusal, got {value:?}"),
        Err(error) => (error.violation().code(), error.to_string()),
    }
}

const SINGLE: (&str, &str) = (
    "invalid_characters",
    "must be a single line without control characters",
);
const MULTI: (&str, &str) = (
    "invalid_characters",
    "must not contain control characters other than tabs and line breaks",
);

/// What a single-line field must refuse: a tab, a line feed, a bell, a C1 next-line and
/// the Unicode line separator, each inside an otherwise valid value.
const NOT_ONE_LINE: [char; 5] = ['\t', '\n', '\u{7}', '\u{85}', '\u{2028}'];

fn with(c: char, value: &str) -> String {
    let (head, tail) = value.split_at(value.len() / 2);
    format!("{head}{c}{tail}")
}

fn assert_single_line<T: fmt::Debug, E: FieldRule>(
    what: &str,
    valid: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) {
    assert!(
        parse(valid).is_ok(),
        "{what}: the sample {valid:?} is refused"
    );
    for c in NOT_ONE_LINE {
        let raw = with(c, valid);
        let (code, message) = refusal(parse(&raw));
        assert_eq!((code, message.as_str()), SINGLE, "{what}: {raw:?}");
    }
    let (code, message) = refusal(parse(&format!("{valid}\n")));
    assert_eq!(
        (code, message.as_str()),
        SINGLE,
        "{what}: checked before trimming"
    );
}

fn assert_multi_line<T: fmt::Debug, E: FieldRule>(
    what: &str,
    valid: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) {
    for c in ['\t', '\n', '\r', '\u{2028}', '\u{2029}'] {
        let raw = with(c, valid);
        assert!(parse(&raw).is_ok(), "{what}: {raw:?} is refused");
    }
    for c in [
        '\u{0}', '\u{7}', '\u{b}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}',
    ] {
        let raw = with(c, valid);
        let (code, message) = refusal(parse(&raw));
        assert_eq!((code, message.as_str()), MULTI, "{what}: {raw:?}");
    }
}

#[test]
fn account_values_are_single_line_and_passwords_refuse_only_nul() {
    assert_single_line("email", "asha@example.com", Email::parse);
    assert_single_line("username", "ashakumar", Username::parse);
    assert_single_line("phone", "+919876543210", PhoneNumber::parse);
    assert_single_line("name", "Asha Kumar", PersonName::parse);
    assert_single_line("specialization", "Databases", SpecializationName::parse);
    assert!(Password::parse("Se\tcret\u{7}123").is_ok());
    assert_eq!(
        refusal(Password::parse("Secret\u{0}123")),
        (
            "invalid_characters",
            "must not contain the NUL character (U+0000)".to_owned()
        )
    );
}

#[test]
fn profile_values_follow_their_kind_of_text() {
    assert_single_line(
        "single-line text",
        "Bengaluru",
        SingleLineText::<200>::parse,
    );
    assert_multi_line(
        "multi-line text",
        "I teach Rust.",
        MultiLineText::<1000>::parse,
    );
    assert_single_line("time zone", "Asia/Kolkata", Timezone::parse);
    assert_single_line("url", "https://github.com/asha", WebUrl::parse);
    assert_single_line("keyword", "Rust", |raw| Keywords::parse(&[raw]));
    assert_multi_line("specialization description", "Tables.", |raw| {
        Specialization::parse_description(raw)
    });
}

#[test]
fn declared_certificates_and_billing_addresses_are_single_line_but_for_notes() {
    let today = date!(2026 - 06 - 01);
    let certificate = |title: &str, issuer: &str| {
        CertificateDetails::parse(
            title,
            issuer,
            date!(2025 - 01 - 10),
            "https://aws.example/c/1",
            today,
        )
    };
    assert_eq!(
        certificate("AWS\nSA", "Amazon\t")
            .unwrap_err()
            .field_codes(),
        [
            ("title", "invalid_characters"),
            ("issuer", "invalid_characters")
        ]
    );
    let address = |notes: &'static str, city: &'static str, country: &'static str| {
        BillingAddressDetails::parse(RawBillingAddress {
            first_name: "Asha",
            last_name: "Kumar",
            email: "asha@example.com",
            address_line1: "1 MG Road",
            city,
            state: "KA",
            postal_code: "560001",
            country,
            notes: Some(notes),
            ..Default::default()
        })
    };
    let kept = address("Gate 2.\nRing twice.", "Bengaluru", "IN").unwrap();
    assert_eq!(kept.notes.unwrap().as_str(), "Gate 2.\nRing twice.");
    assert_eq!(
        address("Ring\u{7}", "Benga\nluru", "IN\n")
            .unwrap_err()
            .field_codes(),
        [
            ("city", "invalid_characters"),
            ("country", "invalid_characters"),
            ("notes", "invalid_characters"),
        ]
    );
}

#[test]
fn mentoring_titles_are_single_line_and_texts_multi_line() {
    assert_single_line("session title", "Ownership in Rust", SessionTitle::parse);
    assert_multi_line(
        "session description",
        "Borrowing.",
        SessionDescription::parse,
    );
    assert_single_line(
        "meeting url",
        "https://meet.example.com/r",
        MeetingUrl::parse,
    );
    assert_single_line("request subject", "Async Rust", RequestSubject::parse);
    assert_multi_line("request message", "Could we meet?", RequestMessage::parse);
    assert_multi_line("request note", "Evenings.", RequestNote::parse);
    assert_multi_line("message", "See you at ten.", MessageBody::parse);
    assert_multi_line("feedback", "Very clear.", FeedbackText::parse);
    assert_multi_line(
        "cancellation reason",
        "I am ill.",
        CancellationReason::parse,
    );
    assert_single_line("availability time zone", "Asia/Kolkata", |raw| {
        Availability::new(raw, vec![], vec![])
    });
}

#[test]
fn admin_texts_follow_their_kind_of_text() {
    assert_single_line("ledger reason", "Welcome bonus", |raw| {
        Adjustment::new(AdjustmentDirection::Grant, 5, raw)
    });
    let now = datetime!(2026-01-01 10:00 UTC);
    assert!(Ban::new("Spam.\n\tRepeated links.", None, now).is_ok());
    assert_eq!(
        Ban::new("Spam\u{85}", None, now).unwrap_err().into_vec(),
        [FieldError::new(
            "reason",
            Violation::InvalidCharacters,
            MULTI.1
        )]
    );
}
