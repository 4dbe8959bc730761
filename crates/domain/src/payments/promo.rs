//! Promo codes (MedicalEdu PromoCodes, BookingPromoCodes): what a code takes off a price,
//! and every reason it may not apply, each one a client can show.

use time::OffsetDateTime;
use uuid::Uuid;

use super::payment::{Purchase, PurchaseKind};
use crate::money::{Currency, Money, MoneyError};
use crate::validation::text::{ControlCharacters, TextKind};
use crate::validation::{FieldRule, Violation};

/// A promo code as people type it. Codes are compared ignoring case (`spring25` and
/// `SPRING25` are one code), so the text is kept upper-case; only letters, digits, `-` and
/// `_` are allowed, so a code survives being read aloud, printed and put in a URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PromoCodeText(String);

/// The shortest and longest code.
pub const PROMO_CODE_LENGTH: std::ops::RangeInclusive<usize> = 3..=32;

impl PromoCodeText {
    /// Trims, upper-cases and checks the characters and the length.
    pub fn parse(raw: &str) -> Result<Self, PromoCodeError> {
        TextKind::SingleLine
            .check(raw)
            .map_err(PromoCodeError::Characters)?;
        let code = raw.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(PromoCodeError::Required);
        }
        if !code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return Err(PromoCodeError::Format);
        }
        let length = code.chars().count();
        if length < *PROMO_CODE_LENGTH.start() {
            return Err(PromoCodeError::TooShort);
        }
        if length > *PROMO_CODE_LENGTH.end() {
            return Err(PromoCodeError::TooLong);
        }
        Ok(Self(code))
    }

    /// The code, upper-case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a code takes off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discount {
    /// A whole percentage of the price, 1 to 100.
    Percent(u8),
    /// A fixed amount in one currency; it applies only to prices in that currency.
    Fixed(Money),
}

impl Discount {
    /// What this discount takes off `price`, never more than the price.
    ///
    /// A percentage is rounded down to the currency's minor unit (10 % of 999 paise is 99
    /// paise, not 100): the payer is never promised a discount larger than the one
    /// advertised, and the same price always gives the same discount.
    pub fn off(&self, price: Money) -> Result<Money, MoneyError> {
        match *self {
            Discount::Percent(percent) => {
                let off = i128::from(price.amount_minor()) * i128::from(percent) / 100;
                Money::new(
                    i64::try_from(off).map_err(|_| MoneyError::Overflow)?,
                    price.currency(),
                )
            }
            Discount::Fixed(amount) => amount.min(price),
        }
    }
}

/// Which purchases a code applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromoScope {
    /// Anything sold on Lyceum.
    Everything,
    /// Seats in mentoring sessions.
    MentoringSessions,
    /// Course enrollments.
    Courses,
    /// Only these: a session or a course, by the id of what is sold (not of the booking).
    Items(Vec<Uuid>),
}

/// What is being priced, as a promo code sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PricedItem {
    /// Booking or enrollment.
    pub kind: PurchaseKind,
    /// What is sold: the mentoring session or the course.
    pub item_id: Uuid,
    /// Its price.
    pub price: Money,
}

impl PricedItem {
    /// The item of a purchase.
    pub fn of(purchase: Purchase, item_id: Uuid, price: Money) -> Self {
        Self {
            kind: purchase.kind,
            item_id,
            price,
        }
    }
}

impl PromoScope {
    fn covers(&self, item: &PricedItem) -> bool {
        match self {
            PromoScope::Everything => true,
            PromoScope::MentoringSessions => item.kind == PurchaseKind::Booking,
            PromoScope::Courses => item.kind == PurchaseKind::Enrollment,
            PromoScope::Items(ids) => ids.contains(&item.item_id),
        }
    }
}

/// What an admin sets on a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoTerms {
    /// The discount.
    pub discount: Discount,
    /// From when it applies.
    pub valid_from: OffsetDateTime,
    /// Until when (exclusive); open-ended when absent.
    pub valid_until: Option<OffsetDateTime>,
    /// Redemptions allowed in total.
    pub max_uses: Option<u32>,
    /// Redemptions allowed per payer.
    pub max_uses_per_user: Option<u32>,
    /// The smallest price it applies to.
    pub minimum_order: Option<Money>,
    /// What it applies to.
    pub scope: PromoScope,
    /// Switched off codes apply to nothing, but keep their history.
    pub active: bool,
}

/// A promo code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoCode {
    /// Its id.
    pub id: Uuid,
    /// The code people type.
    pub code: PromoCodeText,
    /// Its rules.
    pub terms: PromoTerms,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// Why a code's terms were refused (admin input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromoCodeError {
    /// No code.
    #[error("a promo code is required")]
    Required,
    /// Characters other than letters, digits, `-` and `_`.
    #[error("a promo code holds only letters, digits, '-' and '_'")]
    Format,
    /// Under 3 characters.
    #[error("a promo code has at least 3 characters")]
    TooShort,
    /// Over 32 characters.
    #[error("a promo code has at most 32 characters")]
    TooLong,
    /// Control characters.
    #[error(transparent)]
    Characters(ControlCharacters),
    /// A percentage outside 1–100.
    #[error("a percentage discount is between 1 and 100")]
    Percent,
    /// A fixed discount of nothing.
    #[error("a fixed discount must be more than zero")]
    ZeroAmount,
    /// Ends before it starts.
    #[error("valid_until must be after valid_from")]
    EmptyWindow,
    /// A limit of zero uses would make a code nobody can use.
    #[error("a use limit must be at least 1")]
    ZeroLimit,
    /// A per-user limit above the total limit can never be reached.
    #[error("the per-user limit cannot exceed the total limit")]
    PerUserAboveTotal,
    /// A fixed discount and a minimum order in two currencies.
    #[error("the minimum order must be in the fixed discount's currency")]
    MinimumCurrency,
    /// Scoped to listed items but none listed.
    #[error("list at least one item, or choose another scope")]
    NoItems,
}

impl FieldRule for PromoCodeError {
    fn violation(&self) -> Violation {
        match self {
            PromoCodeError::Required => Violation::Required,
            PromoCodeError::Format => Violation::InvalidFormat,
            PromoCodeError::TooShort => Violation::TooShort,
            PromoCodeError::TooLong => Violation::TooLong,
            PromoCodeError::Characters(c) => c.violation(),
            PromoCodeError::Percent | PromoCodeError::ZeroAmount | PromoCodeError::ZeroLimit => {
                Violation::OutOfRange
            }
            PromoCodeError::EmptyWindow
            | PromoCodeError::PerUserAboveTotal
            | PromoCodeError::MinimumCurrency => Violation::Inconsistent,
            PromoCodeError::NoItems => Violation::TooShort,
        }
    }
}

impl PromoTerms {
    /// Checks terms that could never work as intended. Returns the first problem; each
    /// names the field it is about in [`PromoTerms::field_of`].
    pub fn check(&self) -> Result<(), PromoCodeError> {
        match self.discount {
            Discount::Percent(p) if !(1..=100).contains(&p) => return Err(PromoCodeError::Percent),
            Discount::Fixed(amount) if amount.is_zero() => return Err(PromoCodeError::ZeroAmount),
            _ => {}
        }
        if self
            .valid_until
            .is_some_and(|until| until <= self.valid_from)
        {
            return Err(PromoCodeError::EmptyWindow);
        }
        if self.max_uses == Some(0) || self.max_uses_per_user == Some(0) {
            return Err(PromoCodeError::ZeroLimit);
        }
        if let (Some(total), Some(per_user)) = (self.max_uses, self.max_uses_per_user)
            && per_user > total
        {
            return Err(PromoCodeError::PerUserAboveTotal);
        }
        if let (Discount::Fixed(amount), Some(minimum)) = (self.discount, self.minimum_order)
            && amount.currency() != minimum.currency()
        {
            return Err(PromoCodeError::MinimumCurrency);
        }
        if matches!(&self.scope, PromoScope::Items(ids) if ids.is_empty()) {
            return Err(PromoCodeError::NoItems);
        }
        Ok(())
    }

    /// The request field an error of [`PromoTerms::check`] is about.
    pub fn field_of(error: &PromoCodeError) -> &'static str {
        match error {
            PromoCodeError::Required
            | PromoCodeError::Format
            | PromoCodeError::TooShort
            | PromoCodeError::TooLong
            | PromoCodeError::Characters(_) => "code",
            PromoCodeError::Percent | PromoCodeError::ZeroAmount => "discount",
            PromoCodeError::EmptyWindow => "valid_until",
            PromoCodeError::ZeroLimit | PromoCodeError::PerUserAboveTotal => "max_uses_per_user",
            PromoCodeError::MinimumCurrency => "minimum_order",
            PromoCodeError::NoItems => "scope",
        }
    }
}

/// Why a code does not apply to this purchase, now, for this payer — each one a reason a
/// client shows as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromoRefusal {
    /// Switched off by an admin.
    #[error("this code is not active")]
    Inactive,
    /// Too early.
    #[error("this code applies from {from}")]
    NotYetValid {
        /// From when.
        from: OffsetDateTime,
    },
    /// Too late.
    #[error("this code expired at {until}")]
    Expired {
        /// Until when it applied.
        until: OffsetDateTime,
    },
    /// Every use has been taken.
    #[error("this code has been used up")]
    UsedUp,
    /// This payer used it as often as allowed.
    #[error("you have used this code as often as it allows")]
    UsedUpForYou,
    /// The price is under the code's minimum.
    #[error("this code applies to orders of {minimum} or more")]
    BelowMinimum {
        /// The minimum price.
        minimum: Money,
    },
    /// Not for this kind of purchase or this item.
    #[error("this code does not apply to this item")]
    NotForThisItem,
    /// A fixed discount (or minimum) in another currency than the price.
    #[error("this code applies to prices in {code_currency} only")]
    OtherCurrency {
        /// The code's currency.
        code_currency: Currency,
    },
}

/// How often a code has been redeemed, counted by the caller from stored redemptions (a
/// failed or cancelled payment gives its use back, so those are not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PromoUsage {
    /// By everyone.
    pub total: u32,
    /// By this payer.
    pub by_payer: u32,
}

impl PromoCode {
    /// What the code takes off `item`'s price now, or why it does not apply. The
    /// discount never exceeds the price, so a total is never negative.
    pub fn quote(
        &self,
        item: &PricedItem,
        now: OffsetDateTime,
        usage: PromoUsage,
    ) -> Result<Money, PromoRefusal> {
        let t = &self.terms;
        if !t.active {
            return Err(PromoRefusal::Inactive);
        }
        if now < t.valid_from {
            return Err(PromoRefusal::NotYetValid { from: t.valid_from });
        }
        if let Some(until) = t.valid_until
            && now >= until
        {
            return Err(PromoRefusal::Expired { until });
        }
        if !t.scope.covers(item) {
            return Err(PromoRefusal::NotForThisItem);
        }
        if let Discount::Fixed(amount) = t.discount
            && amount.currency() != item.price.currency()
        {
            return Err(PromoRefusal::OtherCurrency {
                code_currency: amount.currency(),
            });
        }
        if let Some(minimum) = t.minimum_order {
            if minimum.currency() != item.price.currency() {
                return Err(PromoRefusal::OtherCurrency {
                    code_currency: minimum.currency(),
                });
            }
            if item.price.amount_minor() < minimum.amount_minor() {
                return Err(PromoRefusal::BelowMinimum { minimum });
            }
        }
        if t.max_uses.is_some_and(|max| usage.total >= max) {
            return Err(PromoRefusal::UsedUp);
        }
        if t.max_uses_per_user.is_some_and(|max| usage.by_payer >= max) {
            return Err(PromoRefusal::UsedUpForYou);
        }
        // Same currency by the checks above; a percentage cannot overflow an i64 price.
        t.discount
            .off(item.price)
            .map_err(|_| PromoRefusal::OtherCurrency {
                code_currency: item.price.currency(),
            })
    }
}

#[cfg(test)]
mod tests;
