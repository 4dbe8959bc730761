//! My account, my devices, public profiles and the mentor directory.

use lyceum_app::Lyceum;
use lyceum_domain::identity::Role;
use lyceum_ports::identity::MentorFilter;
use poem::Request;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::dto::*;
use crate::ApiTags;
use crate::pagination::{listed_with, page_request};
use crate::problem::ApiResult;
use crate::responses::{Listed, NoContent};
use crate::security::Caller;

/// Account operations.
pub struct AccountApi {
    /// The application.
    pub app: Lyceum,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Identity")]
impl AccountApi {
    /// My account
    #[oai(path = "/me", method = "get", operation_id = "getMe")]
    async fn me(&self, caller: Caller) -> ApiResult<Json<UserOut>> {
        Ok(Json(UserOut::from(&caller.user)))
    }

    /// Update my account
    ///
    /// Partial update: absent fields stay as they are, `null` clears a field. Unknown
    /// fields — including roles, ids, email, verification, balance and ban fields — are
    /// refused with 400.
    #[oai(path = "/me", method = "patch", operation_id = "updateMe")]
    async fn update_me(
        &self,
        caller: Caller,
        body: Json<ProfilePatch>,
    ) -> ApiResult<Json<UserOut>> {
        let user = self.app.update_my_account(&caller, body.0.into()).await?;
        Ok(Json(UserOut::from(&user)))
    }

    /// Delete my account
    ///
    /// Erases the account with its wallet and ledger, profile, certificates,
    /// specialization links, billing address, sessions and login history. What other
    /// users own stays.
    #[oai(path = "/me", method = "delete", operation_id = "deleteMe")]
    async fn delete_me(&self, caller: Caller) -> ApiResult<NoContent> {
        self.app.delete_my_account(&caller).await?;
        Ok(NoContent::NoContent)
    }

    /// Export my data
    ///
    /// Everything Lyceum stores about me, as JSON.
    #[oai(path = "/me/export", method = "get", operation_id = "exportMyData")]
    async fn export(&self, caller: Caller) -> ApiResult<Json<AccountExportOut>> {
        let export = self.app.export_my_data(&caller).await?;
        Ok(Json(AccountExportOut::new(export, caller.session_id)))
    }

    /// My signed-in devices
    #[oai(
        path = "/me/auth-sessions",
        method = "get",
        operation_id = "listMyAuthSessions"
    )]
    async fn auth_sessions(&self, caller: Caller) -> ApiResult<Json<Vec<AuthSessionOut>>> {
        let sessions = self.app.auth_sessions(&caller).await?;
        Ok(Json(
            sessions
                .iter()
                .map(|s| AuthSessionOut::new(s, caller.session_id))
                .collect(),
        ))
    }

    /// Sign out one of my devices
    #[oai(
        path = "/me/auth-sessions/:id",
        method = "delete",
        operation_id = "revokeMyAuthSession"
    )]
    async fn revoke_auth_session(
        &self,
        caller: Caller,
        /// Id of one of my signed-in devices (see `listMyAuthSessions`).
        id: Path<Uuid>,
    ) -> ApiResult<NoContent> {
        self.app.revoke_auth_session(&caller, id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// A public profile
    ///
    /// No email, phone, billing or sign-in data.
    #[oai(path = "/users/:id", method = "get", operation_id = "getUserProfile")]
    async fn public_profile(
        &self,
        /// The user's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<PublicProfileOut>> {
        let profile = self.app.public_profile(id.0).await?;
        let rating = if profile.user.has_role(Role::Mentor) {
            Some(
                self.app
                    .mentor_ratings(vec![id.0])
                    .await?
                    .remove(&id.0)
                    .unwrap_or_default(),
            )
        } else {
            None
        };
        let mut dto = PublicProfileOut::from(profile);
        dto.user = dto.user.with_rating(rating);
        Ok(Json(dto))
    }

    /// A user's declared certificates
    #[oai(
        path = "/users/:id/certificates",
        method = "get",
        operation_id = "listUserCertificates"
    )]
    async fn user_certificates(
        &self,
        /// The user's id.
        id: Path<Uuid>,
    ) -> ApiResult<Json<Vec<CertificateOut>>> {
        let profile = self.app.public_profile(id.0).await?;
        Ok(Json(
            profile
                .certificates
                .iter()
                .map(CertificateOut::from)
                .collect(),
        ))
    }

    /// Find mentors
    ///
    /// Active mentors with their average rating and feedback count, oldest account first, filtered by specialization id and by an
    /// expertise keyword (case-insensitive substring). Cursor-paginated.
    #[oai(path = "/mentors", method = "get", operation_id = "listMentors")]
    async fn mentors(
        &self,
        req: &Request,
        /// Only mentors who listed this specialization.
        specialization: Query<Option<Uuid>>,
        /// Expertise keyword, e.g. `rust`.
        expertise: Query<Option<String>>,
        /// Page size, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Listed<MentorPage>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let filter = MentorFilter {
            specialization_id: specialization.0,
            expertise: expertise
                .0
                .map(|e| e.trim().to_owned())
                .filter(|e| !e.is_empty()),
        };
        let found = self.app.mentors(filter, page).await?;
        let ratings = self
            .app
            .mentor_ratings(found.items.iter().map(|u| u.id).collect())
            .await?;
        Ok(listed_with::<MentorPage, _>(req, found, |u| {
            PublicUserOut::from(u)
                .with_rating(Some(ratings.get(&u.id).copied().unwrap_or_default()))
        }))
    }
}
