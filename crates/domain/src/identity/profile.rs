//! The profile: one per user, with a mentor side and a learner side (Mentori, PeerLearn,
//! Edupeak). Everything here is optional; what is present has been validated.

use std::fmt;

use crate::Money;
use crate::validation::text::{self, ControlCharacters, TextKind};
use crate::validation::{FieldRule, Violation};

/// Why a profile value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// Text longer than its limit.
    #[error("must be at most {max} characters")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// A required text was blank.
    #[error("must not be empty")]
    Empty,
    /// Not an IANA time zone name.
    #[error("must be an IANA time zone name such as 'Asia/Kolkata'")]
    Timezone,
    /// Not an http(s) URL.
    #[error("must be an absolute http or https URL")]
    Url,
    /// More than ten entries, or an entry over 50 characters: expertise and interests
    /// are short keywords for search, not prose.
    #[error("must hold at most 10 non-empty entries of at most 50 characters each")]
    Keywords,
    /// A blank entry among expertise or interests: a client sending `""` most likely
    /// left an input empty, which is another mistake than typing too much.
    #[error("must hold at most 10 non-empty entries of at most 50 characters each")]
    EmptyKeyword,
    /// Unknown experience level.
    #[error("must be one of beginner, intermediate, advanced")]
    ExperienceLevel,
    /// Negative or absurd years of experience.
    #[error("must be between 0 and 80")]
    YearsExperience,
    /// Characters the field's kind of text refuses (see [`text`]).
    #[error(transparent)]
    Characters(#[from] ControlCharacters),
}

impl FieldRule for ProfileError {
    fn violation(&self) -> Violation {
        match self {
            ProfileError::TooLong { .. } | ProfileError::Keywords => Violation::TooLong,
            ProfileError::Empty | ProfileError::EmptyKeyword => Violation::Required,
            ProfileError::Timezone | ProfileError::Url => Violation::InvalidFormat,
            ProfileError::ExperienceLevel => Violation::InvalidChoice,
            ProfileError::YearsExperience => Violation::OutOfRange,
            ProfileError::Characters(refusal) => refusal.violation(),
        }
    }
}

/// Checks `raw` against `kind`, trims it and bounds it to `max` characters: the shared
/// body of [`SingleLineText`] and [`MultiLineText`].
fn bounded(raw: &str, kind: TextKind, max: usize) -> Result<String, ProfileError> {
    kind.check(raw)?;
    let text = raw.trim();
    if text.chars().count() > max {
        return Err(ProfileError::TooLong { max });
    }
    Ok(text.to_owned())
}

/// One line of free text of at most `MAX` characters, trimmed: a location, a job title,
/// an address line. Refuses control characters and line breaks ([`text::single_line`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SingleLineText<const MAX: usize>(String);

impl<const MAX: usize> SingleLineText<MAX> {
    /// Refuses control characters and line breaks, trims, and refuses text longer than
    /// `MAX` characters.
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        bounded(raw, TextKind::SingleLine, MAX).map(Self)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free text of at most `MAX` characters that may run over several lines, trimmed: a bio,
/// goals, notes. Keeps tabs and line breaks, refuses other control characters
/// ([`text::multi_line`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MultiLineText<const MAX: usize>(String);

impl<const MAX: usize> MultiLineText<MAX> {
    /// Refuses control characters other than tabs and line breaks, trims, and refuses
    /// text longer than `MAX` characters.
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        bounded(raw, TextKind::MultiLine, MAX).map(Self)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> AsRef<str> for SingleLineText<MAX> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> AsRef<str> for MultiLineText<MAX> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone name such as `Asia/Kolkata`, checked against the bundled tz
/// database so that recurring availability can later be expanded in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timezone(String);

impl Timezone {
    /// Accepts names the tz database knows; `UTC` is accepted too. Single-line.
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        text::single_line(raw)?;
        let name = raw.trim();
        if name.is_empty() || jiff::tz::db().get(name).is_err() {
            return Err(ProfileError::Timezone);
        }
        Ok(Self(name.to_owned()))
    }

    /// The zone name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An absolute `http`/`https` URL (profile image, social links, certificate links).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WebUrl(String);

impl WebUrl {
    /// Refuses relative URLs, other schemes (`javascript:`) and URLs without a host.
    /// Single-line: the URL standard silently drops tabs and line breaks, which would
    /// store another URL than the one shown to the person who typed it.
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        text::single_line(raw)?;
        let url = url::Url::parse(raw.trim()).map_err(|_| ProfileError::Url)?;
        if !matches!(url.scheme(), "http" | "https")
            || url.host_str().is_none_or(str::is_empty)
            || raw.len() > 2048
        {
            return Err(ProfileError::Url);
        }
        Ok(Self(url.to_string()))
    }

    /// The normalized URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Expertise or interests: at most ten short keywords, duplicates (ignoring case) removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keywords(Vec<String>);

impl Keywords {
    /// The limit shared by expertise and interests (docs/domain-model.md).
    pub const MAX: usize = 10;

    /// Trims entries, drops case-insensitive duplicates, refuses entries that are not a
    /// single line, empty entries, entries over 50 characters and lists over ten.
    pub fn parse<S: AsRef<str>>(raw: &[S]) -> Result<Self, ProfileError> {
        let mut seen = std::collections::HashSet::new();
        let mut words = Vec::new();
        for entry in raw {
            text::single_line(entry.as_ref())?;
            let word = entry.as_ref().trim();
            if word.is_empty() {
                return Err(ProfileError::EmptyKeyword);
            }
            if word.chars().count() > 50 {
                return Err(ProfileError::Keywords);
            }
            if seen.insert(word.to_lowercase()) {
                words.push(word.to_owned());
            }
        }
        if words.len() > Self::MAX {
            return Err(ProfileError::Keywords);
        }
        Ok(Self(words))
    }

    /// The keywords in the order given.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

/// A learner's self-declared level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExperienceLevel {
    /// Just starting.
    Beginner,
    /// Some practice.
    Intermediate,
    /// Experienced.
    Advanced,
}

impl ExperienceLevel {
    /// Stable name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Beginner => "beginner",
            Self::Intermediate => "intermediate",
            Self::Advanced => "advanced",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        match raw {
            "beginner" => Ok(Self::Beginner),
            "intermediate" => Ok(Self::Intermediate),
            "advanced" => Ok(Self::Advanced),
            _ => Err(ProfileError::ExperienceLevel),
        }
    }
}

/// Links a person shares publicly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SocialLinks {
    /// Personal site.
    pub website: Option<WebUrl>,
    /// GitHub profile.
    pub github: Option<WebUrl>,
    /// LinkedIn profile.
    pub linkedin: Option<WebUrl>,
    /// Twitter / X profile.
    pub twitter: Option<WebUrl>,
    /// Facebook profile.
    pub facebook: Option<WebUrl>,
}

/// The public face of an account plus its mentor and learner sides.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    /// About me, at most 1000 characters.
    pub bio: Option<MultiLineText<1000>>,
    /// Avatar URL.
    pub profile_image: Option<WebUrl>,
    /// Free-form place.
    pub location: Option<SingleLineText<200>>,
    /// IANA zone used to show and define times.
    pub timezone: Option<Timezone>,
    /// Job title.
    pub designation: Option<SingleLineText<200>>,
    /// Public links.
    pub social: SocialLinks,
    /// Mentor side: what they can teach (≤ 10).
    pub expertise: Keywords,
    /// Mentor side: indicative hourly rate.
    pub hourly_rate: Option<Money>,
    /// Mentor side: years of experience, 0–80.
    pub years_experience: Option<u8>,
    /// Mentor side: field of work.
    pub domain: Option<SingleLineText<200>>,
    /// Learner side: what they want to learn (≤ 10).
    pub interests: Keywords,
    /// Learner side: short-term goals.
    pub goals: Option<MultiLineText<1000>>,
    /// Learner side: career goals.
    pub career_goals: Option<MultiLineText<1000>>,
    /// Learner side: level.
    pub experience_level: Option<ExperienceLevel>,
}

impl Profile {
    /// Checks years of experience: a mentor with 200 years is a typo, not a mentor.
    pub fn parse_years_experience(years: i64) -> Result<u8, ProfileError> {
        u8::try_from(years)
            .ok()
            .filter(|y| *y <= 80)
            .ok_or(ProfileError::YearsExperience)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bio_is_limited_to_1000_characters() {
        assert!(MultiLineText::<1000>::parse(&"a".repeat(1000)).is_ok());
        assert_eq!(
            MultiLineText::<1000>::parse(&"a".repeat(1001)),
            Err(ProfileError::TooLong { max: 1000 })
        );
    }

    #[test]
    fn single_line_text_refuses_line_breaks_and_controls_before_trimming() {
        let refused = Err(ProfileError::Characters(ControlCharacters(
            TextKind::SingleLine,
        )));
        for raw in [
            "Bengaluru\n",
            "\tBengaluru",
            "Benga\u{7}luru",
            "Benga\u{85}luru",
        ] {
            assert_eq!(SingleLineText::<200>::parse(raw), refused, "{raw:?}");
        }
        assert_eq!(
            SingleLineText::<200>::parse("  Bengaluru, India ")
                .unwrap()
                .as_str(),
            "Bengaluru, India"
        );
    }

    #[test]
    fn multi_line_text_keeps_inner_tabs_and_line_breaks() {
        let bio = MultiLineText::<1000>::parse("\nI teach Rust.\r\n\tAnd Go.\u{2028}\n").unwrap();
        assert_eq!(bio.as_str(), "I teach Rust.\r\n\tAnd Go.");
        assert_eq!(
            MultiLineText::<1000>::parse("I teach\u{7} Rust"),
            Err(ProfileError::Characters(ControlCharacters(
                TextKind::MultiLine
            )))
        );
        assert!(MultiLineText::<1000>::parse("\u{0}").is_err());
        assert!(MultiLineText::<1000>::parse("a\u{85}b").is_err());
    }

    #[test]
    fn urls_time_zones_and_keywords_are_single_line() {
        let refused = ProfileError::Characters(ControlCharacters(TextKind::SingleLine));
        assert_eq!(
            WebUrl::parse("https://exa\tmple.com/"),
            Err(refused.clone())
        );
        assert_eq!(Timezone::parse("Asia/Kolkata\n"), Err(refused.clone()));
        assert_eq!(Keywords::parse(&["Rust", "G\no"]), Err(refused));
    }

    #[test]
    fn timezone_must_be_an_iana_name() {
        assert!(Timezone::parse("Asia/Kolkata").is_ok());
        assert!(Timezone::parse("America/New_York").is_ok());
        assert_eq!(Timezone::parse("Mars/Olympus"), Err(ProfileError::Timezone));
        assert_eq!(Timezone::parse(""), Err(ProfileError::Timezone));
    }

    #[test]
    fn keywords_are_at_most_ten_and_deduplicated() {
        let eleven: Vec<String> = (0..11).map(|i| format!("topic{i}")).collect();
        assert_eq!(Keywords::parse(&eleven), Err(ProfileError::Keywords));
        let dup = Keywords::parse(&["Rust", "rust", "Go"]).unwrap();
        assert_eq!(dup.as_slice(), ["Rust", "Go"]);
        assert_eq!(Keywords::parse(&[" "]), Err(ProfileError::EmptyKeyword));
        assert_eq!(
            Keywords::parse(&["x".repeat(51)]),
            Err(ProfileError::Keywords)
        );
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(WebUrl::parse("https://github.com/asha").is_ok());
        assert_eq!(WebUrl::parse("javascript:alert(1)"), Err(ProfileError::Url));
        assert_eq!(WebUrl::parse("/relative"), Err(ProfileError::Url));
    }

    #[test]
    fn years_of_experience_are_bounded() {
        assert_eq!(Profile::parse_years_experience(12), Ok(12));
        assert!(Profile::parse_years_experience(-1).is_err());
        assert!(Profile::parse_years_experience(81).is_err());
    }
}
