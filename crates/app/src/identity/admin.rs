//! Admin moderation of accounts. Every use case here starts with `require_admin`, which
//! reads the caller's roles as stored now, not as the access token claims them.

use lyceum_domain::identity::{Ban, Role, User};
use lyceum_ports::identity::UserQuery;
use lyceum_ports::{Page, PageRequest};
use time::OffsetDateTime;
use uuid::Uuid;

use super::Actor;
use crate::Resource;
use crate::identity::IdentityError;
use crate::{AppError, Lyceum};

/// A ban an admin wants to impose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanInput {
    /// Why (shown to the user): 1–500 characters, and it may run over several lines.
    pub reason: String,
    /// When it ends; `None` for a permanent ban.
    pub expires_at: Option<OffsetDateTime>,
}

impl Lyceum {
    /// Lists and searches accounts.
    pub async fn admin_list_users(
        &self,
        actor: &Actor,
        query: UserQuery,
        page: PageRequest,
    ) -> Result<Page<User>, AppError> {
        Self::require_admin(actor)?;
        Ok(self.ports.users.search(query, page).await?)
    }

    /// One account with everything an admin may see.
    pub async fn admin_user(&self, actor: &Actor, user_id: Uuid) -> Result<User, AppError> {
        Self::require_admin(actor)?;
        self.ports
            .users
            .by_id(user_id)
            .await?
            .ok_or(AppError::NotFound(Resource::User))
    }

    /// Bans an account and signs it out everywhere.
    pub async fn admin_ban(
        &self,
        actor: &Actor,
        user_id: Uuid,
        request: BanInput,
    ) -> Result<User, AppError> {
        Self::require_admin(actor)?;
        if user_id == actor.id() {
            return Err(IdentityError::SelfBan.into());
        }
        let now = self.ports.clock.now();
        let ban = Ban::new(&request.reason, request.expires_at, now)?;
        let user = self
            .ports
            .users
            .set_ban(user_id, Some(ban), now)
            .await
            .map_err(AppError::from_repo(Resource::User))?;
        Ok(user)
    }

    /// Lifts a ban.
    pub async fn admin_unban(&self, actor: &Actor, user_id: Uuid) -> Result<User, AppError> {
        Self::require_admin(actor)?;
        let now = self.ports.clock.now();
        self.ports
            .users
            .set_ban(user_id, None, now)
            .await
            .map_err(AppError::from_repo(Resource::User))
    }

    /// Grants a role (granting one already held changes nothing).
    pub async fn admin_grant_role(
        &self,
        actor: &Actor,
        user_id: Uuid,
        role: Role,
    ) -> Result<User, AppError> {
        Self::require_admin(actor)?;
        let user = self
            .ports
            .users
            .by_id(user_id)
            .await?
            .ok_or(AppError::NotFound(Resource::User))?;
        let mut roles = user.roles.clone();
        if !roles.grant(role) {
            return Ok(user);
        }
        Ok(self
            .ports
            .users
            .set_roles(user_id, roles, self.ports.clock.now())
            .await?)
    }

    /// Removes a role. An admin cannot remove their own admin role (someone else must),
    /// so the last admin cannot lock everyone out by accident.
    pub async fn admin_remove_role(
        &self,
        actor: &Actor,
        user_id: Uuid,
        role: Role,
    ) -> Result<User, AppError> {
        Self::require_admin(actor)?;
        if user_id == actor.id() && role == Role::Admin {
            return Err(IdentityError::SelfDemotion.into());
        }
        let user = self
            .ports
            .users
            .by_id(user_id)
            .await?
            .ok_or(AppError::NotFound(Resource::User))?;
        let mut roles = user.roles.clone();
        if !roles.remove(role) {
            return Ok(user);
        }
        Ok(self
            .ports
            .users
            .set_roles(user_id, roles, self.ports.clock.now())
            .await?)
    }

    /// Soft-deletes an account: it stays for records, cannot sign in, and disappears from
    /// public listings. Its sessions end at once.
    pub async fn admin_soft_delete(&self, actor: &Actor, user_id: Uuid) -> Result<(), AppError> {
        Self::require_admin(actor)?;
        if user_id == actor.id() {
            return Err(IdentityError::SelfDeletion.into());
        }
        let now = self.ports.clock.now();
        self.ports
            .users
            .soft_delete(user_id, now)
            .await
            .map_err(AppError::from_repo(Resource::User))?;
        Ok(())
    }
}
