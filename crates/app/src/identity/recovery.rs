//! Proving an email address and recovering a forgotten password.

use lyceum_domain::identity::{Email, Password};
use lyceum_ports::identity::{NewVerificationToken, TokenPurpose};
use lyceum_ports::outbox::Outbox;
use lyceum_ports::system::{MailMessage, OutgoingMail};

use super::Actor;
use crate::identity::IdentityError;
use crate::{AppError, Lyceum};

impl Lyceum {
    /// Confirms the email address whose verification token this is (single use).
    pub async fn verify_email(&self, token: &str) -> Result<(), AppError> {
        let now = self.ports.clock.now();
        let digest = self.ports.secrets.digest(token.trim());
        self.ports
            .verification_tokens
            .verify_email(&digest, now)
            .await?
            .ok_or(AppError::Identity(IdentityError::InvalidVerificationToken))?;
        Ok(())
    }

    /// Sends a new verification mail to a signed-in user whose email is not verified yet.
    pub async fn resend_email_verification(&self, actor: &Actor) -> Result<(), AppError> {
        if actor.user.email_verified {
            return Err(IdentityError::EmailAlreadyVerified.into());
        }
        self.send_email_verification(&actor.user).await
    }

    /// Mails a password reset token if an active account has this email. The answer is
    /// the same either way, so the endpoint cannot be used to discover accounts.
    pub async fn forgot_password(&self, email: &str) -> Result<(), AppError> {
        let email = Email::parse(email).map_err(|e| AppError::rejected("email", e))?;
        let now = self.ports.clock.now();
        let Some(user) = self.ports.users.by_email(&email).await? else {
            return Ok(());
        };
        if user.deleted_at.is_some() || !user.is_active {
            return Ok(());
        }
        let secret = self.ports.secrets.mint();
        let token = NewVerificationToken {
            id: self.ports.ids.new_id(),
            user_id: user.id,
            purpose: TokenPurpose::PasswordReset,
            digest: secret.digest,
            created_at: now,
            expires_at: now + self.settings.password_reset_ttl,
        };
        let mail = OutgoingMail {
            id: self.ports.ids.new_id(),
            to: user.email.as_str().to_owned(),
            message: MailMessage::PasswordReset {
                first_name: user.first_name.as_str().to_owned(),
                code: secret.plain,
                valid_for: self.settings.password_reset_ttl,
            },
            created_at: now,
        };
        self.ports
            .verification_tokens
            .issue(token, Outbox::mail(mail))
            .await?;
        Ok(())
    }

    /// Sets a new password with a reset token (single use) and signs the account out
    /// everywhere: whoever knew the old password loses their sessions.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Result<(), AppError> {
        let password =
            Password::parse(new_password).map_err(|e| AppError::rejected("new_password", e))?;
        let now = self.ports.clock.now();
        let digest = self.ports.secrets.digest(token.trim());
        // Hashed first, so that spending the token, storing the hash and signing out
        // everywhere are one transaction.
        let hash = self
            .ports
            .hasher
            .hash(&password)
            .await
            .map_err(AppError::internal)?;
        self.ports
            .verification_tokens
            .reset_password(&digest, hash, now)
            .await?
            .ok_or(AppError::Identity(IdentityError::InvalidVerificationToken))?;
        Ok(())
    }
}
