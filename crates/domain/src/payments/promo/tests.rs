use proptest::prelude::*;
use time::Duration;

use super::*;

const NOW: OffsetDateTime = OffsetDateTime::UNIX_EPOCH;

fn cur(code: &str) -> Currency {
    Currency::parse(code).unwrap()
}

fn money(amount: i64, code: &str) -> Money {
    Money::new(amount, cur(code)).unwrap()
}

fn terms(discount: Discount) -> PromoTerms {
    PromoTerms {
        discount,
        valid_from: NOW - Duration::days(1),
        valid_until: Some(NOW + Duration::days(1)),
        max_uses: None,
        max_uses_per_user: None,
        minimum_order: None,
        scope: PromoScope::Everything,
        active: true,
    }
}

fn code(terms: PromoTerms) -> PromoCode {
    PromoCode {
        id: Uuid::nil(),
        code: PromoCodeText::parse("SPRING25").unwrap(),
        terms,
        created_at: NOW,
    }
}

fn session(price: Money) -> PricedItem {
    PricedItem {
        kind: PurchaseKind::Booking,
        item_id: Uuid::from_u128(7),
        price,
    }
}

#[test]
fn codes_are_one_code_whatever_the_case() {
    assert_eq!(
        PromoCodeText::parse(" spring-25 ").unwrap(),
        PromoCodeText::parse("SPRING-25").unwrap()
    );
    assert_eq!(PromoCodeText::parse("ab"), Err(PromoCodeError::TooShort));
    assert_eq!(
        PromoCodeText::parse(&"A".repeat(33)),
        Err(PromoCodeError::TooLong)
    );
    assert_eq!(
        PromoCodeText::parse("SPRING 25"),
        Err(PromoCodeError::Format)
    );
    assert_eq!(PromoCodeText::parse("ÉTÉ25"), Err(PromoCodeError::Format));
    assert!(matches!(
        PromoCodeText::parse("SPRING\n25"),
        Err(PromoCodeError::Characters(_))
    ));
    assert_eq!(PromoCodeText::parse("   "), Err(PromoCodeError::Required));
}

#[test]
fn a_percentage_is_rounded_down_to_the_minor_unit() {
    let ten = Discount::Percent(10);
    assert_eq!(ten.off(money(999, "INR")), Ok(money(99, "INR")));
    assert_eq!(ten.off(money(5, "JPY")), Ok(money(0, "JPY")));
    assert_eq!(
        Discount::Percent(100).off(money(4_999, "KWD")),
        Ok(money(4_999, "KWD"))
    );
}

#[test]
fn a_fixed_discount_never_exceeds_the_price() {
    let fixed = Discount::Fixed(money(50_000, "INR"));
    assert_eq!(fixed.off(money(49_900, "INR")), Ok(money(49_900, "INR")));
    assert_eq!(fixed.off(money(90_000, "INR")), Ok(money(50_000, "INR")));
}

#[test]
fn a_code_applies_within_its_window_only() {
    let c = code(terms(Discount::Percent(20)));
    let item = session(money(10_000, "INR"));
    assert_eq!(
        c.quote(&item, NOW, PromoUsage::default()),
        Ok(money(2_000, "INR"))
    );
    assert_eq!(
        c.quote(&item, NOW - Duration::days(2), PromoUsage::default()),
        Err(PromoRefusal::NotYetValid {
            from: NOW - Duration::days(1)
        })
    );
    // The end is exclusive.
    assert_eq!(
        c.quote(&item, NOW + Duration::days(1), PromoUsage::default()),
        Err(PromoRefusal::Expired {
            until: NOW + Duration::days(1)
        })
    );
    let mut off = c.clone();
    off.terms.active = false;
    assert_eq!(
        off.quote(&item, NOW, PromoUsage::default()),
        Err(PromoRefusal::Inactive)
    );
}

#[test]
fn use_limits_count_everyone_and_each_payer() {
    let mut t = terms(Discount::Percent(20));
    t.max_uses = Some(10);
    t.max_uses_per_user = Some(2);
    let c = code(t);
    let item = session(money(10_000, "INR"));
    let usage = |total, by_payer| PromoUsage { total, by_payer };
    assert!(c.quote(&item, NOW, usage(9, 1)).is_ok());
    assert_eq!(c.quote(&item, NOW, usage(10, 0)), Err(PromoRefusal::UsedUp));
    assert_eq!(
        c.quote(&item, NOW, usage(5, 2)),
        Err(PromoRefusal::UsedUpForYou)
    );
}

#[test]
fn scope_minimum_and_currency_are_checked() {
    let item = session(money(10_000, "INR"));
    let mut courses = terms(Discount::Percent(20));
    courses.scope = PromoScope::Courses;
    assert_eq!(
        code(courses).quote(&item, NOW, PromoUsage::default()),
        Err(PromoRefusal::NotForThisItem)
    );
    let mut listed = terms(Discount::Percent(20));
    listed.scope = PromoScope::Items(vec![Uuid::from_u128(7)]);
    assert!(
        code(listed)
            .quote(&item, NOW, PromoUsage::default())
            .is_ok()
    );

    let mut minimum = terms(Discount::Percent(20));
    minimum.minimum_order = Some(money(20_000, "INR"));
    assert_eq!(
        code(minimum).quote(&item, NOW, PromoUsage::default()),
        Err(PromoRefusal::BelowMinimum {
            minimum: money(20_000, "INR")
        })
    );
    let dollars = terms(Discount::Fixed(money(500, "USD")));
    assert_eq!(
        code(dollars).quote(&item, NOW, PromoUsage::default()),
        Err(PromoRefusal::OtherCurrency {
            code_currency: cur("USD")
        })
    );
}

#[test]
fn terms_that_could_never_work_are_refused_with_their_field() {
    let check = |f: fn(&mut PromoTerms)| {
        let mut t = terms(Discount::Percent(10));
        f(&mut t);
        t.check().map_err(|e| (PromoTerms::field_of(&e), e))
    };
    assert_eq!(check(|_| {}), Ok(()));
    assert_eq!(
        check(|t| t.discount = Discount::Percent(0)),
        Err(("discount", PromoCodeError::Percent))
    );
    assert_eq!(
        check(|t| t.discount = Discount::Percent(101)),
        Err(("discount", PromoCodeError::Percent))
    );
    assert_eq!(
        check(|t| t.valid_until = Some(t.valid_from)),
        Err(("valid_until", PromoCodeError::EmptyWindow))
    );
    assert_eq!(
        check(|t| t.max_uses = Some(0)),
        Err(("max_uses_per_user", PromoCodeError::ZeroLimit))
    );
    assert_eq!(
        check(|t| {
            t.max_uses = Some(1);
            t.max_uses_per_user = Some(2);
        }),
        Err(("max_uses_per_user", PromoCodeError::PerUserAboveTotal))
    );
    assert_eq!(
        check(|t| t.scope = PromoScope::Items(vec![])),
        Err(("scope", PromoCodeError::NoItems))
    );
    assert_eq!(
        check(|t| {
            t.discount = Discount::Fixed(money(100, "USD"));
            t.minimum_order = Some(money(1_000, "INR"));
        }),
        Err(("minimum_order", PromoCodeError::MinimumCurrency))
    );
}

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(vec!["INR", "USD", "JPY", "KWD"]).prop_map(cur)
}

proptest! {
    #[test]
    fn a_discount_never_exceeds_the_price_nor_the_exact_percentage(
        amount in 0_i64..=i64::MAX / 100,
        percent in 1_u8..=100,
        currency in currency(),
    ) {
        let price = Money::new(amount, currency).unwrap();
        let off = Discount::Percent(percent).off(price).unwrap();
        prop_assert!(off.amount_minor() <= price.amount_minor());
        // Rounded down: never more than the exact percentage, less by under one minor unit.
        let exact = i128::from(amount) * i128::from(percent);
        prop_assert!(i128::from(off.amount_minor()) * 100 <= exact);
        prop_assert!(exact - i128::from(off.amount_minor()) * 100 < 100);
        prop_assert_eq!(off.currency(), currency);
        prop_assert_eq!(Discount::Percent(percent).off(price).unwrap(), off);
    }

    #[test]
    fn a_fixed_discount_leaves_a_total_of_zero_or_more(
        amount in 0_i64..10_000_000,
        fixed in 1_i64..10_000_000,
    ) {
        let price = money(amount, "INR");
        let off = Discount::Fixed(money(fixed, "INR")).off(price).unwrap();
        prop_assert!(price.checked_sub(off).is_ok());
        prop_assert_eq!(off.amount_minor(), amount.min(fixed));
    }
}
