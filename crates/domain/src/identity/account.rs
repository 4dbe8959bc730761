//! The values a person types when they sign up. Each is parsed once at the edge.

use std::fmt;

use crate::validation::text::{self, ControlCharacters, TextKind};
use crate::validation::{FieldRule, Violation};

/// Why an account value was refused; the message is meant for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// Not an email address.
    #[error("must be a valid email address")]
    Email,
    /// Username rule of the Explaino seed.
    #[error("must be 8 to 16 characters: letters, digits, '_' or '.', starting with a letter")]
    Username,
    /// Phone rule of the Explaino seed.
    #[error("must be '+' followed by 7 to 15 digits")]
    Phone,
    /// Password rule of the Mentori and PeerLearn seeds.
    #[error(
        "must be at least 8 characters with an upper-case letter, a lower-case letter and a digit"
    )]
    WeakPassword,
    /// Passwords longer than this only cost hashing time.
    #[error("must be at most 128 characters")]
    LongPassword,
    /// A blank name: names are required.
    #[error("must be 1 to 100 characters")]
    EmptyName,
    /// A name over 100 characters.
    #[error("must be 1 to 100 characters")]
    LongName,
    /// A one-character specialization name, too short to tell fields apart.
    #[error("must be 2 to 100 characters")]
    ShortName,
    /// A blank email, told apart from a malformed one because the client most likely
    /// forgot the field.
    #[error("must be a valid email address")]
    EmptyEmail,
    /// A blank username, for the same reason.
    #[error("must be 8 to 16 characters: letters, digits, '_' or '.', starting with a letter")]
    EmptyUsername,
    /// A blank password, for the same reason.
    #[error(
        "must be at least 8 characters with an upper-case letter, a lower-case letter and a digit"
    )]
    EmptyPassword,
    /// Characters the value's kind of text refuses: every account value is single-line,
    /// except the password, which refuses only U+0000 (see [`text`]).
    #[error(transparent)]
    Characters(#[from] ControlCharacters),
}

impl FieldRule for ValueError {
    fn violation(&self) -> Violation {
        match self {
            ValueError::Email
            | ValueError::Username
            | ValueError::Phone
            | ValueError::WeakPassword => Violation::InvalidFormat,
            ValueError::LongPassword | ValueError::LongName => Violation::TooLong,
            ValueError::ShortName => Violation::TooShort,
            ValueError::EmptyName
            | ValueError::EmptyEmail
            | ValueError::EmptyUsername
            | ValueError::EmptyPassword => Violation::Required,
            ValueError::Characters(refusal) => refusal.violation(),
        }
    }
}

/// An email address, stored lower-cased so that uniqueness ignores case (docs/domain-model.md).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld` shapes of at most 254 characters, trimmed and
    /// lower-cased. Deliverability is proven by email verification, not by parsing.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        text::single_line(raw)?;
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(ValueError::EmptyEmail);
        }
        let (local, domain) = email.split_once('@').ok_or(ValueError::Email)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c == '@' || c.is_control());
        if email.len() > 254 || !domain_ok || !local_ok {
            return Err(ValueError::Email);
        }
        Ok(Self(email))
    }

    /// The normalized address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A username as the person chose it; uniqueness ignores case through [`Username::key`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// 8–16 characters, first a letter, then letters, digits, `_` or `.` (Explaino).
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        text::single_line(raw)?;
        let name = raw.trim();
        if name.is_empty() {
            return Err(ValueError::EmptyUsername);
        }
        let len = name.chars().count();
        let mut chars = name.chars();
        let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if !(8..=16).contains(&len) || !starts_with_letter || !rest_ok {
            return Err(ValueError::Username);
        }
        Ok(Self(name.to_owned()))
    }

    /// The username as chosen.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form the database keeps unique.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number in `+` and 7–15 digits form, unique across users.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Spaces and dashes are removed first so that `+91 98765-43210` and
    /// `+919876543210` are the same number for the uniqueness rule.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        text::single_line(raw)?;
        let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = compact.strip_prefix('+').ok_or(ValueError::Phone)?;
        if !(7..=15).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(ValueError::Phone);
        }
        Ok(Self(compact))
    }

    /// The compact number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A first or last name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

impl PersonName {
    /// Single-line, trimmed, 1–100 characters.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        text::single_line(raw)?;
        let name = raw.trim();
        if name.is_empty() {
            return Err(ValueError::EmptyName);
        }
        if name.chars().count() > 100 {
            return Err(ValueError::LongName);
        }
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A plain-text password that met the strength rule. It is only ever handed to the
/// password hasher, and its `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// At least 8 characters with an upper-case letter, a lower-case letter and a digit;
    /// at most 128 so a huge body cannot buy expensive hashing. Any character may be
    /// used except U+0000: the password is only ever hashed, never stored or shown, so
    /// the text rule of stored fields does not apply, but no text holds NUL.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        TextKind::Secret.check(raw)?;
        if raw.trim().is_empty() {
            return Err(ValueError::EmptyPassword);
        }
        if raw.chars().count() > 128 {
            return Err(ValueError::LongPassword);
        }
        let strong = raw.chars().count() >= 8
            && raw.chars().any(|c| c.is_uppercase())
            && raw.chars().any(|c| c.is_lowercase())
            && raw.chars().any(|c| c.is_ascii_digit());
        if !strong {
            return Err(ValueError::WeakPassword);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The secret, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn email_is_normalized_to_lower_case() {
        assert_eq!(
            Email::parse("  Asha@Example.COM ").unwrap().as_str(),
            "asha@example.com"
        );
    }

    #[test]
    fn email_without_domain_dot_or_at_is_refused() {
        for bad in [
            "asha",
            "asha@",
            "@example.com",
            "asha@example",
            "asha@.com",
            "a b@example.com",
        ] {
            assert_eq!(Email::parse(bad), Err(ValueError::Email), "{bad}");
        }
    }

    #[test]
    fn username_follows_the_explaino_rule() {
        assert!(Username::parse("asha_k99").is_ok());
        assert!(Username::parse("Abcdefghijklmnop").is_ok());
        assert_eq!(Username::parse("short1"), Err(ValueError::Username));
        assert_eq!(
            Username::parse("1startswithdigit"),
            Err(ValueError::Username)
        );
        assert_eq!(
            Username::parse("abcdefghijklmnopq"),
            Err(ValueError::Username)
        );
        assert_eq!(Username::parse("has space1"), Err(ValueError::Username));
    }

    #[test]
    fn username_key_ignores_case() {
        assert_eq!(
            Username::parse("AshaKumar").unwrap().key(),
            Username::parse("ashakumar").unwrap().key()
        );
    }

    #[test]
    fn phone_needs_plus_and_7_to_15_digits() {
        assert_eq!(
            PhoneNumber::parse("+91 98765-43210").unwrap().as_str(),
            "+919876543210"
        );
        assert_eq!(PhoneNumber::parse("9876543210"), Err(ValueError::Phone));
        assert_eq!(PhoneNumber::parse("+123456"), Err(ValueError::Phone));
        assert_eq!(
            PhoneNumber::parse("+1234567890123456"),
            Err(ValueError::Phone)
        );
        assert_eq!(PhoneNumber::parse("+12345a7890"), Err(ValueError::Phone));
    }

    #[test]
    fn password_needs_upper_lower_and_digit() {
        assert!(Password::parse("Secret123").is_ok());
        for weak in ["secret123", "SECRET123", "SecretSecret", "Sec12"] {
            assert_eq!(
                Password::parse(weak),
                Err(ValueError::WeakPassword),
                "{weak}"
            );
        }
        assert_eq!(
            Password::parse(&format!("Aa1{}", "x".repeat(130))),
            Err(ValueError::LongPassword)
        );
    }

    #[test]
    fn password_debug_hides_the_secret() {
        assert!(!format!("{:?}", Password::parse("Secret123").unwrap()).contains("Secret123"));
    }

    proptest! {
        #[test]
        fn any_accepted_username_obeys_the_rule(raw in "\\PC{0,20}") {
            if let Ok(name) = Username::parse(&raw) {
                let n = name.as_str();
                prop_assert!((8..=16).contains(&n.chars().count()));
                prop_assert!(n.chars().next().unwrap().is_ascii_alphabetic());
            }
        }

        #[test]
        fn any_accepted_phone_has_7_to_15_digits(raw in "[+ 0-9a-]{0,20}") {
            if let Ok(phone) = PhoneNumber::parse(&raw) {
                let digits = phone.as_str().trim_start_matches('+');
                prop_assert!((7..=15).contains(&digits.len()));
                prop_assert!(digits.chars().all(|c| c.is_ascii_digit()));
            }
        }
    }
}
