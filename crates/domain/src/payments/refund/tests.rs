use proptest::prelude::*;

use super::*;
use crate::money::Currency;
use crate::payments::payment::tests::payment;
use crate::payments::payment::{Payment, PaymentStatus};

const NOW: OffsetDateTime = OffsetDateTime::UNIX_EPOCH;

fn inr(amount: i64) -> Money {
    Money::new(amount, Currency::parse("INR").unwrap()).unwrap()
}

fn paid(amount: i64, refunded: i64) -> Payment {
    let status = if refunded > 0 {
        PaymentStatus::PartiallyRefunded
    } else {
        PaymentStatus::Succeeded
    };
    payment(amount, refunded, status)
}

fn reason() -> RefundReason {
    RefundReason::parse("the session was cancelled").unwrap()
}

fn request(payment: &Payment, amount: i64, in_flight: i64) -> Result<Refund, RefundError> {
    Refund::request(
        Uuid::from_u128(9),
        payment,
        inr(amount),
        inr(in_flight),
        reason(),
        None,
        NOW,
    )
}

#[test]
fn refunds_never_exceed_what_was_paid_counting_those_in_flight() {
    let payment = paid(10_000, 3_000);
    assert!(request(&payment, 7_000, 0).is_ok());
    assert_eq!(
        request(&payment, 7_001, 0),
        Err(RefundError::ExceedsRefundable {
            refundable: inr(7_000)
        })
    );
    assert_eq!(
        request(&payment, 5_000, 4_000),
        Err(RefundError::ExceedsRefundable {
            refundable: inr(3_000)
        })
    );
    assert_eq!(request(&payment, 0, 0), Err(RefundError::Zero));
    let usd = Money::new(100, Currency::parse("USD").unwrap()).unwrap();
    assert_eq!(
        Refund::request(Uuid::nil(), &payment, usd, inr(0), reason(), None, NOW),
        Err(RefundError::OtherCurrency)
    );
    let mut pending = paid(10_000, 0);
    pending.status = PaymentStatus::Pending;
    assert_eq!(request(&pending, 1, 0), Err(RefundError::NotPaid));
}

#[test]
fn a_reason_is_one_line_of_at_most_500_characters() {
    assert_eq!(RefundReason::parse("  "), Err(RefundError::ReasonRequired));
    assert_eq!(
        RefundReason::parse(&"x".repeat(501)),
        Err(RefundError::ReasonTooLong)
    );
    assert!(matches!(
        RefundReason::parse("two\nlines"),
        Err(RefundError::ReasonCharacters(_))
    ));
    assert_eq!(
        RefundReason::parse(" duplicate ").unwrap().as_str(),
        "duplicate"
    );
}

#[test]
fn a_failing_refund_backs_off_then_is_parked_and_an_admin_retry_starts_over() {
    let mut refund = request(&paid(10_000, 0), 10_000, 0).unwrap();
    refund
        .attempt_failed("provider unavailable".into(), NOW)
        .unwrap();
    assert_eq!(refund.next_attempt_at, Some(NOW + Duration::minutes(1)));
    refund
        .attempt_failed("provider unavailable".into(), NOW)
        .unwrap();
    assert_eq!(refund.next_attempt_at, Some(NOW + Duration::minutes(2)));
    for _ in 2..MAX_REFUND_ATTEMPTS {
        refund.attempt_failed("still down".into(), NOW).unwrap();
    }
    assert_eq!(refund.status, RefundStatus::Failed);
    assert_eq!(refund.next_attempt_at, None);
    assert_eq!(refund.last_error.as_deref(), Some("still down"));
    assert!(refund.attempt_failed("again".into(), NOW).is_err());
    refund.retry(NOW).unwrap();
    assert_eq!((refund.status, refund.attempts), (RefundStatus::Pending, 0));
    refund.succeed(Some("re_1".into()), NOW).unwrap();
    assert_eq!(refund.status, RefundStatus::Succeeded);
    assert_eq!(
        refund.retry(NOW),
        Err(RefundError::InvalidTransition {
            from: RefundStatus::Succeeded,
            to: RefundStatus::Pending
        })
    );
}

#[test]
fn backoff_doubles_from_a_minute_up_to_six_hours() {
    let minutes: Vec<i64> = (1..=12)
        .map(|a| Refund::retry_after(a).whole_minutes())
        .collect();
    assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360, 360]);
    assert_eq!(Refund::retry_after(u32::MAX).whole_minutes(), 360);
}

proptest! {
    /// Whatever sequence of refund requests arrives, those accepted never add up to more
    /// than was paid — the rule the database guards too.
    #[test]
    fn accepted_refunds_never_add_up_to_more_than_was_paid(
        paid_amount in 1_i64..1_000_000,
        asks in prop::collection::vec(0_i64..400_000, 0..20),
    ) {
        let payment = paid(paid_amount, 0);
        let mut reserved = 0_i64;
        for ask in asks {
            if request(&payment, ask, reserved).is_ok() {
                reserved += ask;
            }
        }
        prop_assert!(reserved <= paid_amount);
    }
}
