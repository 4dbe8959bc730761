//! Specializations (Explaino): an admin-managed list of fields such as "Databases";
//! users link themselves to any number of them, each pair at most once.

use time::OffsetDateTime;
use uuid::Uuid;

use super::ValueError;

/// A specialization name: trimmed, 2–100 characters. Uniqueness ignores case, which the
/// database guards through [`SpecializationName::key`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SpecializationName(String);

impl SpecializationName {
    /// Trims and bounds the name.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
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
}
