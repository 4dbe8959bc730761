//! Admin moderation of accounts. Rights are checked by the use cases against the roles
//! stored now; a token that claims `admin` proves nothing.

use lyceum_app::Lyceum;
use lyceum_ports::identity::UserQuery;
use poem::Request;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::dto::*;
use crate::ApiTags;
use crate::pagination::{listed, page_request};
use crate::problem::ApiResult;
use crate::responses::{Listed, NoContent};
use crate::security::Caller;
use crate::shared::Role;

/// Admin operations on accounts.
pub struct AdminApi {
    /// The application.
    pub app: Lyceum,
}

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Identity")]
impl AdminApi {
    /// List and search accounts (admin)
    #[oai(path = "/users", method = "get", operation_id = "adminListUsers")]
    #[allow(clippy::too_many_arguments)]
    async fn list_users(
        &self,
        req: &Request,
        caller: Caller,
        /// Case-insensitive text in email, username or names.
        q: Query<Option<String>>,
        /// Only accounts holding this role.
        role: Query<Option<Role>>,
        /// Include soft-deleted accounts.
        include_deleted: Query<Option<bool>>,
        /// Page size, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Listed<AdminUserPage>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let query = UserQuery {
            text: q.0.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
            role: role.0.map(Into::into),
            include_deleted: include_deleted.0.unwrap_or(false),
        };
        let found = self.app.admin_list_users(&caller, query, page).await?;
        Ok(listed::<AdminUserPage, _>(req, found))
    }

    /// One account (admin)
    #[oai(path = "/users/:id", method = "get", operation_id = "adminGetUser")]
    async fn get_user(
        &self,
        caller: Caller,
        /// The account's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<AdminUserOut>> {
        Ok(Json(AdminUserOut::from(
            &self.app.admin_user(&caller, id.0).await?,
        )))
    }

    /// Ban an account (admin)
    ///
    /// Temporary with `expires_at`, permanent without. The account is signed out
    /// everywhere and cannot sign in until the ban ends.
    #[oai(
        path = "/users/:id/ban",
        method = "post",
        operation_id = "adminBanUser"
    )]
    async fn ban(
        &self,
        caller: Caller,
        /// The account's id.
        id: Path<Uuid>,
        body: Json<BanIn>,
    ) -> ApiResult<Json<AdminUserOut>> {
        let user = self.app.admin_ban(&caller, id.0, body.0.into()).await?;
        Ok(Json(AdminUserOut::from(&user)))
    }

    /// Lift a ban (admin)
    #[oai(
        path = "/users/:id/unban",
        method = "post",
        operation_id = "adminUnbanUser"
    )]
    async fn unban(
        &self,
        caller: Caller,
        /// The account's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<AdminUserOut>> {
        Ok(Json(AdminUserOut::from(
            &self.app.admin_unban(&caller, id.0).await?,
        )))
    }

    /// Grant a role (admin)
    #[oai(
        path = "/users/:id/roles",
        method = "post",
        operation_id = "adminGrantRole"
    )]
    async fn grant_role(
        &self,
        caller: Caller,
        /// The account's id.
        id: Path<Uuid>,
        body: Json<RoleGrantIn>,
    ) -> ApiResult<Json<AdminUserOut>> {
        Ok(Json(AdminUserOut::from(
            &self
                .app
                .admin_grant_role(&caller, id.0, body.0.role.into())
                .await?,
        )))
    }

    /// Remove a role (admin)
    ///
    /// Admins cannot remove their own admin role (409 `admin.self_demotion`).
    #[oai(
        path = "/users/:id/roles/:role",
        method = "delete",
        operation_id = "adminRemoveRole"
    )]
    async fn remove_role(
        &self,
        caller: Caller,
        /// The account's id.
        id: Path<Uuid>,
        /// The role to remove.
        role: Path<Role>,
    ) -> ApiResult<Json<AdminUserOut>> {
        Ok(Json(AdminUserOut::from(
            &self
                .app
                .admin_remove_role(&caller, id.0, role.0.into())
                .await?,
        )))
    }

    /// Soft-delete an account (admin)
    ///
    /// The account stays for records but cannot sign in and leaves public listings.
    #[oai(
        path = "/users/:id",
        method = "delete",
        operation_id = "adminDeleteUser"
    )]
    async fn soft_delete(
        &self,
        caller: Caller,
        /// The account's id.
        id: Path<Uuid>,
    ) -> ApiResult<NoContent> {
        self.app.admin_soft_delete(&caller, id.0).await?;
        Ok(NoContent::NoContent)
    }
}
