//! What a checkout charges: the price, less a promo code's discount, less the points the
//! payer spends. The server computes it; a client never sends an amount.

use std::collections::HashMap;

use crate::money::{Currency, Money, MoneyError};
use crate::validation::{FieldRule, Violation};
use crate::wallet::Points;

/// What one point is worth, per currency, as configured (Explaino and Edupeak points).
/// A currency without a rate cannot be paid with points: points are never converted
/// through another currency.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PointsRate {
    minor_per_point: HashMap<Currency, i64>,
}

impl PointsRate {
    /// No currency can be paid with points.
    pub fn none() -> Self {
        Self::default()
    }

    /// One point is worth `minor_per_point` minor units of `currency` (e.g. 100 paise, one
    /// rupee, per point). Refuses zero or less: a point worth nothing would let a payer
    /// spend points for no discount.
    pub fn with(mut self, currency: Currency, minor_per_point: i64) -> Result<Self, MoneyError> {
        if minor_per_point <= 0 {
            return Err(MoneyError::Negative);
        }
        self.minor_per_point.insert(currency, minor_per_point);
        Ok(self)
    }

    /// The worth of one point in `currency`, if points pay in it.
    pub fn minor_per_point(&self, currency: Currency) -> Option<i64> {
        self.minor_per_point.get(&currency).copied()
    }
}

/// Why a checkout could not be priced as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckoutError {
    /// Points do not pay in this currency.
    #[error("points cannot pay for prices in {currency}")]
    PointsNotAccepted {
        /// The price's currency.
        currency: Currency,
    },
    /// More points than what remains to pay after the discount is worth.
    #[error("at most {max} points can be spent on this purchase")]
    TooManyPoints {
        /// The most points that can be spent.
        max: i64,
    },
    /// More points than the wallet holds.
    #[error("insufficient points: balance {balance}, requested {requested}")]
    InsufficientPoints {
        /// Points in the wallet.
        balance: i64,
        /// Points asked for.
        requested: i64,
    },
    /// The discount and the price are in different currencies or out of range.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl FieldRule for CheckoutError {
    fn violation(&self) -> Violation {
        match self {
            CheckoutError::PointsNotAccepted { .. } | CheckoutError::InsufficientPoints { .. } => {
                Violation::NotAllowed
            }
            CheckoutError::TooManyPoints { .. } => Violation::OutOfRange,
            CheckoutError::Money(e) => e.violation(),
        }
    }
}

/// What a checkout costs, line by line; `amount` is what the provider charges.
/// Always `amount + discount + points_value == price`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    /// The list price.
    pub price: Money,
    /// Taken off by a promo code.
    pub discount: Money,
    /// Points spent.
    pub points_used: Points,
    /// What those points are worth.
    pub points_value: Money,
    /// Left to pay through the provider; zero when the discount and points cover all.
    pub amount: Money,
}

/// Prices a checkout. Points pay only for what remains after the discount (a payer who
/// asks for more is told the most they can spend rather than losing points for nothing),
/// never more than the wallet holds, and only in a currency with a points rate.
pub fn price_checkout(
    price: Money,
    discount: Money,
    points_requested: Points,
    balance: Points,
    rate: &PointsRate,
) -> Result<Quote, CheckoutError> {
    let after_discount = price.checked_sub(discount.min(price)?)?;
    let discount = price.checked_sub(after_discount)?;
    let currency = price.currency();
    let (points_used, points_value) = if points_requested == Points::ZERO {
        (Points::ZERO, Money::zero(currency))
    } else {
        let per_point = rate
            .minor_per_point(currency)
            .ok_or(CheckoutError::PointsNotAccepted { currency })?;
        let max = after_discount.amount_minor() / per_point;
        if points_requested.value() > max {
            return Err(CheckoutError::TooManyPoints { max });
        }
        if points_requested > balance {
            return Err(CheckoutError::InsufficientPoints {
                balance: balance.value(),
                requested: points_requested.value(),
            });
        }
        // ≤ after_discount by the check above, so no overflow.
        let value = Money::new(points_requested.value() * per_point, currency)?;
        (points_requested, value)
    };
    let amount = after_discount.checked_sub(points_value)?;
    Ok(Quote {
        price,
        discount,
        points_used,
        points_value,
        amount,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn inr(amount: i64) -> Money {
        Money::new(amount, Currency::parse("INR").unwrap()).unwrap()
    }

    fn pts(n: i64) -> Points {
        Points::new(n).unwrap()
    }

    fn rupee_a_point() -> PointsRate {
        PointsRate::none()
            .with(Currency::parse("INR").unwrap(), 100)
            .unwrap()
    }

    #[test]
    fn price_less_discount_less_points_is_what_the_provider_charges() {
        let q = price_checkout(
            inr(49_900),
            inr(4_990),
            pts(100),
            pts(500),
            &rupee_a_point(),
        )
        .unwrap();
        assert_eq!(q.points_value, inr(10_000));
        assert_eq!(q.amount, inr(49_900 - 4_990 - 10_000));
    }

    #[test]
    fn points_can_cover_everything_left_but_not_more() {
        let q =
            price_checkout(inr(10_000), inr(2_000), pts(80), pts(500), &rupee_a_point()).unwrap();
        assert!(q.amount.is_zero());
        assert_eq!(
            price_checkout(inr(10_000), inr(2_000), pts(81), pts(500), &rupee_a_point()),
            Err(CheckoutError::TooManyPoints { max: 80 })
        );
    }

    #[test]
    fn points_are_limited_by_the_wallet_and_the_currency() {
        assert_eq!(
            price_checkout(inr(10_000), inr(0), pts(50), pts(20), &rupee_a_point()),
            Err(CheckoutError::InsufficientPoints {
                balance: 20,
                requested: 50
            })
        );
        assert_eq!(
            price_checkout(inr(10_000), inr(0), pts(5), pts(20), &PointsRate::none()),
            Err(CheckoutError::PointsNotAccepted {
                currency: Currency::parse("INR").unwrap()
            })
        );
        // Without points, no rate is needed.
        assert!(price_checkout(inr(10_000), inr(0), pts(0), pts(0), &PointsRate::none()).is_ok());
    }

    #[test]
    fn a_discount_larger_than_the_price_makes_it_free_not_negative() {
        let q = price_checkout(inr(500), inr(900), pts(0), pts(0), &PointsRate::none()).unwrap();
        assert_eq!((q.discount, q.amount), (inr(500), inr(0)));
    }

    proptest! {
        #[test]
        fn the_lines_always_add_up_to_the_price(
            price in 0_i64..100_000_000,
            discount in 0_i64..100_000_000,
            points in 0_i64..2_000_000,
            balance in 0_i64..2_000_000,
            per_point in 1_i64..1_000,
        ) {
            let rate = PointsRate::none().with(Currency::parse("INR").unwrap(), per_point).unwrap();
            if let Ok(q) = price_checkout(inr(price), inr(discount), pts(points), pts(balance), &rate) {
                prop_assert_eq!(
                    q.amount.amount_minor() + q.discount.amount_minor() + q.points_value.amount_minor(),
                    price
                );
                prop_assert!(q.points_used.value() <= balance);
                prop_assert_eq!(q.points_value.amount_minor(), q.points_used.value() * per_point);
            }
        }
    }
}
