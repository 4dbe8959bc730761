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
}

impl FieldRule for MoneyError {
    fn violation(&self) -> Violation {
        match self {
            MoneyError::Negative => Violation::OutOfRange,
            MoneyError::BadCurrency => Violation::InvalidFormat,
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

    #[test]
    fn money_is_never_negative() {
        let inr = Currency::parse("INR").unwrap();
        assert_eq!(Money::new(-1, inr), Err(MoneyError::Negative));
        assert!(Money::new(0, inr).unwrap().is_zero());
    }
}
