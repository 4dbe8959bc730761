//! Signing up.

use lyceum_domain::identity::{
    Email, Password, PersonName, PhoneNumber, Role, Roles, User, Username,
};
use lyceum_domain::{FieldErrors, Violation};
use lyceum_ports::identity::{NewUser, NewVerificationToken, TokenPurpose};
use lyceum_ports::outbox::Outbox;
use lyceum_ports::system::{MailMessage, OutgoingMail};
use uuid::Uuid;

use crate::{AppError, Lyceum};

/// What a person submits to sign up, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistrationInput {
    /// Login email.
    pub email: String,
    /// Handle.
    pub username: String,
    /// Password in clear (hashed before storage).
    pub password: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// `learner` or `mentor`.
    pub role: String,
    /// Optional phone.
    pub phone_number: Option<String>,
}

pub(crate) struct ParsedRegistration {
    email: Email,
    username: Username,
    password: Password,
    first_name: PersonName,
    last_name: PersonName,
    phone_number: Option<PhoneNumber>,
}

impl RegistrationInput {
    fn parse(&self) -> Result<(ParsedRegistration, Role), FieldErrors> {
        let mut e = FieldErrors::new();
        let email = e.check("email", Email::parse(&self.email));
        let username = e.check("username", Username::parse(&self.username));
        let password = e.check("password", Password::parse(&self.password));
        let first_name = e.check("first_name", PersonName::parse(&self.first_name));
        let last_name = e.check("last_name", PersonName::parse(&self.last_name));
        let phone_number = match &self.phone_number {
            Some(raw) => e.check("phone_number", PhoneNumber::parse(raw)).map(Some),
            None => Some(None),
        };
        let role = match self.role.as_str() {
            "learner" => Some(Role::Learner),
            "mentor" => Some(Role::Mentor),
            _ => {
                e.push(
                    "role",
                    Violation::InvalidChoice,
                    "must be 'learner' or 'mentor'",
                );
                None
            }
        };
        match (
            email,
            username,
            password,
            first_name,
            last_name,
            phone_number,
            role,
        ) {
            (
                Some(email),
                Some(username),
                Some(password),
                Some(first_name),
                Some(last_name),
                Some(phone_number),
                Some(role),
            ) => Ok((
                ParsedRegistration {
                    email,
                    username,
                    password,
                    first_name,
                    last_name,
                    phone_number,
                },
                role,
            )),
            _ => Err(e),
        }
    }
}

impl Lyceum {
    /// Signs a person up as a learner or a mentor, with an empty profile and a wallet at
    /// zero, and mails an email verification link. Every invalid field is reported at once
    /// and nothing is stored unless all are valid.
    pub async fn register(&self, registration: RegistrationInput) -> Result<User, AppError> {
        let (parsed, role) = registration.parse()?;
        self.create_account(parsed, Roles::single(role)).await
    }

    /// Creates an administrator account — for the `create-admin` command, which is how
    /// the first admin comes to exist. The email counts as verified: the operator typed it.
    pub async fn create_admin(&self, registration: RegistrationInput) -> Result<User, AppError> {
        let (parsed, _) = RegistrationInput {
            role: "learner".into(),
            ..registration
        }
        .parse()?;
        let user = self
            .create_account(parsed, [Role::Admin, Role::Learner].into_iter().collect())
            .await?;
        self.ports
            .users
            .mark_email_verified(user.id, self.ports.clock.now())
            .await?;
        Ok(self.ports.users.by_id(user.id).await?.unwrap_or(user))
    }

    async fn create_account(
        &self,
        parsed: ParsedRegistration,
        roles: Roles,
    ) -> Result<User, AppError> {
        let password_hash = self
            .ports
            .hasher
            .hash(&parsed.password)
            .await
            .map_err(AppError::internal)?;
        let id = self.ports.ids.new_id();
        let (token, mail) = self.email_verification(id, &parsed.email, &parsed.first_name);
        let user = self
            .ports
            .users
            .register(
                NewUser {
                    id,
                    email: parsed.email,
                    username: parsed.username,
                    phone_number: parsed.phone_number,
                    first_name: parsed.first_name,
                    last_name: parsed.last_name,
                    roles,
                    password_hash,
                    created_at: self.ports.clock.now(),
                },
                Some(token),
                Outbox::mail(mail),
            )
            .await?;
        Ok(user)
    }

    /// Issues a new email verification code (the older ones stop working) and queues its
    /// mail, in one transaction.
    pub(crate) async fn send_email_verification(&self, user: &User) -> Result<(), AppError> {
        let (token, mail) = self.email_verification(user.id, &user.email, &user.first_name);
        Ok(self
            .ports
            .verification_tokens
            .issue(token, Outbox::mail(mail))
            .await?)
    }

    /// A verification code for the account and the mail that carries it.
    fn email_verification(
        &self,
        user_id: Uuid,
        email: &Email,
        first_name: &PersonName,
    ) -> (NewVerificationToken, OutgoingMail) {
        let now = self.ports.clock.now();
        let secret = self.ports.secrets.mint();
        let token = NewVerificationToken {
            id: self.ports.ids.new_id(),
            user_id,
            purpose: TokenPurpose::EmailVerification,
            digest: secret.digest,
            created_at: now,
            expires_at: now + self.settings.email_verification_ttl,
        };
        let mail = OutgoingMail {
            id: self.ports.ids.new_id(),
            to: email.as_str().to_owned(),
            message: MailMessage::EmailVerification {
                first_name: first_name.as_str().to_owned(),
                code: secret.plain,
                valid_for: self.settings.email_verification_ttl,
            },
            created_at: now,
        };
        (token, mail)
    }
}
