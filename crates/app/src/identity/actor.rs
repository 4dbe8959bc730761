//! Who is calling: turning an access token into an account that may act.

use lyceum_domain::identity::{LoginRefusal, Role, User};
use lyceum_ports::system::{AccessClaims, TokenError};
use uuid::Uuid;

use crate::identity::IdentityError;
use crate::{AppError, Lyceum};

/// The signed-in caller, loaded fresh from the database for each request.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// The account as stored now (roles, ban and deletion are current).
    pub user: User,
    /// The auth session the access token belongs to.
    pub session_id: Uuid,
}

impl Actor {
    /// The caller's id.
    pub fn id(&self) -> Uuid {
        self.user.id
    }
}

impl Lyceum {
    /// Checks an access token and loads its account. The token's signature and expiry are
    /// not enough: the session must still be live (logout and password reset end it) and
    /// the account must be active and not banned.
    pub async fn authenticate(&self, access_token: &str) -> Result<Actor, AppError> {
        let claims = self.verified_claims(access_token)?;
        let now = self.ports.clock.now();
        let Some((session, user)) = self
            .ports
            .auth_sessions
            .with_account(claims.session_id)
            .await?
        else {
            return Err(AppError::Unauthenticated);
        };
        if session.user_id != claims.user_id || !session.is_active(now) {
            return Err(AppError::Unauthenticated);
        }
        match user.refusal(now) {
            None | Some(LoginRefusal::Locked { .. }) => Ok(Actor {
                user,
                session_id: claims.session_id,
            }),
            Some(LoginRefusal::Banned { until, reason }) => {
                Err(AppError::Identity(IdentityError::Banned { until, reason }))
            }
            Some(LoginRefusal::Inactive) => Err(AppError::Unauthenticated),
        }
    }

    /// What a valid access token says; an expired or forged one is "unauthenticated".
    pub(crate) fn verified_claims(&self, access_token: &str) -> Result<AccessClaims, AppError> {
        self.ports
            .access_tokens
            .verify(access_token)
            .map_err(|error| match error {
                TokenError::Crypto(e) => AppError::internal(e),
                TokenError::Expired | TokenError::Invalid => AppError::Unauthenticated,
            })
    }

    pub(crate) fn require_admin(actor: &Actor) -> Result<(), AppError> {
        if actor.user.has_role(Role::Admin) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}
