//! The one character rule for free text, whichever way it enters (the HTTP API, the
//! `lyceum` command line, another service linking this crate).
//!
//! Control characters mean nothing in a name or a message and cause harm downstream:
//! PostgreSQL cannot store U+0000 at all, a line break in a name breaks every list and
//! mail it is printed in, and invisible C1 controls (U+0080–U+009F) let two texts that
//! look the same differ. So every free-text field is one of two kinds:
//!
//! - **single-line** (names, usernames, email, phone, titles, subjects, locations,
//!   keywords, URLs, time zones, address lines…): refuses every control character —
//!   Unicode general category Cc, U+0000–U+001F and U+007F–U+009F — and the Unicode line
//!   and paragraph separators U+2028 and U+2029;
//! - **multi-line** (bio, goals, descriptions, messages, comments, reasons, notes):
//!   refuses the same control characters except TAB, LF and CR, and allows U+2028 and
//!   U+2029.
//!
//! The rule is checked on the text as sent, before trimming: a trailing line feed in a
//! single-line field is refused, not silently dropped, so the same value gets the same
//! answer from every entry point and from the published API schema.
//!
//! Passwords are neither: they are never stored or shown, only hashed, so any character
//! a person can type is theirs to use — except U+0000, which no text anywhere may hold
//! ([`TextKind::Secret`]).

use std::fmt;

use super::{FieldRule, Violation};

/// Which characters a text field accepts. Every parser of free text names its kind, and
/// the HTTP schema of the field says the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextKind {
    /// One line: no control character at all, no line or paragraph separator.
    SingleLine,
    /// Paragraphs: tabs and line breaks (LF, CR, U+2028, U+2029), but no other control
    /// character.
    MultiLine,
    /// A secret that is hashed, never stored or shown: only U+0000 is refused.
    Secret,
}

impl TextKind {
    /// Whether a text of this kind may hold `c`.
    pub fn allows(self, c: char) -> bool {
        match self {
            TextKind::SingleLine => !c.is_control() && !matches!(c, '\u{2028}' | '\u{2029}'),
            TextKind::MultiLine => !c.is_control() || matches!(c, '\t' | '\n' | '\r'),
            TextKind::Secret => c != '\0',
        }
    }

    /// `Ok` when every character of `raw` is allowed, otherwise the refusal to report
    /// under the field's name.
    pub fn check(self, raw: &str) -> Result<(), ControlCharacters> {
        if raw.chars().all(|c| self.allows(c)) {
            Ok(())
        } else {
            Err(ControlCharacters(self))
        }
    }
}

/// Checks a single-line text (see the [module](self) for what it refuses).
pub fn single_line(raw: &str) -> Result<(), ControlCharacters> {
    TextKind::SingleLine.check(raw)
}

/// Checks a multi-line text (see the [module](self) for what it refuses).
pub fn multi_line(raw: &str) -> Result<(), ControlCharacters> {
    TextKind::MultiLine.check(raw)
}

/// A text held characters its kind refuses; the wording says which kind, so the person
/// who typed it knows what to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ControlCharacters(pub TextKind);

impl fmt::Display for ControlCharacters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            TextKind::SingleLine => "must be a single line without control characters",
            TextKind::MultiLine => {
                "must not contain control characters other than tabs and line breaks"
            }
            TextKind::Secret => "must not contain the NUL character (U+0000)",
        })
    }
}

impl std::error::Error for ControlCharacters {}

impl FieldRule for ControlCharacters {
    fn violation(&self) -> Violation {
        Violation::InvalidCharacters
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code point of the Unicode category Cc, by definition.
    fn cc() -> impl Iterator<Item = char> {
        ('\0'..='\u{1f}').chain('\u{7f}'..='\u{9f}')
    }

    #[test]
    fn single_line_refuses_every_control_character_and_the_separators() {
        for c in cc().chain(['\u{2028}', '\u{2029}']) {
            let text = format!("Asha{c}Kumar");
            assert_eq!(
                single_line(&text),
                Err(ControlCharacters(TextKind::SingleLine)),
                "U+{:04X}",
                c as u32
            );
        }
        for fine in [
            "Asha Kumar",
            "Åsa Øberg",
            "日本語",
            "a\u{a0}b",
            "🦀 Rust",
            "",
        ] {
            assert_eq!(single_line(fine), Ok(()), "{fine:?}");
        }
    }

    #[test]
    fn multi_line_allows_tabs_and_line_breaks_only() {
        assert_eq!(
            multi_line("one\ttwo\r\nthree\nfour\u{2028}five\u{2029}"),
            Ok(())
        );
        for c in cc().filter(|c| !matches!(c, '\t' | '\n' | '\r')) {
            assert_eq!(
                multi_line(&format!("line{c}")),
                Err(ControlCharacters(TextKind::MultiLine)),
                "U+{:04X}",
                c as u32
            );
        }
        assert!(multi_line("\u{85}").is_err(), "NEL is a C1 control");
    }

    #[test]
    fn a_secret_refuses_only_nul() {
        assert_eq!(TextKind::Secret.check("Se\tcret\u{7}1\u{85}"), Ok(()));
        assert_eq!(
            TextKind::Secret.check("Secret\u{0}1"),
            Err(ControlCharacters(TextKind::Secret))
        );
    }

    #[test]
    fn the_refusal_names_the_rule_and_its_code() {
        let refusal = |kind: TextKind| ControlCharacters(kind);
        assert_eq!(
            refusal(TextKind::SingleLine).to_string(),
            "must be a single line without control characters"
        );
        assert_eq!(
            refusal(TextKind::MultiLine).to_string(),
            "must not contain control characters other than tabs and line breaks"
        );
        assert_eq!(
            refusal(TextKind::Secret).to_string(),
            "must not contain the NUL character (U+0000)"
        );
        assert_eq!(
            refusal(TextKind::MultiLine).violation(),
            Violation::InvalidCharacters
        );
    }
}
