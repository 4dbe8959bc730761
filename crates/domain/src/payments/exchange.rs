//! Exchange rates kept by admins (MedicalEdu multi-currency), used only to show a price
//! approximately in a viewer's preferred currency. Nothing is ever charged in a converted
//! amount: a price is charged in its own currency.

use time::OffsetDateTime;

use crate::money::{Currency, Money, MoneyError};
use crate::validation::{FieldRule, Violation};

/// How many parts a rate is counted in: rates are exact decimals with up to nine digits
/// after the point, stored as integers, never floats.
const RATE_SCALE: i128 = 1_000_000_000;

/// One unit of `from` is worth `rate` units of `to` (major units: 1 USD = 83.125 INR),
/// from `effective_from` until a later rate for the same pair takes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExchangeRate {
    /// The currency converted from.
    pub from: Currency,
    /// The currency converted to.
    pub to: Currency,
    /// Parts per billion: 83.125 is 83_125_000_000.
    rate_ppb: i64,
    /// From when it applies.
    pub effective_from: OffsetDateTime,
}

/// Why a rate was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeRateError {
    /// Not a decimal number such as `83.125`.
    #[error("a rate is a decimal number such as 83.125, with at most 9 decimals")]
    Format,
    /// Zero or less.
    #[error("a rate must be more than zero")]
    NotPositive,
    /// A currency to itself.
    #[error("a rate converts between two different currencies")]
    SameCurrency,
}

impl FieldRule for ExchangeRateError {
    fn violation(&self) -> Violation {
        match self {
            ExchangeRateError::Format => Violation::InvalidFormat,
            ExchangeRateError::NotPositive => Violation::OutOfRange,
            ExchangeRateError::SameCurrency => Violation::Inconsistent,
        }
    }
}

impl ExchangeRate {
    /// Parses `rate` as an exact decimal (`"83.125"`, `"0.012"`, `"150"`).
    pub fn parse(
        from: Currency,
        to: Currency,
        rate: &str,
        effective_from: OffsetDateTime,
    ) -> Result<Self, ExchangeRateError> {
        if from == to {
            return Err(ExchangeRateError::SameCurrency);
        }
        let (whole, fraction) = rate.trim().split_once('.').unwrap_or((rate.trim(), ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 9 {
            return Err(ExchangeRateError::Format);
        }
        let whole: i64 = whole.parse().map_err(|_| ExchangeRateError::Format)?;
        let fraction_ppb: i64 = format!("{fraction:0<9}")
            .parse()
            .map_err(|_| ExchangeRateError::Format)?;
        let rate_ppb = whole
            .checked_mul(RATE_SCALE as i64)
            .and_then(|w| w.checked_add(fraction_ppb))
            .ok_or(ExchangeRateError::Format)?;
        Self::from_ppb(from, to, rate_ppb, effective_from)
    }

    /// A rate stored as parts per billion (how adapters read it back).
    pub fn from_ppb(
        from: Currency,
        to: Currency,
        rate_ppb: i64,
        effective_from: OffsetDateTime,
    ) -> Result<Self, ExchangeRateError> {
        if from == to {
            return Err(ExchangeRateError::SameCurrency);
        }
        if rate_ppb <= 0 {
            return Err(ExchangeRateError::NotPositive);
        }
        Ok(Self {
            from,
            to,
            rate_ppb,
            effective_from,
        })
    }

    /// The rate in parts per billion.
    pub fn rate_ppb(&self) -> i64 {
        self.rate_ppb
    }

    /// The rate as people write it, without trailing zeros: `83.125`.
    pub fn rate_string(&self) -> String {
        let whole = self.rate_ppb / RATE_SCALE as i64;
        let fraction = self.rate_ppb % RATE_SCALE as i64;
        if fraction == 0 {
            return whole.to_string();
        }
        let fraction = format!("{fraction:09}");
        format!("{whole}.{}", fraction.trim_end_matches('0'))
    }
}

/// An amount converted for display only. Its type says so: there is no way to charge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Approximate(pub Money);

/// `money` shown in `target` with the latest of `rates` for that pair effective at `now`
/// (none when there is no such rate, or when `money` is already in `target`: then the
/// exact amount is shown instead). Minor units are accounted for (JPY has none, KWD
/// three) and the result is rounded half up to the target's minor unit.
pub fn approximate(
    money: Money,
    target: Currency,
    rates: &[ExchangeRate],
    now: OffsetDateTime,
) -> Result<Option<Approximate>, MoneyError> {
    if money.currency() == target {
        return Ok(None);
    }
    let Some(rate) = rates
        .iter()
        .filter(|r| r.from == money.currency() && r.to == target && r.effective_from <= now)
        .max_by_key(|r| r.effective_from)
    else {
        return Ok(None);
    };
    let from_units = 10_i128.pow(money.currency().minor_units());
    let to_units = 10_i128.pow(target.minor_units());
    let numerator = i128::from(money.amount_minor()) * i128::from(rate.rate_ppb) * to_units;
    let denominator = RATE_SCALE * from_units;
    let rounded = (numerator + denominator / 2) / denominator;
    let amount = i64::try_from(rounded).map_err(|_| MoneyError::Overflow)?;
    Ok(Some(Approximate(Money::new(amount, target)?)))
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;

    const NOW: OffsetDateTime = OffsetDateTime::UNIX_EPOCH;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    fn rate(from: &str, to: &str, value: &str, days_ago: i64) -> ExchangeRate {
        ExchangeRate::parse(cur(from), cur(to), value, NOW - Duration::days(days_ago)).unwrap()
    }

    #[test]
    fn rates_are_exact_decimals() {
        let r = rate("USD", "INR", "83.125", 0);
        assert_eq!(r.rate_ppb(), 83_125_000_000);
        assert_eq!(r.rate_string(), "83.125");
        assert_eq!(rate("JPY", "USD", "0.0067", 0).rate_string(), "0.0067");
        assert_eq!(rate("USD", "JPY", "150", 0).rate_string(), "150");
        for bad in ["", "abc", "1.2.3", "-1", "1.1234567891", ".5"] {
            assert_eq!(
                ExchangeRate::parse(cur("USD"), cur("INR"), bad, NOW),
                Err(ExchangeRateError::Format),
                "{bad:?}"
            );
        }
        assert_eq!(
            ExchangeRate::parse(cur("USD"), cur("INR"), "0", NOW),
            Err(ExchangeRateError::NotPositive)
        );
        assert_eq!(
            ExchangeRate::parse(cur("USD"), cur("USD"), "1", NOW),
            Err(ExchangeRateError::SameCurrency)
        );
    }

    #[test]
    fn conversion_accounts_for_minor_units_and_rounds_half_up() {
        let usd = |minor| Money::new(minor, cur("USD")).unwrap();
        let rates = [
            rate("USD", "JPY", "150.5", 1),
            rate("USD", "KWD", "0.3075", 1),
            rate("JPY", "USD", "0.0067", 1),
        ];
        // 12.34 USD × 150.5 = 1857.17 JPY → 1857 (no minor unit).
        assert_eq!(
            approximate(usd(1_234), cur("JPY"), &rates, NOW).unwrap(),
            Some(Approximate(Money::new(1_857, cur("JPY")).unwrap()))
        );
        // 12.34 USD × 0.3075 = 3.79455 KWD → 3.795 (three minor units, half up).
        assert_eq!(
            approximate(usd(1_234), cur("KWD"), &rates, NOW).unwrap(),
            Some(Approximate(Money::new(3_795, cur("KWD")).unwrap()))
        );
        // 500 JPY × 0.0067 = 3.35 USD.
        let yen = Money::new(500, cur("JPY")).unwrap();
        assert_eq!(
            approximate(yen, cur("USD"), &rates, NOW).unwrap(),
            Some(Approximate(usd(335)))
        );
    }

    #[test]
    fn the_latest_effective_rate_is_used_and_none_without_one() {
        let usd = Money::new(100, cur("USD")).unwrap();
        let rates = [
            rate("USD", "INR", "80", 10),
            rate("USD", "INR", "83", 1),
            rate("USD", "INR", "90", -5), // not effective yet
        ];
        assert_eq!(
            approximate(usd, cur("INR"), &rates, NOW).unwrap(),
            Some(Approximate(Money::new(8_300, cur("INR")).unwrap()))
        );
        assert_eq!(approximate(usd, cur("EUR"), &rates, NOW).unwrap(), None);
        assert_eq!(approximate(usd, cur("USD"), &rates, NOW).unwrap(), None);
    }
}
