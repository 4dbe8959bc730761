//! Signing in, refreshing, signing out and managing signed-in devices.

use lyceum_domain::identity::{LoginRefusal, User};
use lyceum_domain::validation::text;
use lyceum_ports::identity::{
    AuthSession, LoginAttempt, NewAuthSession, Rotation, RotationOutcome,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::Actor;
use crate::Resource;
use crate::identity::IdentityError;
use crate::{AppError, Lyceum};

/// Where a request came from, recorded with sessions and login history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    /// Client address.
    pub ip: Option<String>,
    /// User agent.
    pub user_agent: Option<String>,
}

/// What a successful sign-in or refresh hands back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// Short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Opaque, single-use token to get the next pair.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// The auth session (signed-in device) these tokens belong to.
    pub session_id: Uuid,
}

impl Lyceum {
    /// Signs in with an email or username and a password. Unknown logins and wrong
    /// passwords get the same answer and cost the same hashing time; locked and banned
    /// accounts are refused before the password is even checked; every attempt is
    /// written to the login history.
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        client: ClientInfo,
    ) -> Result<TokenPair, AppError> {
        // The login typed is kept in the login history, so it obeys the one-line text
        // rule; no email or username holds a control character, so nothing is hidden.
        text::single_line(login).map_err(|e| AppError::rejected("login", e))?;
        let now = self.ports.clock.now();
        let found = self.ports.users.by_login(login.trim()).await?;
        let attempt = |user_id: Option<Uuid>, failure: Option<&str>| LoginAttempt {
            id: self.ports.ids.new_id(),
            user_id,
            login: login.trim().chars().take(254).collect(),
            success: failure.is_none(),
            failure_reason: failure.map(str::to_owned),
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
            created_at: now,
        };
        let Some((user, hash)) = found else {
            self.verify_password(password, None).await?;
            self.ports
                .login_history
                .record(attempt(None, Some("invalid_credentials")))
                .await?;
            return Err(AppError::Identity(IdentityError::InvalidCredentials));
        };
        match user.refusal(now) {
            Some(LoginRefusal::Banned { until, reason }) => {
                self.ports
                    .login_history
                    .record(attempt(Some(user.id), Some("banned")))
                    .await?;
                return Err(AppError::Identity(IdentityError::Banned { until, reason }));
            }
            Some(LoginRefusal::Locked { until }) => {
                self.ports
                    .login_history
                    .record(attempt(Some(user.id), Some("locked")))
                    .await?;
                return Err(AppError::Identity(IdentityError::AccountLocked { until }));
            }
            Some(LoginRefusal::Inactive) => {
                self.verify_password(password, None).await?;
                self.ports
                    .login_history
                    .record(attempt(Some(user.id), Some("inactive")))
                    .await?;
                return Err(AppError::Identity(IdentityError::InvalidCredentials));
            }
            None => {}
        }
        if !self.verify_password(password, Some(hash)).await? {
            let locked = self
                .ports
                .users
                .record_login_failure(
                    user.id,
                    self.settings.lockout,
                    now,
                    attempt(Some(user.id), Some("invalid_credentials")),
                )
                .await?;
            return Err(match locked {
                Some(until) => AppError::Identity(IdentityError::AccountLocked { until }),
                None => AppError::Identity(IdentityError::InvalidCredentials),
            });
        }
        let success = attempt(Some(user.id), None);
        self.start_session(&user, client, success, now).await
    }

    async fn verify_password(
        &self,
        candidate: &str,
        hash: Option<String>,
    ) -> Result<bool, AppError> {
        self.ports
            .hasher
            .verify(candidate, hash)
            .await
            .map_err(AppError::internal)
    }

    async fn start_session(
        &self,
        user: &User,
        client: ClientInfo,
        sign_in: LoginAttempt,
        now: OffsetDateTime,
    ) -> Result<TokenPair, AppError> {
        let secret = self.ports.secrets.mint();
        let session = self
            .ports
            .auth_sessions
            .start(
                NewAuthSession {
                    id: self.ports.ids.new_id(),
                    user_id: user.id,
                    refresh_token_id: self.ports.ids.new_id(),
                    refresh_token_digest: secret.digest,
                    ip: client.ip,
                    user_agent: client.user_agent,
                    created_at: now,
                    expires_at: now + self.settings.refresh_token_ttl,
                },
                sign_in,
            )
            .await?;
        self.token_pair(user, session.id, secret.plain, now)
    }

    fn token_pair(
        &self,
        user: &User,
        session_id: Uuid,
        refresh_token: String,
        now: OffsetDateTime,
    ) -> Result<TokenPair, AppError> {
        let access = self
            .ports
            .access_tokens
            .issue(user.id, session_id, &user.roles, now)
            .map_err(AppError::internal)?;
        Ok(TokenPair {
            access_token: access.token,
            refresh_token,
            expires_in: access.expires_in,
            session_id,
        })
    }

    /// Exchanges a refresh token for a new pair. The presented token dies; presenting it
    /// again later means it was copied, so the whole session is revoked.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, AppError> {
        let now = self.ports.clock.now();
        let next = self.ports.secrets.mint();
        let outcome = self
            .ports
            .auth_sessions
            .rotate(Rotation {
                presented_digest: self.ports.secrets.digest(refresh_token),
                new_token_id: self.ports.ids.new_id(),
                new_token_digest: next.digest,
                new_expires_at: now + self.settings.refresh_token_ttl,
                now,
            })
            .await?;
        let session = match outcome {
            RotationOutcome::Rotated(session) => session,
            RotationOutcome::Reused(session) => {
                tracing::warn!(session_id = %session.id, user_id = %session.user_id, "refresh token reused; revoking its session");
                self.ports
                    .auth_sessions
                    .revoke(session.user_id, session.id, now)
                    .await?;
                return Err(AppError::Identity(IdentityError::InvalidRefreshToken));
            }
            RotationOutcome::Rejected => {
                return Err(AppError::Identity(IdentityError::InvalidRefreshToken));
            }
        };
        let user = self
            .ports
            .users
            .by_id(session.user_id)
            .await?
            .ok_or(AppError::Identity(IdentityError::InvalidRefreshToken))?;
        match user.refusal(now) {
            Some(LoginRefusal::Banned { until, reason }) => {
                return Err(AppError::Identity(IdentityError::Banned { until, reason }));
            }
            Some(LoginRefusal::Inactive) => {
                return Err(AppError::Identity(IdentityError::InvalidRefreshToken));
            }
            Some(LoginRefusal::Locked { .. }) | None => {}
        }
        self.token_pair(&user, session.id, next.plain, now)
    }

    /// Signs out the device the access token belongs to.
    pub async fn logout(&self, actor: &Actor) -> Result<(), AppError> {
        self.ports
            .auth_sessions
            .revoke(actor.id(), actor.session_id, self.ports.clock.now())
            .await?;
        Ok(())
    }

    /// My signed-in devices.
    pub async fn auth_sessions(&self, actor: &Actor) -> Result<Vec<AuthSession>, AppError> {
        Ok(self
            .ports
            .auth_sessions
            .active(actor.id(), self.ports.clock.now())
            .await?)
    }

    /// Signs out one of my devices; another user's session is "not found".
    pub async fn revoke_auth_session(
        &self,
        actor: &Actor,
        session_id: Uuid,
    ) -> Result<(), AppError> {
        self.ports
            .auth_sessions
            .revoke(actor.id(), session_id, self.ports.clock.now())
            .await
            .map_err(AppError::from_repo(Resource::AuthSession))
    }
}
