//! Request and response bodies of the identity context. They are separate from the domain
//! types on purpose: the OpenAPI schema is a product surface, and it must not change
//! shape when an internal type does.

use lyceum_app::identity::{
    AccountExport, BanInput, BillingAddressInput, CertificateInput, PublicProfile,
    RegistrationInput,
};
use lyceum_domain::identity::{BillingAddress, Profile, Specialization, User, UserCertificate};
use lyceum_ports::identity::{AuthSession, LoginAttempt};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::shared::{LedgerEntryOut, Money, RatingSummaryOut, Role, WalletOut, page, patch};

/// The role one signs up with; `admin` is only ever granted by an admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum RegistrationRole {
    /// Learner.
    Learner,
    /// Mentor.
    Mentor,
}

impl RegistrationRole {
    /// The domain's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Learner => lyceum_domain::identity::Role::Learner.as_str(),
            Self::Mentor => lyceum_domain::identity::Role::Mentor.as_str(),
        }
    }
}

/// Sign-up form.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct RegistrationIn {
    /// Login email, unique ignoring case: at most 254 characters, an ASCII local part of at
    /// most 64 and a dotted domain of letters, digits and hyphens.
    #[oai(validator(
        max_length = 254,
        pattern = r"^[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*[!-?A-~]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*$"
    ))]
    pub email: String,
    /// 8–16 characters, starting with a letter; letters, digits, `_` and `.`.
    #[oai(validator(
        pattern = r"^[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*[A-Za-z][A-Za-z0-9_.]{7,15}[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*$"
    ))]
    pub username: String,
    /// 8–128 characters with upper case, lower case and a digit.
    #[oai(validator(
        min_length = 8,
        max_length = 128,
        pattern = r"^(?:[^\x00]*[A-Z][^\x00]*[a-z][^\x00]*[0-9]|[^\x00]*[A-Z][^\x00]*[0-9][^\x00]*[a-z]|[^\x00]*[a-z][^\x00]*[A-Z][^\x00]*[0-9]|[^\x00]*[a-z][^\x00]*[0-9][^\x00]*[A-Z]|[^\x00]*[0-9][^\x00]*[A-Z][^\x00]*[a-z]|[^\x00]*[0-9][^\x00]*[a-z][^\x00]*[A-Z])[^\x00]*$"
    ))]
    pub password: String,
    /// Given name, 1–100 characters.
    #[oai(validator(
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub first_name: String,
    /// Family name, 1–100 characters.
    #[oai(validator(
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub last_name: String,
    /// `learner` or `mentor`.
    pub role: RegistrationRole,
    /// Optional phone: `+` and 7–15 digits, spaces and dashes allowed.
    #[oai(validator(max_length = 32, pattern = r"^[ -]*\+[ -]*([0-9][ -]*){7,15}$"))]
    pub phone_number: Option<String>,
}

impl From<RegistrationIn> for RegistrationInput {
    fn from(b: RegistrationIn) -> Self {
        Self {
            email: b.email,
            username: b.username,
            password: b.password,
            first_name: b.first_name,
            last_name: b.last_name,
            role: b.role.as_str().to_owned(),
            phone_number: b.phone_number,
        }
    }
}

/// Sign-in form.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct LoginIn {
    /// Email or username.
    #[oai(validator(max_length = 254))]
    pub login: String,
    /// Password.
    #[oai(validator(max_length = 256, pattern = r"^[^\x00]*$"))]
    pub password: String,
}

/// How the access token is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum TokenType {
    /// `Authorization: Bearer <access_token>`.
    Bearer,
}

/// Tokens after sign-in or refresh.
#[derive(Debug, Clone, Object)]
pub struct TokenPairOut {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Opaque single-use token for `POST /api/v1/auth/refresh`.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: TokenType,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

impl From<lyceum_app::identity::TokenPair> for TokenPairOut {
    fn from(pair: lyceum_app::identity::TokenPair) -> Self {
        Self {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
            token_type: TokenType::Bearer,
            expires_in: pair.expires_in,
        }
    }
}

/// A refresh token to rotate.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct RefreshIn {
    /// The refresh token from the last sign-in or refresh.
    #[oai(validator(max_length = 512))]
    pub refresh_token: String,
}

/// A single-use token received by mail.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct EmailVerificationIn {
    /// The code from the mail.
    #[oai(validator(max_length = 512))]
    pub token: String,
}

/// Asks for a password reset mail.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct PasswordForgotIn {
    /// The account's email.
    #[oai(validator(
        max_length = 254,
        pattern = r"^[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*[!-?A-~]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*$"
    ))]
    pub email: String,
}

/// Sets a new password with a reset token.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct PasswordResetIn {
    /// The code from the reset mail.
    #[oai(validator(max_length = 512))]
    pub token: String,
    /// The new password (same rules as at sign-up: 8–128 characters with upper case,
    /// lower case and a digit).
    #[oai(validator(
        min_length = 8,
        max_length = 128,
        pattern = r"^(?:[^\x00]*[A-Z][^\x00]*[a-z][^\x00]*[0-9]|[^\x00]*[A-Z][^\x00]*[0-9][^\x00]*[a-z]|[^\x00]*[a-z][^\x00]*[A-Z][^\x00]*[0-9]|[^\x00]*[a-z][^\x00]*[0-9][^\x00]*[A-Z]|[^\x00]*[0-9][^\x00]*[A-Z][^\x00]*[a-z]|[^\x00]*[0-9][^\x00]*[a-z][^\x00]*[A-Z])[^\x00]*$"
    ))]
    pub new_password: String,
}

/// A learner's experience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    rename_all = "lowercase",
    remote = "lyceum_domain::identity::ExperienceLevel"
)]
pub enum ExperienceLevel {
    /// Beginner.
    Beginner,
    /// Intermediate.
    Intermediate,
    /// Advanced.
    Advanced,
}

/// Public links.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SocialLinksOut {
    /// Personal site.
    pub website: Option<String>,
    /// GitHub.
    pub github: Option<String>,
    /// LinkedIn.
    pub linkedin: Option<String>,
    /// Twitter / X.
    pub twitter: Option<String>,
    /// Facebook.
    pub facebook: Option<String>,
}

/// A profile: public part plus mentor and learner sides.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ProfileOut {
    /// About me (≤ 1000 characters).
    pub bio: Option<String>,
    /// Avatar URL.
    pub profile_image: Option<String>,
    /// Place.
    pub location: Option<String>,
    /// IANA time zone, e.g. `Asia/Kolkata`.
    pub timezone: Option<String>,
    /// Job title.
    pub designation: Option<String>,
    /// Public links.
    pub social_links: SocialLinksOut,
    /// Mentor side: expertise keywords (≤ 10).
    pub expertise: Vec<String>,
    /// Mentor side: indicative hourly rate.
    pub hourly_rate: Option<Money>,
    /// Mentor side: years of experience.
    pub years_experience: Option<u8>,
    /// Mentor side: field of work.
    pub domain: Option<String>,
    /// Learner side: interests (≤ 10).
    pub interests: Vec<String>,
    /// Learner side: goals.
    pub goals: Option<String>,
    /// Learner side: career goals.
    pub career_goals: Option<String>,
    /// Learner side: how experienced.
    pub experience_level: Option<ExperienceLevel>,
}

impl From<&Profile> for ProfileOut {
    fn from(p: &Profile) -> Self {
        let url =
            |u: &Option<lyceum_domain::identity::WebUrl>| u.as_ref().map(|u| u.as_str().to_owned());
        Self {
            bio: p.bio.as_ref().map(|t| t.as_str().to_owned()),
            profile_image: url(&p.profile_image),
            location: p.location.as_ref().map(|t| t.as_str().to_owned()),
            timezone: p.timezone.as_ref().map(|t| t.as_str().to_owned()),
            designation: p.designation.as_ref().map(|t| t.as_str().to_owned()),
            social_links: SocialLinksOut {
                website: url(&p.social.website),
                github: url(&p.social.github),
                linkedin: url(&p.social.linkedin),
                twitter: url(&p.social.twitter),
                facebook: url(&p.social.facebook),
            },
            expertise: p.expertise.as_slice().to_vec(),
            hourly_rate: p.hourly_rate.map(Money::from),
            years_experience: p.years_experience,
            domain: p.domain.as_ref().map(|t| t.as_str().to_owned()),
            interests: p.interests.as_slice().to_vec(),
            goals: p.goals.as_ref().map(|t| t.as_str().to_owned()),
            career_goals: p.career_goals.as_ref().map(|t| t.as_str().to_owned()),
            experience_level: p.experience_level.map(Into::into),
        }
    }
}

fn roles_of(user: &User) -> Vec<Role> {
    user.roles.iter().map(Role::from).collect()
}

/// My account, as only I (and admins) see it.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserOut {
    /// Id.
    pub id: Uuid,
    /// Login email.
    pub email: String,
    /// Handle.
    pub username: String,
    /// Phone.
    pub phone_number: Option<String>,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Roles.
    pub roles: Vec<Role>,
    /// Whether the email was verified.
    pub email_verified: bool,
    /// Whether the account is active.
    pub is_active: bool,
    /// Last successful sign-in.
    pub last_login_at: Option<OffsetDateTime>,
    /// Profile.
    pub profile: ProfileOut,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

impl From<&User> for UserOut {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            email: u.email.as_str().to_owned(),
            username: u.username.as_str().to_owned(),
            phone_number: u.phone_number.as_ref().map(|p| p.as_str().to_owned()),
            first_name: u.first_name.as_str().to_owned(),
            last_name: u.last_name.as_str().to_owned(),
            roles: roles_of(u),
            email_verified: u.email_verified,
            is_active: u.is_active,
            last_login_at: u.last_login_at,
            profile: ProfileOut::from(&u.profile),
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// A ban as admins see it.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BanOut {
    /// Why.
    pub reason: String,
    /// When it ends; absent for a permanent ban.
    pub expires_at: Option<OffsetDateTime>,
}

/// An account with its moderation state (admin view).
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AdminUserOut {
    /// The account.
    #[oai(flatten)]
    pub account: UserOut,
    /// Current ban, if any.
    pub ban: Option<BanOut>,
    /// Consecutive failed sign-ins.
    pub failed_login_count: u32,
    /// Locked until.
    pub locked_until: Option<OffsetDateTime>,
    /// Soft-deleted at.
    pub deleted_at: Option<OffsetDateTime>,
}

impl From<&User> for AdminUserOut {
    fn from(u: &User) -> Self {
        Self {
            account: UserOut::from(u),
            ban: u.ban.as_ref().map(|b| BanOut {
                reason: b.reason.clone(),
                expires_at: b.expires_at,
            }),
            failed_login_count: u.failed_login_count,
            locked_until: u.locked_until,
            deleted_at: u.deleted_at,
        }
    }
}

page!(
    /// A page of accounts (admin).
    AdminUserPage of AdminUserOut, "Accounts."
);

/// What anyone may see of an account.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PublicUserOut {
    /// Id.
    pub id: Uuid,
    /// Handle.
    pub username: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Roles.
    pub roles: Vec<Role>,
    /// Profile.
    pub profile: ProfileOut,
    /// Mentors: average rating and feedback count.
    pub rating: Option<RatingSummaryOut>,
    /// Member since.
    pub created_at: OffsetDateTime,
}

impl PublicUserOut {
    /// Adds the mentor rating.
    pub fn with_rating(mut self, rating: Option<lyceum_domain::mentoring::RatingSummary>) -> Self {
        self.rating = rating.map(Into::into);
        self
    }
}

impl From<&User> for PublicUserOut {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            username: u.username.as_str().to_owned(),
            first_name: u.first_name.as_str().to_owned(),
            last_name: u.last_name.as_str().to_owned(),
            roles: roles_of(u),
            profile: ProfileOut::from(&u.profile),
            rating: None,
            created_at: u.created_at,
        }
    }
}

/// A public profile with specializations and declared certificates.
#[derive(Debug, Clone, Object)]
pub struct PublicProfileOut {
    /// The account's public part.
    #[oai(flatten)]
    pub user: PublicUserOut,
    /// Specializations.
    pub specializations: Vec<SpecializationOut>,
    /// Declared certificates.
    pub certificates: Vec<CertificateOut>,
}

impl From<PublicProfile> for PublicProfileOut {
    fn from(p: PublicProfile) -> Self {
        Self {
            user: PublicUserOut::from(&p.user),
            specializations: p
                .specializations
                .iter()
                .map(SpecializationOut::from)
                .collect(),
            certificates: p.certificates.iter().map(CertificateOut::from).collect(),
        }
    }
}

page!(
    /// A page of mentors.
    MentorPage of PublicUserOut, "Mentors."
);

/// Partial update of my account: absent fields stay, `null` clears. For the clearable
/// text fields a blank string clears too. Roles, ids, email, verification, balance and
/// ban fields cannot be set here and are refused.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct ProfilePatch {
    /// Given name, 1–100 characters.
    #[oai(validator(
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub first_name: Option<String>,
    /// Family name, 1–100 characters.
    #[oai(validator(
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub last_name: Option<String>,
    /// `+` and 7–15 digits, spaces and dashes allowed.
    #[oai(
        nullable,
        validator(
            max_length = 32,
            pattern = r"^(?:[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*|[ -]*\+[ -]*([0-9][ -]*){7,15})$"
        )
    )]
    pub phone_number: MaybeUndefined<String>,
    /// About me, at most 1000 characters; it may span several lines.
    #[oai(
        nullable,
        validator(
            max_length = 1000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
        )
    )]
    pub bio: MaybeUndefined<String>,
    /// Avatar: an absolute http(s) URL.
    #[oai(
        nullable,
        validator(
            max_length = 2048,
            pattern = r"^(?:[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*|[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?([/?#][^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*)?[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*)$"
        )
    )]
    pub profile_image: MaybeUndefined<String>,
    /// Place, at most 200 characters.
    #[oai(nullable, validator(max_length = 200))]
    pub location: MaybeUndefined<String>,
    /// IANA time zone name, e.g. `Asia/Kolkata`.
    #[oai(nullable)]
    pub timezone: MaybeUndefined<String>,
    /// Job title, at most 200 characters.
    #[oai(nullable, validator(max_length = 200))]
    pub designation: MaybeUndefined<String>,
    /// Personal site: an absolute http(s) URL.
    #[oai(
        nullable,
        validator(
            max_length = 2048,
            pattern = r"^(?:[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*|[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?([/?#][^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*)?[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*)$"
        )
    )]
    pub website: MaybeUndefined<String>,
    /// GitHub profile: an absolute http(s) URL.
    #[oai(
        nullable,
        validator(
            max_length = 2048,
            pattern = r"^(?:[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*|[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?([/?#][^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*)?[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*)$"
        )
    )]
    pub github: MaybeUndefined<String>,
    /// LinkedIn profile: an absolute http(s) URL.
    #[oai(
        nullable,
        validator(
            max_length = 2048,
            pattern = r"^(?:[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*|[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?([/?#][^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*)?[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*)$"
        )
    )]
    pub linkedin: MaybeUndefined<String>,
    /// Twitter / X profile: an absolute http(s) URL.
    #[oai(
        nullable,
        validator(
            max_length = 2048,
            pattern = r"^(?:[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*|[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?([/?#][^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*)?[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*)$"
        )
    )]
    pub twitter: MaybeUndefined<String>,
    /// Facebook profile: an absolute http(s) URL.
    #[oai(
        nullable,
        validator(
            max_length = 2048,
            pattern = r"^(?:[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*|[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?([/?#][^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*)?[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*)$"
        )
    )]
    pub facebook: MaybeUndefined<String>,
    /// Mentor side: up to 10 keywords of 1–50 characters (duplicates ignoring case are
    /// dropped); replaces the list, `[]` empties it.
    #[oai(validator(
        max_items = 10,
        max_length = 50,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub expertise: Option<Vec<String>>,
    /// Mentor side: indicative hourly rate.
    #[oai(nullable)]
    pub hourly_rate: MaybeUndefined<Money>,
    /// Mentor side: years of experience, 0–80.
    #[oai(nullable, validator(minimum(value = "0"), maximum(value = "80")))]
    pub years_experience: MaybeUndefined<i64>,
    /// Mentor side: field of work, at most 200 characters.
    #[oai(nullable, validator(max_length = 200))]
    pub domain: MaybeUndefined<String>,
    /// Learner side: up to 10 keywords of 1–50 characters (duplicates ignoring case are
    /// dropped); replaces the list, `[]` empties it.
    #[oai(validator(
        max_items = 10,
        max_length = 50,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub interests: Option<Vec<String>>,
    /// Learner side: goals, at most 1000 characters; it may span several lines.
    #[oai(
        nullable,
        validator(
            max_length = 1000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
        )
    )]
    pub goals: MaybeUndefined<String>,
    /// Learner side: career goals, at most 1000 characters; it may span several lines.
    #[oai(
        nullable,
        validator(
            max_length = 1000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
        )
    )]
    pub career_goals: MaybeUndefined<String>,
    /// Learner side: how experienced.
    #[oai(nullable)]
    pub experience_level: MaybeUndefined<ExperienceLevel>,
}

impl From<ProfilePatch> for lyceum_app::identity::ProfilePatch {
    fn from(b: ProfilePatch) -> Self {
        Self {
            first_name: b.first_name,
            last_name: b.last_name,
            phone_number: patch(b.phone_number),
            bio: patch(b.bio),
            profile_image: patch(b.profile_image),
            location: patch(b.location),
            timezone: patch(b.timezone),
            designation: patch(b.designation),
            website: patch(b.website),
            github: patch(b.github),
            linkedin: patch(b.linkedin),
            twitter: patch(b.twitter),
            facebook: patch(b.facebook),
            expertise: b.expertise,
            hourly_rate: patch(b.hourly_rate).map(|m| m.map(|m| (m.amount_minor, m.currency))),
            years_experience: patch(b.years_experience),
            domain: patch(b.domain),
            interests: b.interests,
            goals: patch(b.goals),
            career_goals: patch(b.career_goals),
            experience_level: patch(b.experience_level).map(|level| {
                level.map(|l| {
                    lyceum_domain::identity::ExperienceLevel::from(l)
                        .as_str()
                        .to_owned()
                })
            }),
        }
    }
}

/// A signed-in device.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuthSessionOut {
    /// Id.
    pub id: Uuid,
    /// Address at sign-in.
    pub ip: Option<String>,
    /// User agent at sign-in.
    pub user_agent: Option<String>,
    /// Signed in at.
    pub created_at: OffsetDateTime,
    /// Last refresh.
    pub last_used_at: OffsetDateTime,
    /// Expires unless refreshed.
    pub expires_at: OffsetDateTime,
    /// Whether this is the session of the token making the request.
    pub current: bool,
}

impl AuthSessionOut {
    /// Converts, marking the caller's own session.
    pub fn new(s: &AuthSession, current: Uuid) -> Self {
        Self {
            id: s.id,
            ip: s.ip.clone(),
            user_agent: s.user_agent.clone(),
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            expires_at: s.expires_at,
            current: s.id == current,
        }
    }
}

/// A specialization.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SpecializationOut {
    /// Id.
    pub id: Uuid,
    /// Unique name.
    pub name: String,
    /// What it covers.
    pub description: Option<String>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

impl From<&Specialization> for SpecializationOut {
    fn from(s: &Specialization) -> Self {
        Self {
            id: s.id,
            name: s.name.as_str().to_owned(),
            description: s.description.clone(),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// Creates or renames a specialization.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct SpecializationIn {
    /// Unique name, 2–100 characters.
    #[oai(validator(
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub name: String,
    /// What it covers, at most 1000 characters; it may span several lines.
    #[oai(validator(
        max_length = 1000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    ))]
    pub description: Option<String>,
}

/// Claims a specialization.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct MySpecializationIn {
    /// The specialization's id.
    pub specialization_id: Uuid,
}

/// A declared certificate.
#[derive(Debug, Clone, Object)]
pub struct CertificateOut {
    /// Id.
    pub id: Uuid,
    /// What was certified.
    pub title: String,
    /// Who issued it.
    pub issuer: String,
    /// When.
    pub issue_date: Date,
    /// Where to check it.
    pub certificate_url: String,
    /// Declared at.
    pub created_at: OffsetDateTime,
}

impl From<&UserCertificate> for CertificateOut {
    fn from(c: &UserCertificate) -> Self {
        Self {
            id: c.id,
            title: c.title.as_str().to_owned(),
            issuer: c.issuer.as_str().to_owned(),
            issue_date: c.issue_date,
            certificate_url: c.certificate_url.as_str().to_owned(),
            created_at: c.created_at,
        }
    }
}

/// Declares a certificate.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct CertificateIn {
    /// What was certified, 1–200 characters.
    #[oai(validator(
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub title: String,
    /// Who issued it, 1–200 characters.
    #[oai(validator(
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub issuer: String,
    /// When (not in the future).
    pub issue_date: Date,
    /// An absolute http(s) URL where it can be checked.
    #[oai(validator(
        max_length = 2048,
        pattern = r"^[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?([/?#][^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*)?[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*$"
    ))]
    pub certificate_url: String,
}

impl From<CertificateIn> for CertificateInput {
    fn from(b: CertificateIn) -> Self {
        Self {
            title: b.title,
            issuer: b.issuer,
            issue_date: b.issue_date,
            certificate_url: b.certificate_url,
        }
    }
}

/// A billing address.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[allow(missing_docs)]
pub struct BillingAddressOut {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub company_name: Option<String>,
    pub phone_number: Option<String>,
    pub email: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub vat_number: Option<String>,
    pub notes: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl From<&BillingAddress> for BillingAddressOut {
    fn from(b: &BillingAddress) -> Self {
        let a = &b.address;
        let opt = |t: &Option<lyceum_domain::identity::SingleLineText<200>>| {
            t.as_ref().map(|t| t.as_str().to_owned())
        };
        Self {
            id: b.id,
            first_name: a.first_name.as_str().to_owned(),
            last_name: a.last_name.as_str().to_owned(),
            company_name: opt(&a.company_name),
            phone_number: a.phone_number.as_ref().map(|p| p.as_str().to_owned()),
            email: a.email.as_str().to_owned(),
            address_line1: a.address_line1.as_str().to_owned(),
            address_line2: opt(&a.address_line2),
            city: a.city.as_str().to_owned(),
            state: a.state.as_str().to_owned(),
            postal_code: a.postal_code.as_str().to_owned(),
            country: a.country.clone(),
            vat_number: a.vat_number.as_ref().map(|t| t.as_str().to_owned()),
            notes: a.notes.as_ref().map(|t| t.as_str().to_owned()),
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

/// Creates or replaces my billing address. Optional texts left blank are not stored.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct BillingAddressIn {
    /// Billing first name, 1–100 characters.
    #[oai(validator(
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub first_name: String,
    /// Billing last name, 1–100 characters.
    #[oai(validator(
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub last_name: String,
    /// Company, for business invoices; at most 200 characters.
    #[oai(validator(max_length = 200))]
    pub company_name: Option<String>,
    /// Contact phone: `+` and 7–15 digits, spaces and dashes allowed.
    #[oai(validator(max_length = 32, pattern = r"^[ -]*\+[ -]*([0-9][ -]*){7,15}$"))]
    pub phone_number: Option<String>,
    /// Where invoices go (may differ from the login email); at most 254 characters.
    #[oai(validator(
        max_length = 254,
        pattern = r"^[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*[!-?A-~]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*$"
    ))]
    pub email: String,
    /// First address line, 1–200 characters.
    #[oai(validator(
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub address_line1: String,
    /// Second address line, at most 200 characters.
    #[oai(validator(max_length = 200))]
    pub address_line2: Option<String>,
    /// City, 1–100 characters.
    #[oai(validator(
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub city: String,
    /// State or province, 1–100 characters.
    #[oai(validator(
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub state: String,
    /// ZIP or postal code, 1–20 characters.
    #[oai(validator(
        max_length = 20,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code in upper case, e.g. `IN`.
    #[oai(validator(
        pattern = r"^[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*[A-Z]{2}[ \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]*$"
    ))]
    pub country: String,
    /// VAT or tax id, at most 50 characters.
    #[oai(validator(max_length = 50))]
    pub vat_number: Option<String>,
    /// Free notes, at most 500 characters; it may span several lines.
    #[oai(validator(
        max_length = 500,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    ))]
    pub notes: Option<String>,
}

impl From<BillingAddressIn> for BillingAddressInput {
    fn from(b: BillingAddressIn) -> Self {
        Self {
            first_name: b.first_name,
            last_name: b.last_name,
            company_name: b.company_name,
            phone_number: b.phone_number,
            email: b.email,
            address_line1: b.address_line1,
            address_line2: b.address_line2,
            city: b.city,
            state: b.state,
            postal_code: b.postal_code,
            country: b.country,
            vat_number: b.vat_number,
            notes: b.notes,
        }
    }
}

/// Bans an account.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct BanIn {
    /// Why (shown to the user), 1–500 characters; it may span several lines.
    #[oai(validator(
        max_length = 500,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    ))]
    pub reason: String,
    /// When the ban ends, in the future; omit for a permanent ban.
    pub expires_at: Option<OffsetDateTime>,
}

impl From<BanIn> for BanInput {
    fn from(b: BanIn) -> Self {
        Self {
            reason: b.reason,
            expires_at: b.expires_at,
        }
    }
}

/// Grants a role.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct RoleGrantIn {
    /// The role to grant.
    pub role: Role,
}

/// A sign-in attempt.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LoginAttemptOut {
    /// Whether it succeeded.
    pub success: bool,
    /// Why it failed.
    pub failure_reason: Option<String>,
    /// Client address.
    pub ip: Option<String>,
    /// User agent.
    pub user_agent: Option<String>,
    /// When.
    pub created_at: OffsetDateTime,
}

impl From<&LoginAttempt> for LoginAttemptOut {
    fn from(a: &LoginAttempt) -> Self {
        Self {
            success: a.success,
            failure_reason: a.failure_reason.clone(),
            ip: a.ip.clone(),
            user_agent: a.user_agent.clone(),
            created_at: a.created_at,
        }
    }
}

/// Everything Lyceum stores about me.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AccountExportOut {
    /// Account and profile.
    pub account: UserOut,
    /// Specializations.
    pub specializations: Vec<SpecializationOut>,
    /// Declared certificates.
    pub certificates: Vec<CertificateOut>,
    /// Billing address.
    pub billing_address: Option<BillingAddressOut>,
    /// Wallet.
    pub wallet: Option<WalletOut>,
    /// Every ledger entry, newest first.
    pub ledger: Vec<LedgerEntryOut>,
    /// Signed-in devices.
    pub auth_sessions: Vec<AuthSessionOut>,
    /// Sign-in attempts, newest first.
    pub login_history: Vec<LoginAttemptOut>,
    /// When this export was made.
    pub exported_at: OffsetDateTime,
}

impl AccountExportOut {
    /// Converts an export made for the session `current`.
    pub fn new(e: AccountExport, current: Uuid) -> Self {
        Self {
            account: UserOut::from(&e.user),
            specializations: e
                .specializations
                .iter()
                .map(SpecializationOut::from)
                .collect(),
            certificates: e.certificates.iter().map(CertificateOut::from).collect(),
            billing_address: e.billing_address.as_ref().map(BillingAddressOut::from),
            wallet: e.wallet.as_ref().map(WalletOut::from),
            ledger: e.ledger.iter().map(LedgerEntryOut::from).collect(),
            auth_sessions: e
                .auth_sessions
                .iter()
                .map(|s| AuthSessionOut::new(s, current))
                .collect(),
            login_history: e.login_history.iter().map(LoginAttemptOut::from).collect(),
            exported_at: OffsetDateTime::now_utc(),
        }
    }
}

#[cfg(test)]
mod tests {
    use lyceum_domain::identity::{
        Email, Keywords, Password, PersonName, PhoneNumber, Roles, SpecializationName, Username,
    };

    use super::*;
    use crate::shared::contract::{constraints, has_null, json, matches, number, property};

    fn new_user() -> User {
        User {
            id: Uuid::nil(),
            email: Email::parse("asha@example.com").unwrap(),
            username: Username::parse("ashakumar").unwrap(),
            phone_number: None,
            first_name: PersonName::parse("Asha").unwrap(),
            last_name: PersonName::parse("Kumar").unwrap(),
            roles: Roles::single(lyceum_domain::identity::Role::Learner),
            is_active: true,
            email_verified: false,
            last_login_at: None,
            ban: None,
            failed_login_count: 0,
            locked_until: None,
            deleted_at: None,
            profile: Profile::default(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_new_account_is_sent_without_nulls() {
        let admin_view = json(&AdminUserOut::from(&new_user()));
        assert!(!has_null(&admin_view), "{admin_view}");
        for absent in ["phone_number", "last_login_at", "ban", "locked_until"] {
            assert!(admin_view.get(absent).is_none(), "{absent}");
        }
        assert_eq!(admin_view["profile"]["social_links"], serde_json::json!({}));
        assert!(admin_view["profile"].get("bio").is_none());
        assert_eq!(admin_view["username"], "ashakumar");
        let public = json(&PublicUserOut::from(&new_user()));
        assert!(
            !has_null(&public) && public.get("rating").is_none(),
            "{public}"
        );
    }

    #[test]
    fn registration_patterns_agree_with_the_domain() {
        let username = property::<RegistrationIn>("username");
        for raw in [
            "ashakumar",
            "Abcdefghijklmnop",
            " asha_k.99 ",
            "short1",
            "1startswithdigit",
            "abcdefghijklmnopq",
            "has space1",
            "ashakumär",
        ] {
            let ok = Username::parse(raw).is_ok();
            assert_eq!(matches(&username, raw), ok, "{raw:?}");
        }
        let phone = property::<RegistrationIn>("phone_number");
        for raw in [
            "+919876543210",
            "+91 98765-43210",
            " -+1234567",
            "9876543210",
            "+123456",
            "+1234567890123456",
            "+12345a7890",
            "+",
        ] {
            let ok = PhoneNumber::parse(raw).is_ok();
            assert_eq!(matches(&phone, raw), ok, "{raw:?}");
        }
        let patch_phone = property::<ProfilePatch>("phone_number");
        assert!(matches(&patch_phone, "") && matches(&patch_phone, "  "));
        assert!(matches(&patch_phone, "+91 98765-43210") && !matches(&patch_phone, "12345"));
    }

    #[test]
    fn lengths_and_ranges_are_the_domain_limits() {
        let name = property::<RegistrationIn>("first_name");
        let max = number(&name, "maxLength") as usize;
        assert!(PersonName::parse(&"a".repeat(max)).is_ok());
        assert!(PersonName::parse(&"a".repeat(max + 1)).is_err());
        assert!(!matches(&name, " \t") && PersonName::parse(" \t").is_err());
        assert_eq!(
            constraints(&property::<ProfilePatch>("first_name")),
            constraints(&name)
        );

        let password = property::<RegistrationIn>("password");
        let (min, max) = (
            number(&password, "minLength") as usize,
            number(&password, "maxLength") as usize,
        );
        let of_len = |n: usize| format!("Aa1{}", "x".repeat(n - 3));
        assert!(Password::parse(&of_len(min)).is_ok() && Password::parse(&of_len(max)).is_ok());
        assert!(Password::parse(&of_len(min - 1)).is_err());
        assert!(Password::parse(&of_len(max + 1)).is_err());
        assert_eq!(
            constraints(&property::<PasswordResetIn>("new_password")),
            constraints(&password)
        );

        let expertise = property::<ProfilePatch>("expertise");
        assert_eq!(number(&expertise, "maxItems") as usize, Keywords::MAX);
        let word = number(&expertise["items"], "maxLength") as usize;
        assert!(Keywords::parse(&["a".repeat(word)]).is_ok());
        assert!(Keywords::parse(&["a".repeat(word + 1)]).is_err());
        assert_eq!(
            constraints(&property::<ProfilePatch>("interests")),
            constraints(&expertise)
        );

        let years = property::<ProfilePatch>("years_experience");
        let (min, max) = (number(&years, "minimum"), number(&years, "maximum"));
        assert!(Profile::parse_years_experience(min).is_ok());
        assert!(Profile::parse_years_experience(max).is_ok());
        assert!(Profile::parse_years_experience(min - 1).is_err());
        assert!(Profile::parse_years_experience(max + 1).is_err());

        let specialization = property::<SpecializationIn>("name");
        let max = number(&specialization, "maxLength") as usize;
        assert!(SpecializationName::parse(&"a".repeat(max)).is_ok());
        assert!(SpecializationName::parse(&"a".repeat(max + 1)).is_err());
        for raw in ["ab", " a b ", "a", " a ", "  "] {
            let ok = SpecializationName::parse(raw).is_ok();
            assert_eq!(matches(&specialization, raw), ok, "{raw:?}");
        }
    }

    #[test]
    fn patch_fields_that_clear_declare_null() {
        for field in ["phone_number", "bio", "hourly_rate", "experience_level"] {
            assert_eq!(property::<ProfilePatch>(field)["nullable"], true, "{field}");
        }
        assert!(
            property::<ProfilePatch>("first_name")
                .get("nullable")
                .is_none()
        );
    }
}
