//! My account and public profiles.

use lyceum_domain::identity::{
    BillingAddress, ExperienceLevel, Keywords, MultiLineText, PersonName, PhoneNumber, Profile,
    Role, SingleLineText, Specialization, Timezone, User, UserCertificate, WebUrl,
};
use lyceum_domain::wallet::{LedgerEntry, Wallet};
use lyceum_domain::{Currency, Money};
use lyceum_domain::{FieldErrors, FieldRule, Violation};
use lyceum_ports::identity::{AccountDetails, AuthSession, LoginAttempt, MentorFilter};
use lyceum_ports::{Page, PageRequest};
use uuid::Uuid;

use super::Actor;
use crate::Resource;
use crate::{AppError, Lyceum};

/// A partial update of my account. For each field, `None` leaves it as it is; for
/// clearable fields, `Some(None)` clears it.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfilePatch {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone_number: Option<Option<String>>,
    pub bio: Option<Option<String>>,
    pub profile_image: Option<Option<String>>,
    pub location: Option<Option<String>>,
    pub timezone: Option<Option<String>>,
    pub designation: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub github: Option<Option<String>>,
    pub linkedin: Option<Option<String>>,
    pub twitter: Option<Option<String>>,
    pub facebook: Option<Option<String>>,
    pub expertise: Option<Vec<String>>,
    /// Amount in minor units and currency code.
    pub hourly_rate: Option<Option<(i64, String)>>,
    pub years_experience: Option<Option<i64>>,
    pub domain: Option<Option<String>>,
    pub interests: Option<Vec<String>>,
    pub goals: Option<Option<String>>,
    pub career_goals: Option<Option<String>>,
    pub experience_level: Option<Option<String>>,
}

/// What anyone may see of an account: no email, phone, billing, ban or sign-in data.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicProfile {
    /// The account (the HTTP layer shows only its public fields).
    pub user: User,
    /// Claimed specializations.
    pub specializations: Vec<Specialization>,
    /// Declared certificates.
    pub certificates: Vec<UserCertificate>,
}

/// Everything Lyceum stores about me.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountExport {
    /// Account and profile.
    pub user: User,
    /// Specializations.
    pub specializations: Vec<Specialization>,
    /// Declared certificates.
    pub certificates: Vec<UserCertificate>,
    /// Billing address.
    pub billing_address: Option<BillingAddress>,
    /// Wallet.
    pub wallet: Option<Wallet>,
    /// Every ledger entry, newest first.
    pub ledger: Vec<LedgerEntry>,
    /// Live signed-in devices.
    pub auth_sessions: Vec<AuthSession>,
    /// Recent sign-in attempts.
    pub login_history: Vec<LoginAttempt>,
}

/// Applies `patch` to an optional field, parsing new values and collecting errors. A blank
/// text clears the field, unless it holds characters the field refuses (a line feed in a
/// one-line field): the character rule holds for every text sent, blank or not.
fn patch_opt<T, E: FieldRule>(
    errors: &mut FieldErrors,
    field: &str,
    current: &mut Option<T>,
    patch: Option<Option<String>>,
    parse: impl Fn(&str) -> Result<T, E>,
) {
    match patch {
        None => {}
        Some(None) => *current = None,
        Some(Some(raw)) if raw.trim().is_empty() => match parse(&raw) {
            Err(error) if error.violation() == Violation::InvalidCharacters => {
                errors.reject(field, error);
            }
            _ => *current = None,
        },
        Some(Some(raw)) => {
            if let Some(value) = errors.check(field, parse(&raw)) {
                *current = Some(value);
            }
        }
    }
}

impl ProfilePatch {
    /// Applies the patch to a copy of the current details, or reports every bad field.
    fn apply(self, user: &User) -> Result<AccountDetails, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut first_name = user.first_name.clone();
        let mut last_name = user.last_name.clone();
        if let Some(raw) = self.first_name {
            first_name = e
                .check("first_name", PersonName::parse(&raw))
                .unwrap_or(first_name);
        }
        if let Some(raw) = self.last_name {
            last_name = e
                .check("last_name", PersonName::parse(&raw))
                .unwrap_or(last_name);
        }
        let mut phone_number = user.phone_number.clone();
        patch_opt(
            &mut e,
            "phone_number",
            &mut phone_number,
            self.phone_number,
            PhoneNumber::parse,
        );
        let mut p: Profile = user.profile.clone();
        patch_opt(&mut e, "bio", &mut p.bio, self.bio, MultiLineText::parse);
        patch_opt(
            &mut e,
            "profile_image",
            &mut p.profile_image,
            self.profile_image,
            WebUrl::parse,
        );
        patch_opt(
            &mut e,
            "location",
            &mut p.location,
            self.location,
            SingleLineText::parse,
        );
        patch_opt(
            &mut e,
            "timezone",
            &mut p.timezone,
            self.timezone,
            Timezone::parse,
        );
        patch_opt(
            &mut e,
            "designation",
            &mut p.designation,
            self.designation,
            SingleLineText::parse,
        );
        patch_opt(
            &mut e,
            "website",
            &mut p.social.website,
            self.website,
            WebUrl::parse,
        );
        patch_opt(
            &mut e,
            "github",
            &mut p.social.github,
            self.github,
            WebUrl::parse,
        );
        patch_opt(
            &mut e,
            "linkedin",
            &mut p.social.linkedin,
            self.linkedin,
            WebUrl::parse,
        );
        patch_opt(
            &mut e,
            "twitter",
            &mut p.social.twitter,
            self.twitter,
            WebUrl::parse,
        );
        patch_opt(
            &mut e,
            "facebook",
            &mut p.social.facebook,
            self.facebook,
            WebUrl::parse,
        );
        patch_opt(
            &mut e,
            "domain",
            &mut p.domain,
            self.domain,
            SingleLineText::parse,
        );
        patch_opt(
            &mut e,
            "goals",
            &mut p.goals,
            self.goals,
            MultiLineText::parse,
        );
        patch_opt(
            &mut e,
            "career_goals",
            &mut p.career_goals,
            self.career_goals,
            MultiLineText::parse,
        );
        patch_opt(
            &mut e,
            "experience_level",
            &mut p.experience_level,
            self.experience_level,
            ExperienceLevel::parse,
        );
        if let Some(words) = self.expertise {
            p.expertise = e
                .check("expertise", Keywords::parse(&words))
                .unwrap_or(p.expertise);
        }
        if let Some(words) = self.interests {
            p.interests = e
                .check("interests", Keywords::parse(&words))
                .unwrap_or(p.interests);
        }
        match self.hourly_rate {
            None => {}
            Some(None) => p.hourly_rate = None,
            Some(Some((amount, currency))) => {
                let money = Currency::parse(&currency).and_then(|c| Money::new(amount, c));
                if let Some(money) = e.check("hourly_rate", money) {
                    p.hourly_rate = Some(money);
                }
            }
        }
        match self.years_experience {
            None => {}
            Some(None) => p.years_experience = None,
            Some(Some(years)) => {
                if let Some(years) =
                    e.check("years_experience", Profile::parse_years_experience(years))
                {
                    p.years_experience = Some(years);
                }
            }
        }
        e.into_result()?;
        Ok(AccountDetails {
            first_name,
            last_name,
            phone_number,
            profile: p,
        })
    }
}

impl Lyceum {
    /// Updates my names, phone and profile. Nothing is saved unless every field is valid.
    pub async fn update_my_account(
        &self,
        actor: &Actor,
        patch: ProfilePatch,
    ) -> Result<User, AppError> {
        let details = patch.apply(&actor.user)?;
        Ok(self
            .ports
            .users
            .save_details(actor.id(), details, self.ports.clock.now())
            .await?)
    }

    /// A user's public profile; deleted and unknown accounts are "not found".
    pub async fn public_profile(&self, user_id: Uuid) -> Result<PublicProfile, AppError> {
        let user = self
            .ports
            .users
            .by_id(user_id)
            .await?
            .filter(|u| u.deleted_at.is_none() && u.is_active)
            .ok_or(AppError::NotFound(Resource::User))?;
        let specializations = self.ports.specializations.of_user(user_id).await?;
        let certificates = self.ports.certificates.of_user(user_id).await?;
        Ok(PublicProfile {
            user,
            specializations,
            certificates,
        })
    }

    /// The mentor directory.
    pub async fn mentors(
        &self,
        filter: MentorFilter,
        page: PageRequest,
    ) -> Result<Page<User>, AppError> {
        let page = self.ports.users.mentors(filter, page).await?;
        debug_assert!(page.items.iter().all(|u| u.has_role(Role::Mentor)));
        Ok(page)
    }

    /// Everything stored about me, for data portability.
    pub async fn export_my_data(&self, actor: &Actor) -> Result<AccountExport, AppError> {
        let id = actor.id();
        let mut ledger = Vec::new();
        let mut page = PageRequest::first(100);
        loop {
            let chunk = self.ports.wallets.ledger(id, page).await?;
            ledger.extend(chunk.items);
            match chunk.next_after {
                Some(after) => page.after = Some(after),
                None => break,
            }
        }
        Ok(AccountExport {
            user: actor.user.clone(),
            specializations: self.ports.specializations.of_user(id).await?,
            certificates: self.ports.certificates.of_user(id).await?,
            billing_address: self.ports.billing_addresses.of_user(id).await?,
            wallet: self.ports.wallets.wallet(id).await?,
            ledger,
            auth_sessions: self
                .ports
                .auth_sessions
                .active(id, self.ports.clock.now())
                .await?,
            login_history: self.ports.login_history.for_user(id, 1000).await?,
        })
    }

    /// Deletes my account and what belongs only to me; what other users own stays.
    pub async fn delete_my_account(&self, actor: &Actor) -> Result<(), AppError> {
        Ok(self.ports.users.erase(actor.id()).await?)
    }
}
