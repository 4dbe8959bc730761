//! Billing address (Edupeak): at most one per user, used on invoices for payments.

use time::OffsetDateTime;
use uuid::Uuid;

use super::certificate::non_empty;
use super::{Email, MultiLineText, PhoneNumber, SingleLineText};
use crate::FieldErrors;
use crate::validation::{Violation, text};

/// The validated fields of a billing address. Every text is single-line (it is printed on
/// invoices line by line) except the free `notes`, which may run over several lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingAddressDetails {
    /// Billing first name.
    pub first_name: SingleLineText<100>,
    /// Billing last name.
    pub last_name: SingleLineText<100>,
    /// Company, for business invoices.
    pub company_name: Option<SingleLineText<200>>,
    /// Contact phone.
    pub phone_number: Option<PhoneNumber>,
    /// Where invoices go (may differ from the login email).
    pub email: Email,
    /// First address line.
    pub address_line1: SingleLineText<200>,
    /// Second address line.
    pub address_line2: Option<SingleLineText<200>>,
    /// City.
    pub city: SingleLineText<100>,
    /// State or province.
    pub state: SingleLineText<100>,
    /// ZIP or postal code.
    pub postal_code: SingleLineText<20>,
    /// ISO 3166-1 alpha-2 country code, upper case.
    pub country: String,
    /// VAT or tax id.
    pub vat_number: Option<SingleLineText<50>>,
    /// Free notes, multi-line.
    pub notes: Option<MultiLineText<500>>,
}

/// The raw strings of a billing address as a client sent them.
#[derive(Debug, Clone, Default)]
pub struct RawBillingAddress<'a> {
    /// See [`BillingAddressDetails`] for each field's meaning.
    pub first_name: &'a str,
    #[allow(missing_docs)]
    pub last_name: &'a str,
    #[allow(missing_docs)]
    pub company_name: Option<&'a str>,
    #[allow(missing_docs)]
    pub phone_number: Option<&'a str>,
    #[allow(missing_docs)]
    pub email: &'a str,
    #[allow(missing_docs)]
    pub address_line1: &'a str,
    #[allow(missing_docs)]
    pub address_line2: Option<&'a str>,
    #[allow(missing_docs)]
    pub city: &'a str,
    #[allow(missing_docs)]
    pub state: &'a str,
    #[allow(missing_docs)]
    pub postal_code: &'a str,
    #[allow(missing_docs)]
    pub country: &'a str,
    #[allow(missing_docs)]
    pub vat_number: Option<&'a str>,
    #[allow(missing_docs)]
    pub notes: Option<&'a str>,
}

impl BillingAddressDetails {
    /// Parses every field and reports all problems together.
    pub fn parse(raw: RawBillingAddress<'_>) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        let first_name = e.check(
            "first_name",
            SingleLineText::parse(raw.first_name).and_then(non_empty),
        );
        let last_name = e.check(
            "last_name",
            SingleLineText::parse(raw.last_name).and_then(non_empty),
        );
        let company_name = optional(&mut e, "company_name", raw.company_name);
        let phone_number = match raw.phone_number {
            Some(p) => e.check("phone_number", PhoneNumber::parse(p)),
            None => None,
        };
        let email = e.check("email", Email::parse(raw.email));
        let address_line1 = e.check(
            "address_line1",
            SingleLineText::parse(raw.address_line1).and_then(non_empty),
        );
        let address_line2 = optional(&mut e, "address_line2", raw.address_line2);
        let city = e.check("city", SingleLineText::parse(raw.city).and_then(non_empty));
        let state = e.check(
            "state",
            SingleLineText::parse(raw.state).and_then(non_empty),
        );
        let postal_code = e.check(
            "postal_code",
            SingleLineText::parse(raw.postal_code).and_then(non_empty),
        );
        let country = raw.country.trim();
        if let Err(refusal) = text::single_line(raw.country) {
            e.reject("country", refusal);
        } else if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            e.push(
                "country",
                Violation::InvalidFormat,
                "must be an ISO 3166-1 alpha-2 code such as 'IN'",
            );
        }
        let vat_number = optional(&mut e, "vat_number", raw.vat_number);
        let notes = match raw.notes {
            Some(notes) => e
                .check("notes", MultiLineText::<500>::parse(notes))
                .filter(|text| !text.as_str().is_empty()),
            None => None,
        };
        if raw.phone_number.is_some() && phone_number.is_none() || !e.is_empty() {
            return Err(e);
        }
        match (
            first_name,
            last_name,
            email,
            address_line1,
            city,
            state,
            postal_code,
        ) {
            (
                Some(first_name),
                Some(last_name),
                Some(email),
                Some(address_line1),
                Some(city),
                Some(state),
                Some(postal_code),
            ) => Ok(Self {
                first_name,
                last_name,
                company_name,
                phone_number,
                email,
                address_line1,
                address_line2,
                city,
                state,
                postal_code,
                country: country.to_owned(),
                vat_number,
                notes,
            }),
            _ => Err(e),
        }
    }
}

fn optional<const N: usize>(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
) -> Option<SingleLineText<N>> {
    let text = errors.check(field, SingleLineText::<N>::parse(raw?))?;
    (!text.as_str().is_empty()).then_some(text)
}

/// A user's billing address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingAddress {
    /// Id.
    pub id: Uuid,
    /// Owner; unique.
    pub user_id: Uuid,
    /// The address.
    pub address: BillingAddressDetails,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last replaced.
    pub updated_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> RawBillingAddress<'static> {
        RawBillingAddress {
            first_name: "Asha",
            last_name: "Kumar",
            email: "billing@example.com",
            address_line1: "12 MG Road",
            city: "Bengaluru",
            state: "Karnataka",
            postal_code: "560001",
            country: "IN",
            ..Default::default()
        }
    }

    #[test]
    fn valid_address_parses() {
        assert_eq!(BillingAddressDetails::parse(valid()).unwrap().country, "IN");
    }

    #[test]
    fn every_bad_field_is_reported() {
        let raw = RawBillingAddress {
            city: "",
            country: "India",
            phone_number: Some("123"),
            ..valid()
        };
        let fields: Vec<_> = BillingAddressDetails::parse(raw)
            .unwrap_err()
            .into_vec()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["phone_number", "city", "country"]);
    }
}
