//! Platform roles. A user holds a set: a mentor can also learn (docs/domain-model.md, vocabulary).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// One platform role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Learner, mentee, student.
    Learner,
    /// Mentor, teacher, instructor.
    Mentor,
    /// Staff with power over other accounts.
    Admin,
}

impl Role {
    /// The stable name used in the API and the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Mentor => "mentor",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown role name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}': expected learner, mentor or admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "learner" => Ok(Role::Learner),
            "mentor" => Ok(Role::Mentor),
            "admin" => Ok(Role::Admin),
            other => Err(UnknownRole(other.to_owned())),
        }
    }
}

/// The set of roles a user holds, kept sorted so that its stored form is stable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles(BTreeSet<Role>);

impl Roles {
    /// A set holding exactly `role`.
    pub fn single(role: Role) -> Self {
        Self(BTreeSet::from([role]))
    }

    /// Whether the set holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    /// Adds a role; returns whether it was new.
    pub fn grant(&mut self, role: Role) -> bool {
        self.0.insert(role)
    }

    /// Removes a role; returns whether it was held.
    pub fn remove(&mut self, role: Role) -> bool {
        self.0.remove(&role)
    }

    /// Roles in a stable order.
    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    /// Comma-separated form used for storage (`learner,mentor`).
    pub fn to_csv(&self) -> String {
        self.0
            .iter()
            .map(Role::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads the stored comma-separated form; unknown names are an error because a
    /// silently dropped role would change what someone may do.
    pub fn from_csv(csv: &str) -> Result<Self, UnknownRole> {
        csv.split(',')
            .filter(|part| !part.is_empty())
            .map(str::parse)
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Self)
    }
}

impl FromIterator<Role> for Roles {
    fn from_iter<T: IntoIterator<Item = Role>>(iter: T) -> Self {
        Self(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_storage_form() {
        let roles: Roles = [Role::Mentor, Role::Learner].into_iter().collect();
        assert_eq!(roles.to_csv(), "learner,mentor");
        assert_eq!(Roles::from_csv("learner,mentor").unwrap(), roles);
    }

    #[test]
    fn unknown_stored_role_is_an_error() {
        assert!(Roles::from_csv("learner,wizard").is_err());
    }
}
