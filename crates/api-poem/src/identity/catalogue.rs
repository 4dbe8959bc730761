//! Specializations, my declared certificates and my billing address.

use lyceum_app::Lyceum;
use poem_openapi::ApiResponse;
use poem_openapi::OpenApi;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::dto::*;
use crate::ApiTags;
use crate::problem::ApiResult;
use crate::responses::{Created, NoContent};
use crate::security::Caller;

/// Catalogue operations.
pub struct CatalogueApi {
    /// The application.
    pub app: Lyceum,
}

/// The billing address was stored.
#[derive(ApiResponse)]
pub enum BillingAddressPut {
    /// Replaced the existing address.
    #[oai(status = 200)]
    Replaced(Json<BillingAddressOut>),
    /// Created the address.
    #[oai(status = 201)]
    Created(Json<BillingAddressOut>, #[oai(header = "Location")] String),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Identity")]
impl CatalogueApi {
    /// All specializations
    #[oai(
        path = "/specializations",
        method = "get",
        operation_id = "listSpecializations"
    )]
    async fn list(&self) -> ApiResult<Json<Vec<SpecializationOut>>> {
        Ok(Json(
            self.app
                .specializations()
                .await?
                .iter()
                .map(SpecializationOut::from)
                .collect(),
        ))
    }

    /// Create a specialization (admin)
    #[oai(
        path = "/specializations",
        method = "post",
        operation_id = "createSpecialization"
    )]
    async fn create(
        &self,
        caller: Caller,
        body: Json<SpecializationIn>,
    ) -> ApiResult<Created<SpecializationOut>> {
        let s = self
            .app
            .create_specialization(&caller, &body.0.name, body.0.description)
            .await?;
        Ok(Created::Created(
            Json(SpecializationOut::from(&s)),
            format!("/api/v1/specializations/{}", s.id),
        ))
    }

    /// Rename a specialization (admin)
    #[oai(
        path = "/specializations/:id",
        method = "patch",
        operation_id = "updateSpecialization"
    )]
    async fn update(
        &self,
        caller: Caller,
        /// The specialization's id.
        id: Path<Uuid>,
        body: Json<SpecializationIn>,
    ) -> ApiResult<Json<SpecializationOut>> {
        let s = self
            .app
            .update_specialization(&caller, id.0, &body.0.name, body.0.description)
            .await?;
        Ok(Json(SpecializationOut::from(&s)))
    }

    /// Delete a specialization (admin)
    ///
    /// Also removes it from every user who listed it.
    #[oai(
        path = "/specializations/:id",
        method = "delete",
        operation_id = "deleteSpecialization"
    )]
    async fn delete(
        &self,
        caller: Caller,
        /// The specialization's id.
        id: Path<Uuid>,
    ) -> ApiResult<NoContent> {
        self.app.delete_specialization(&caller, id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// My specializations
    #[oai(
        path = "/me/specializations",
        method = "get",
        operation_id = "listMySpecializations"
    )]
    async fn mine(&self, caller: Caller) -> ApiResult<Json<Vec<SpecializationOut>>> {
        Ok(Json(
            self.app
                .my_specializations(&caller)
                .await?
                .iter()
                .map(SpecializationOut::from)
                .collect(),
        ))
    }

    /// Add a specialization to my profile
    ///
    /// Adding one twice is 409 `specialization.already_added`.
    #[oai(
        path = "/me/specializations",
        method = "post",
        operation_id = "addMySpecialization"
    )]
    async fn add_mine(
        &self,
        caller: Caller,
        body: Json<MySpecializationIn>,
    ) -> ApiResult<Created<SpecializationOut>> {
        let s = self
            .app
            .add_my_specialization(&caller, body.0.specialization_id)
            .await?;
        Ok(Created::Created(
            Json(SpecializationOut::from(&s)),
            format!("/api/v1/me/specializations/{}", s.id),
        ))
    }

    /// Remove a specialization from my profile
    #[oai(
        path = "/me/specializations/:id",
        method = "delete",
        operation_id = "removeMySpecialization"
    )]
    async fn remove_mine(
        &self,
        caller: Caller,
        /// The specialization's id.
        id: Path<Uuid>,
    ) -> ApiResult<NoContent> {
        self.app.remove_my_specialization(&caller, id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// My declared certificates
    #[oai(
        path = "/me/certificates",
        method = "get",
        operation_id = "listMyCertificates"
    )]
    async fn my_certificates(&self, caller: Caller) -> ApiResult<Json<Vec<CertificateOut>>> {
        Ok(Json(
            self.app
                .certificates_of(caller.id())
                .await?
                .iter()
                .map(CertificateOut::from)
                .collect(),
        ))
    }

    /// Declare a certificate
    ///
    /// Shown publicly on my profile.
    #[oai(
        path = "/me/certificates",
        method = "post",
        operation_id = "addMyCertificate"
    )]
    async fn add_certificate(
        &self,
        caller: Caller,
        body: Json<CertificateIn>,
    ) -> ApiResult<Created<CertificateOut>> {
        let c = self.app.add_my_certificate(&caller, body.0.into()).await?;
        Ok(Created::Created(
            Json(CertificateOut::from(&c)),
            format!("/api/v1/me/certificates/{}", c.id),
        ))
    }

    /// Withdraw a certificate
    #[oai(
        path = "/me/certificates/:id",
        method = "delete",
        operation_id = "removeMyCertificate"
    )]
    async fn remove_certificate(
        &self,
        caller: Caller,
        /// The certificate's id.
        id: Path<Uuid>,
    ) -> ApiResult<NoContent> {
        self.app.remove_my_certificate(&caller, id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// My billing address
    #[oai(
        path = "/me/billing-address",
        method = "get",
        operation_id = "getMyBillingAddress"
    )]
    async fn billing_address(&self, caller: Caller) -> ApiResult<Json<BillingAddressOut>> {
        Ok(Json(BillingAddressOut::from(
            &self.app.my_billing_address(&caller).await?,
        )))
    }

    /// Set my billing address
    ///
    /// Creates it (201) or replaces it (200): a user has at most one.
    #[oai(
        path = "/me/billing-address",
        method = "put",
        operation_id = "putMyBillingAddress"
    )]
    async fn put_billing_address(
        &self,
        caller: Caller,
        body: Json<BillingAddressIn>,
    ) -> ApiResult<BillingAddressPut> {
        let (address, created) = self
            .app
            .put_my_billing_address(&caller, body.0.into())
            .await?;
        let dto = BillingAddressOut::from(&address);
        Ok(if created {
            BillingAddressPut::Created(Json(dto), "/api/v1/me/billing-address".into())
        } else {
            BillingAddressPut::Replaced(Json(dto))
        })
    }

    /// Delete my billing address
    #[oai(
        path = "/me/billing-address",
        method = "delete",
        operation_id = "deleteMyBillingAddress"
    )]
    async fn delete_billing_address(&self, caller: Caller) -> ApiResult<NoContent> {
        self.app.delete_my_billing_address(&caller).await?;
        Ok(NoContent::NoContent)
    }
}
