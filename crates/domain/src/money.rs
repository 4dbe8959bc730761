//! Money as integer minor units plus an ISO 4217 currency (never floats; docs/domain-model.md).
//! Points are a separate unit and live in [`crate::wallet`].

use std::fmt;

use crate::validation::{FieldRule, Violation};

/// Why a money value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Prices and rates are never negative.
    #[error("amount must not be negative")]
    Negative,
    /// Not three upper-case letters.
    #[error("currency must be an ISO 4217 code of three upper-case letters")]
    BadCurrency,
    /// Amounts in two currencies were added or compared: Lyceum never converts silently.
    #[error("{left} and {right} cannot be combined: amounts are never converted")]
    CurrencyMismatch {
        /// The first amount's currency.
        left: Currency,
        /// The second amount's currency.
        right: Currency,
    },
    /// Past what an amount can hold.
    #[error("amount overflow")]
    Overflow,
}

impl FieldRule for MoneyError {
    fn violation(&self) -> Violation {
        match self {
            MoneyError::Negative | MoneyError::Overflow => Violation::OutOfRange,
            MoneyError::BadCurrency => Violation::InvalidFormat,
            MoneyError::CurrencyMismatch { .. } => Violation::Inconsistent,
        }
    }
}

/// An ISO 4217 currency code such as `INR` or `EUR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Accepts three ASCII upper-case letters; we do not hard-code the ISO list so that a
    /// new currency needs no release, but lower case or other lengths are refused so that
    /// `inr` and `INR` can never be two currencies.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let bytes = code.as_bytes();
        if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Self([bytes[0], bytes[1], bytes[2]]))
        } else {
            Err(MoneyError::BadCurrency)
        }
    }

    /// The three-letter code.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// How many digits follow the decimal point in this currency (ISO 4217's minor unit):
    /// 0 for JPY, 2 for USD and INR, 3 for KWD. Amounts are stored in minor units, so this
    /// is what a receipt, a provider (Stripe and Razorpay take minor units too) or a
    /// conversion needs to know what `amount_minor` means. Codes not listed have 2.
    pub fn minor_units(&self) -> u32 {
        match self.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            "CLF" | "UYW" => 4,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A non-negative amount in a currency's minor units (paise, cents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount_minor: i64,
    currency: Currency,
}

impl Money {
    /// Refuses negative amounts: Lyceum never stores a negative price or rate.
    pub fn new(amount_minor: i64, currency: Currency) -> Result<Self, MoneyError> {
        if amount_minor < 0 {
            return Err(MoneyError::Negative);
        }
        Ok(Self {
            amount_minor,
            currency,
        })
    }

    /// Amount in minor units.
    pub fn amount_minor(&self) -> i64 {
        self.amount_minor
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Zero means free (a free mentoring session, for example).
    pub fn is_zero(&self) -> bool {
        self.amount_minor == 0
    }

    /// Nothing, in `currency`: the starting point of a sum.
    pub fn zero(currency: Currency) -> Self {
        Self {
            amount_minor: 0,
            currency,
        }
    }

    /// The sum, refused across currencies and on overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount_minor = self
            .amount_minor
            .checked_add(other.amount_minor)
            .ok_or(MoneyError::Overflow)?;
        Money::new(amount_minor, self.currency)
    }

    /// The difference, refused across currencies and when it would be negative: money
    /// that is owed is never a negative amount.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Money::new(self.amount_minor - other.amount_minor, self.currency)
    }

    /// The smaller of two amounts in one currency.
    pub fn min(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Ok(if other.amount_minor < self.amount_minor {
            other
        } else {
            self
        })
    }

    fn same_currency(&self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }

    /// The amount in major units with the currency's own number of decimals, for people
    /// (receipts, mail): `499.00` INR, `500` JPY, `1.250` KWD. Never parsed back.
    pub fn to_major_string(&self) -> String {
        let units = self.currency.minor_units();
        if units == 0 {
            return self.amount_minor.to_string();
        }
        let scale = 10_i64.pow(units);
        format!(
            "{}.{:0width$}",
            self.amount_minor / scale,
            self.amount_minor % scale,
            width = units as usize
        )
    }
}

impl fmt::Display for Money {
    /// `499.00 INR`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_major_string(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_must_be_three_upper_case_letters() {
        assert!(Currency::parse("INR").is_ok());
        assert_eq!(Currency::parse("inr"), Err(MoneyError::BadCurrency));
        assert_eq!(Currency::parse("RUPEE"), Err(MoneyError::BadCurrency));
    }

    fn money(amount: i64, code: &str) -> Money {
        Money::new(amount, Currency::parse(code).unwrap()).unwrap()
    }

    #[test]
    fn minor_units_follow_iso_4217() {
        let units = |code| Currency::parse(code).unwrap().minor_units();
        assert_eq!((units("JPY"), units("USD"), units("INR")), (0, 2, 2));
        assert_eq!((units("KWD"), units("BHD"), units("CLF")), (3, 3, 4));
        assert_eq!(units("EUR"), 2);
    }

    #[test]
    fn amounts_print_with_their_currency_decimals() {
        assert_eq!(money(49_900, "INR").to_string(), "499.00 INR");
        assert_eq!(money(5, "USD").to_major_string(), "0.05");
        assert_eq!(money(500, "JPY").to_major_string(), "500");
        assert_eq!(money(1_250, "KWD").to_major_string(), "1.250");
    }

    #[test]
    fn sums_never_mix_currencies_or_go_negative() {
        let (usd, inr) = (money(100, "USD"), money(100, "INR"));
        assert!(matches!(
            usd.checked_add(inr),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
        assert_eq!(usd.checked_add(usd).unwrap(), money(200, "USD"));
        assert_eq!(
            usd.checked_sub(money(101, "USD")),
            Err(MoneyError::Negative)
        );
        assert_eq!(
            money(i64::MAX, "USD").checked_add(money(1, "USD")),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn money_is_never_negative() {
        let inr = Currency::parse("INR").unwrap();
        assert_eq!(Money::new(-1, inr), Err(MoneyError::Negative));
        assert!(Money::new(0, inr).unwrap().is_zero());
    }
}
