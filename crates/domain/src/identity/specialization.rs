//! Specializations (Explaino): an admin-managed list of fields such as "Databases";
//! users link themselves to any number of them, each pair at most once.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{MultiLineText, ProfileError, ValueError};
use crate::validation::text;

/// A specialization name: single-line, trimmed, 2–100 characters. Uniqueness ignores case, which the
/// database guards through [`SpecializationName::key`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SpecializationName(String);

impl SpecializationName {
    /// Trims and bounds the name.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        text::single_line(raw)?;
        let name = raw.trim();
        match name.chars().count() {
            0 => Err(ValueError::EmptyName),
            1 => Err(ValueError::ShortName),
            101.. => Err(ValueError::LongName),
            _ => Ok(Self(name.to_owned())),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Case-folded form kept unique.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A field of expertise users can claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Specialization {
    /// Id.
    pub id: Uuid,
    /// Unique name.
    pub name: SpecializationName,
    /// What it covers.
    pub description: Option<String>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last renamed or described.
    pub updated_at: OffsetDateTime,
}

impl Specialization {
    /// What a specialization covers: multi-line, trimmed, at most 1000 characters; a blank
    /// text is no description (`None`).
    pub fn parse_description(raw: &str) -> Result<Option<String>, ProfileError> {
        let text = MultiLineText::<1000>::parse(raw)?;
        Ok((!text.as_str().is_empty()).then(|| text.as_str().to_owned()))
    }
}

/// The ten specializations every Lyceum starts with (Explaino seed).
pub const PREDEFINED_SPECIALIZATIONS: [&str; 10] = [
    "Back-end development",
    "Front-end development",
    "Mobile development",
    "Data science",
    "Machine learning",
    "Artificial intelligence",
    "Cybersecurity",
    "Cloud computing",
    "DevOps",
    "Databases",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predefined_names_are_valid_and_distinct_ignoring_case() {
        let keys: std::collections::HashSet<_> = PREDEFINED_SPECIALIZATIONS
            .iter()
            .map(|n| SpecializationName::parse(n).unwrap().key())
            .collect();
        assert_eq!(keys.len(), 10);
    }

    #[test]
    fn blank_name_is_refused() {
        assert!(SpecializationName::parse("  ").is_err());
    }

    #[test]
    fn the_name_is_one_line_and_the_description_may_be_several() {
        assert!(matches!(
            SpecializationName::parse("Data\nscience"),
            Err(ValueError::Characters(_))
        ));
        assert_eq!(
            Specialization::parse_description(" Tables,\n\tindexes. "),
            Ok(Some("Tables,\n\tindexes.".to_owned()))
        );
        assert_eq!(Specialization::parse_description(" \n "), Ok(None));
        assert!(matches!(
            Specialization::parse_description("a\u{1b}[31m"),
            Err(ProfileError::Characters(_))
        ));
        assert_eq!(
            Specialization::parse_description(&"x".repeat(1001)),
            Err(ProfileError::TooLong { max: 1000 })
        );
    }
}
