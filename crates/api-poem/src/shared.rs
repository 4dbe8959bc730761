//! Shapes more than one context shows: money, roles, a mentor's rating, a wallet and its
//! ledger, a direct message, "how many were marked read", and the page of a list. Each
//! context's DTO module imports from here and never from a sibling context.

use lyceum_domain::mentoring::{Message, RatingSummary};
use lyceum_domain::wallet::{LedgerEntry, Wallet};
use lyceum_ports::idempotency::{IdempotencyKey, IdempotentRequest};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::problem::ApiError;

/// An amount of money in minor units. The same shape goes in and out.
#[derive(Debug, Clone, Object)]
pub struct Money {
    /// Minor units (paise, cents); never negative.
    #[oai(validator(minimum(value = "0")))]
    pub amount_minor: i64,
    /// ISO 4217 code: three upper-case letters, e.g. `INR`.
    #[oai(validator(pattern = "^[A-Z]{3}$"))]
    pub currency: String,
}

impl From<lyceum_domain::Money> for Money {
    fn from(money: lyceum_domain::Money) -> Self {
        Self {
            amount_minor: money.amount_minor(),
            currency: money.currency().to_string(),
        }
    }
}

/// Platform roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase", remote = "lyceum_domain::identity::Role")]
pub enum Role {
    /// Learner.
    Learner,
    /// Mentor.
    Mentor,
    /// Administrator.
    Admin,
}

/// A mentor's rating summary.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RatingSummaryOut {
    /// Average mentor rating (1–5), absent without feedback.
    pub average: Option<f64>,
    /// Number of feedbacks.
    pub count: i64,
}

impl From<RatingSummary> for RatingSummaryOut {
    fn from(r: RatingSummary) -> Self {
        Self {
            average: r.average.map(|a| (a * 100.0).round() / 100.0),
            count: r.count,
        }
    }
}

/// How many were marked read.
#[derive(Debug, Clone, Object)]
pub struct MarkedReadOut {
    /// Count.
    pub marked: u64,
}

/// A points wallet.
#[derive(Debug, Clone, Object)]
pub struct WalletOut {
    /// Points available; never negative, always the sum of the ledger.
    pub balance: i64,
    /// Created with the account.
    pub created_at: OffsetDateTime,
    /// Last balance change.
    pub updated_at: OffsetDateTime,
}

impl From<&Wallet> for WalletOut {
    fn from(w: &Wallet) -> Self {
        Self {
            balance: w.balance.value(),
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// What caused a balance change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    rename_all = "snake_case",
    remote = "lyceum_domain::wallet::LedgerEntryKind"
)]
pub enum LedgerEntryKind {
    /// An admin granted points.
    AdminGrant,
    /// An admin deducted points.
    AdminDeduction,
}

/// One balance change.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LedgerEntryOut {
    /// Id.
    pub id: Uuid,
    /// Signed change in points.
    pub delta: i64,
    /// What caused it.
    pub kind: LedgerEntryKind,
    /// Why.
    pub reason: String,
    /// What it refers to, if anything.
    pub reference: Option<String>,
    /// Balance right after this entry.
    pub balance_after: i64,
    /// Who made it happen (an admin), if a person did.
    pub actor_id: Option<Uuid>,
    /// When.
    pub created_at: OffsetDateTime,
}

impl From<&LedgerEntry> for LedgerEntryOut {
    fn from(e: &LedgerEntry) -> Self {
        Self {
            id: e.id,
            delta: e.delta,
            kind: e.kind.into(),
            reason: e.reason.clone(),
            reference: e.reference.clone(),
            balance_after: e.balance_after.value(),
            actor_id: e.actor_id,
            created_at: e.created_at,
        }
    }
}

/// A direct message.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MessageOut {
    /// Id.
    pub id: Uuid,
    /// Who wrote it.
    pub sender_id: Uuid,
    /// Who it is for.
    pub recipient_id: Uuid,
    /// The text.
    pub body: String,
    /// Sent at.
    pub created_at: OffsetDateTime,
    /// When the recipient read it (read receipt).
    pub read_at: Option<OffsetDateTime>,
}

impl From<&Message> for MessageOut {
    fn from(m: &Message) -> Self {
        Self {
            id: m.id,
            sender_id: m.sender_id,
            recipient_id: m.recipient_id,
            body: m.body.as_str().to_owned(),
            created_at: m.created_at,
            read_at: m.read_at,
        }
    }
}

/// A partial update's field: absent stays (`None`), `null` clears (`Some(None)`).
pub fn patch<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// Reads an `Idempotency-Key` header for a request whose target and body digest to
/// `fingerprint`. A malformed key is a 400 `idempotency.invalid_key`.
pub fn idempotency_key(
    header: Option<String>,
    fingerprint: impl FnOnce() -> String,
) -> Result<Option<IdempotentRequest>, ApiError> {
    header
        .map(|raw| {
            let key = IdempotencyKey::parse(raw).map_err(|e| {
                ApiError::of(&crate::errors::IDEMPOTENCY_INVALID_KEY, e.to_string())
            })?;
            Ok(IdempotentRequest {
                key,
                fingerprint: fingerprint(),
            })
        })
        .transpose()
}

/// The page of a list, `{items, next_cursor}`, as api.md describes it. Each list has its
/// own named shape, made by `page!`.
pub trait PageShape {
    /// What the list holds.
    type Item;
    /// A page of `items`, with the cursor of the next page if there is one.
    fn new(items: Vec<Self::Item>, next_cursor: Option<String>) -> Self;
}

/// Declares `XxxPage { items: Vec<XxxOut>, next_cursor }` with its schema.
macro_rules! page {
    ($(#[$attr:meta])* $name:ident of $item:ty, $items_doc:tt) => {
        $(#[$attr])*
        #[derive(Debug, Clone, poem_openapi::Object)]
        pub struct $name {
            #[doc = $items_doc]
            pub items: Vec<$item>,
            /// Cursor of the next page; absent on the last page.
            #[oai(skip_serializing_if_is_none)]
            pub next_cursor: Option<String>,
        }

        impl $crate::shared::PageShape for $name {
            type Item = $item;

            fn new(items: Vec<$item>, next_cursor: Option<String>) -> Self {
                Self { items, next_cursor }
            }
        }
    };
}
pub(crate) use page;

page!(
    /// A page of ledger entries, newest first.
    LedgerPage of LedgerEntryOut, "Entries."
);

page!(
    /// A page of messages, newest first.
    MessagePage of MessageOut, "Messages."
);

/// Helpers for tests that read the generated schema, so that its constraints are checked
/// against the domain's own parsers and cannot drift from them.
#[cfg(test)]
pub(crate) mod contract {
    use poem_openapi::registry::Registry;
    use poem_openapi::types::{ToJSON, Type};
    use serde_json::Value;

    /// The registered schema of `T`, as JSON.
    pub fn schema<T: Type>() -> Value {
        let mut registry = Registry::new();
        T::register(&mut registry);
        serde_json::to_value(&registry.schemas[&*T::name()]).expect("a schema is JSON")
    }

    /// One property of `T`'s object schema.
    pub fn property<T: Type>(name: &str) -> Value {
        let property = schema::<T>()["properties"][name].clone();
        assert!(property.is_object(), "{} has no property {name}", T::name());
        property
    }

    /// A numeric keyword (`maxLength`, `minimum`, …) of a property schema.
    pub fn number(property: &Value, keyword: &str) -> i64 {
        property[keyword]
            .as_f64()
            .unwrap_or_else(|| panic!("no {keyword} in {property}")) as i64
    }

    /// Whether `value` matches the property's `pattern`, as poem-openapi checks it.
    pub fn matches(property: &Value, value: &str) -> bool {
        let pattern = property["pattern"]
            .as_str()
            .unwrap_or_else(|| panic!("no pattern in {property}"));
        let pattern = poem_openapi::validation::Pattern::new(String::leak(pattern.to_owned()));
        poem_openapi::Validator::check(&pattern, &value.to_owned())
    }

    /// A property schema without its description: what it allows.
    pub fn constraints(property: &Value) -> Value {
        let mut property = property.clone();
        if let Some(fields) = property.as_object_mut() {
            fields.remove("description");
        }
        property
    }

    /// `dto` as the JSON a client receives.
    pub fn json<T: ToJSON>(dto: &T) -> Value {
        dto.to_json().expect("a response DTO is JSON")
    }

    /// Whether a `null` appears anywhere in `value`.
    pub fn has_null(value: &Value) -> bool {
        match value {
            Value::Null => true,
            Value::Array(items) => items.iter().any(has_null),
            Value::Object(fields) => fields.values().any(has_null),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::contract::{has_null, json, matches, property};
    use super::*;

    #[test]
    fn absent_fields_are_left_out_of_responses_not_sent_as_null() {
        let entry = LedgerEntryOut {
            id: Uuid::nil(),
            delta: 5,
            kind: LedgerEntryKind::AdminGrant,
            reason: "welcome".into(),
            reference: None,
            balance_after: 5,
            actor_id: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
        };
        let page = json(&LedgerPage::new(vec![entry], None));
        assert!(!has_null(&page), "{page}");
        assert!(page.get("next_cursor").is_none());
        assert!(page["items"][0].get("reference").is_none());
        assert!(page["items"][0].get("actor_id").is_none());
        assert_eq!(page["items"][0]["reason"], "welcome");

        let rating = json(&RatingSummaryOut::from(RatingSummary {
            average: None,
            count: 0,
        }));
        assert_eq!(rating, serde_json::json!({"count": 0}));

        let next = json(&MessagePage::new(vec![], Some("abc".into())));
        assert_eq!(next, serde_json::json!({"items": [], "next_cursor": "abc"}));
    }

    #[test]
    fn money_schema_is_the_domain_rule() {
        let currency = property::<Money>("currency");
        for code in ["INR", "EUR", "inr", "RUPEE", "IN", " INR", "IN1"] {
            assert_eq!(
                matches(&currency, code),
                lyceum_domain::Currency::parse(code).is_ok(),
                "{code}"
            );
        }
        assert_eq!(property::<Money>("amount_minor")["minimum"], 0.0);
    }
}
