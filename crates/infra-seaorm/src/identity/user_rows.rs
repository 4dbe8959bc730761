//! Turning `users` + `profiles` rows into a domain [`User`] and a [`Profile`] back into
//! columns. Every stored value goes through the domain's parser on the way out, so a row
//! the domain would refuse surfaces as an error instead of an invalid value.

use lyceum_domain::identity::{
    Ban, Email, ExperienceLevel, Keywords, MultiLineText, PersonName, PhoneNumber, Profile, Roles,
    SingleLineText, SocialLinks, Timezone, User, Username, WebUrl,
};
use lyceum_domain::{Currency, Money};
use lyceum_ports::{Conflict, RepoError};
use sea_orm::ActiveValue::Set;
use time::OffsetDateTime;
use uuid::Uuid;

use super::entities::{profiles, users};
use crate::database::{corrupt, db_time};

/// Which account rule a unique violation broke, judged from the index (PostgreSQL) or
/// column (SQLite) named in the message: `ux_users_username_key` / `users.username_key`.
pub(crate) fn account_conflict(message: &str) -> Option<Conflict> {
    if message.contains("username_key") {
        Some(Conflict::UsernameTaken)
    } else if message.contains("phone_number") {
        Some(Conflict::PhoneTaken)
    } else if message.contains("email") {
        Some(Conflict::EmailTaken)
    } else {
        None
    }
}

/// The domain user from its two rows. Every user has a profile row (created with the
/// user); a missing one reads as an empty profile rather than failing the account.
pub(crate) fn user_from_rows(
    row: users::Model,
    profile: Option<profiles::Model>,
) -> Result<User, RepoError> {
    let bad = |field: &str| corrupt("users", format!("{field} of {}", row.id));
    let ban = row.banned_at.map(|_| Ban {
        reason: row.ban_reason.clone().unwrap_or_default(),
        expires_at: row.ban_expires_at,
    });
    Ok(User {
        id: row.id,
        email: Email::parse(&row.email).map_err(|_| bad("email"))?,
        username: Username::parse(&row.username).map_err(|_| bad("username"))?,
        phone_number: row
            .phone_number
            .as_deref()
            .map(PhoneNumber::parse)
            .transpose()
            .map_err(|_| bad("phone_number"))?,
        first_name: PersonName::parse(&row.first_name).map_err(|_| bad("first_name"))?,
        last_name: PersonName::parse(&row.last_name).map_err(|_| bad("last_name"))?,
        roles: Roles::from_csv(&row.roles).map_err(|_| bad("roles"))?,
        is_active: row.is_active,
        email_verified: row.email_verified,
        last_login_at: row.last_login_at,
        ban,
        failed_login_count: u32::try_from(row.failed_login_count).unwrap_or(0),
        locked_until: row.locked_until,
        deleted_at: row.deleted_at,
        profile: match profile {
            Some(profile) => profile_from_row(profile)?,
            None => Profile::default(),
        },
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn profile_from_row(row: profiles::Model) -> Result<Profile, RepoError> {
    let id = row.user_id;
    let bad = |field: &str| corrupt("profiles", format!("{field} of {id}"));
    fn opt<T, E>(
        raw: &Option<String>,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Option<T>, E> {
        raw.as_deref().map(parse).transpose()
    }
    let keywords = |raw: &str, field: &str| -> Result<Keywords, RepoError> {
        let words: Vec<String> = serde_json::from_str(raw).map_err(|_| bad(field))?;
        Keywords::parse(&words).map_err(|_| bad(field))
    };
    let hourly_rate = match (row.hourly_rate_minor, row.hourly_rate_currency.as_deref()) {
        (Some(minor), Some(currency)) => Some(
            Currency::parse(currency)
                .and_then(|currency| Money::new(minor, currency))
                .map_err(|_| bad("hourly_rate"))?,
        ),
        _ => None,
    };
    let years_experience = row
        .years_experience
        .map(|years| Profile::parse_years_experience(i64::from(years)))
        .transpose()
        .map_err(|_| bad("years_experience"))?;
    Ok(Profile {
        bio: opt(&row.bio, MultiLineText::parse).map_err(|_| bad("bio"))?,
        profile_image: opt(&row.profile_image, WebUrl::parse).map_err(|_| bad("profile_image"))?,
        location: opt(&row.location, SingleLineText::parse).map_err(|_| bad("location"))?,
        timezone: opt(&row.timezone, Timezone::parse).map_err(|_| bad("timezone"))?,
        designation: opt(&row.designation, SingleLineText::parse)
            .map_err(|_| bad("designation"))?,
        social: SocialLinks {
            website: opt(&row.website, WebUrl::parse).map_err(|_| bad("website"))?,
            github: opt(&row.github, WebUrl::parse).map_err(|_| bad("github"))?,
            linkedin: opt(&row.linkedin, WebUrl::parse).map_err(|_| bad("linkedin"))?,
            twitter: opt(&row.twitter, WebUrl::parse).map_err(|_| bad("twitter"))?,
            facebook: opt(&row.facebook, WebUrl::parse).map_err(|_| bad("facebook"))?,
        },
        expertise: keywords(&row.expertise, "expertise")?,
        hourly_rate,
        years_experience,
        domain: opt(&row.domain, SingleLineText::parse).map_err(|_| bad("domain"))?,
        interests: keywords(&row.interests, "interests")?,
        goals: opt(&row.goals, MultiLineText::parse).map_err(|_| bad("goals"))?,
        career_goals: opt(&row.career_goals, MultiLineText::parse)
            .map_err(|_| bad("career_goals"))?,
        experience_level: opt(&row.experience_level, ExperienceLevel::parse)
            .map_err(|_| bad("experience_level"))?,
    })
}

/// The full profile row for `user_id`, every column set (a save replaces the profile).
pub(crate) fn profile_row(
    user_id: Uuid,
    profile: &Profile,
    now: OffsetDateTime,
) -> profiles::ActiveModel {
    fn text(value: &Option<impl AsRef<str>>) -> Option<String> {
        value.as_ref().map(|v| v.as_ref().to_owned())
    }
    fn url(value: &Option<WebUrl>) -> Option<String> {
        value.as_ref().map(|v| v.as_str().to_owned())
    }
    let json = |words: &Keywords| {
        serde_json::to_string(words.as_slice()).unwrap_or_else(|_| "[]".to_owned())
    };
    profiles::ActiveModel {
        user_id: Set(user_id),
        bio: Set(text(&profile.bio)),
        profile_image: Set(url(&profile.profile_image)),
        location: Set(text(&profile.location)),
        timezone: Set(profile.timezone.as_ref().map(|tz| tz.as_str().to_owned())),
        designation: Set(text(&profile.designation)),
        website: Set(url(&profile.social.website)),
        github: Set(url(&profile.social.github)),
        linkedin: Set(url(&profile.social.linkedin)),
        twitter: Set(url(&profile.social.twitter)),
        facebook: Set(url(&profile.social.facebook)),
        expertise: Set(json(&profile.expertise)),
        hourly_rate_minor: Set(profile.hourly_rate.map(|m| m.amount_minor())),
        hourly_rate_currency: Set(profile
            .hourly_rate
            .map(|m| m.currency().as_str().to_owned())),
        years_experience: Set(profile.years_experience.map(i32::from)),
        domain: Set(text(&profile.domain)),
        interests: Set(json(&profile.interests)),
        goals: Set(text(&profile.goals)),
        career_goals: Set(text(&profile.career_goals)),
        experience_level: Set(profile.experience_level.map(|l| l.as_str().to_owned())),
        updated_at: Set(db_time(now)),
    }
}

/// A `LIKE` pattern matching `text` anywhere, lower-cased, with `\` escaping the
/// wildcards a user may type (`%`, `_`) so that they match literally.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_are_recognised_on_both_backends() {
        assert_eq!(
            account_conflict("UNIQUE constraint failed: users.email"),
            Some(Conflict::EmailTaken)
        );
        assert_eq!(
            account_conflict(
                "duplicate key value violates unique constraint \"ux_users_username_key\""
            ),
            Some(Conflict::UsernameTaken)
        );
        assert_eq!(
            account_conflict("UNIQUE constraint failed: users.phone_number"),
            Some(Conflict::PhoneTaken)
        );
        assert_eq!(account_conflict("UNIQUE constraint failed: users.id"), None);
    }

    #[test]
    fn like_wildcards_typed_by_users_match_literally() {
        assert_eq!(contains_pattern("50%_Off\\"), "%50\\%\\_off\\\\%");
    }
}
