//! User-declared certificates (Explaino): what someone says they earned elsewhere, with a
//! link to check it. Public on the profile. Not to be confused with course completion
//! certificates, which Lyceum itself issues.

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{SingleLineText, WebUrl};
use crate::FieldErrors;
use crate::validation::Violation;

/// A certificate a user declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCertificate {
    /// Id.
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// What was certified.
    pub title: SingleLineText<200>,
    /// Who issued it.
    pub issuer: SingleLineText<200>,
    /// When it was issued.
    pub issue_date: Date,
    /// Where anyone can check it.
    pub certificate_url: WebUrl,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

/// The validated fields of a certificate being declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateDetails {
    /// What was certified.
    pub title: SingleLineText<200>,
    /// Who issued it.
    pub issuer: SingleLineText<200>,
    /// When it was issued.
    pub issue_date: Date,
    /// Where anyone can check it.
    pub certificate_url: WebUrl,
}

impl CertificateDetails {
    /// Parses every field, reporting all problems at once. A certificate cannot be
    /// issued in the future (`today` comes from the caller's clock).
    pub fn parse(
        title: &str,
        issuer: &str,
        issue_date: Date,
        url: &str,
        today: Date,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.check("title", SingleLineText::parse(title).and_then(non_empty));
        let issuer = errors.check("issuer", SingleLineText::parse(issuer).and_then(non_empty));
        let certificate_url = errors.check("certificate_url", WebUrl::parse(url));
        if issue_date > today {
            errors.push(
                "issue_date",
                Violation::OutOfRange,
                "must not be in the future",
            );
        }
        match (title, issuer, certificate_url) {
            (Some(title), Some(issuer), Some(certificate_url)) if errors.is_empty() => Ok(Self {
                title,
                issuer,
                issue_date,
                certificate_url,
            }),
            _ => Err(errors),
        }
    }
}

/// Required text: present and not blank.
pub(crate) fn non_empty<const N: usize>(
    text: SingleLineText<N>,
) -> Result<SingleLineText<N>, super::ProfileError> {
    if text.as_str().is_empty() {
        Err(super::ProfileError::Empty)
    } else {
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn certificate_needs_a_valid_url_and_past_date() {
        let today = date!(2026 - 06 - 01);
        let ok = CertificateDetails::parse(
            "AWS SA",
            "Amazon",
            date!(2025 - 01 - 10),
            "https://aws.example/c/1",
            today,
        );
        assert!(ok.is_ok());
        let bad =
            CertificateDetails::parse("", "Amazon", date!(2027 - 01 - 10), "not a url", today)
                .unwrap_err();
        let fields: Vec<_> = bad.into_vec().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "certificate_url", "issue_date"]);
    }
}
