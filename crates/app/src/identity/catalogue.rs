//! Specializations, declared certificates and billing addresses.

use lyceum_domain::identity::{
    BillingAddress, BillingAddressDetails, CertificateDetails, RawBillingAddress, Specialization,
    SpecializationName, UserCertificate,
};
use time::Date;
use uuid::Uuid;

use super::Actor;
use crate::Resource;
use crate::{AppError, Lyceum};

/// A certificate as the user typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInput {
    /// What was certified.
    pub title: String,
    /// Who issued it.
    pub issuer: String,
    /// When.
    pub issue_date: Date,
    /// Where to check it.
    pub certificate_url: String,
}

/// A billing address as the user typed it.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillingAddressInput {
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
    pub country: String,
    pub vat_number: Option<String>,
    pub notes: Option<String>,
}

fn parse_specialization(
    name: &str,
    description: Option<String>,
) -> Result<(SpecializationName, Option<String>), AppError> {
    let name = SpecializationName::parse(name).map_err(|e| AppError::rejected("name", e))?;
    let description = match description {
        Some(raw) => Specialization::parse_description(&raw)
            .map_err(|e| AppError::rejected("description", e))?,
        None => None,
    };
    Ok((name, description))
}

impl Lyceum {
    /// Every specialization, by name.
    pub async fn specializations(&self) -> Result<Vec<Specialization>, AppError> {
        Ok(self.ports.specializations.list().await?)
    }

    /// Adds a specialization to the catalogue (admin).
    pub async fn create_specialization(
        &self,
        actor: &Actor,
        name: &str,
        description: Option<String>,
    ) -> Result<Specialization, AppError> {
        Self::require_admin(actor)?;
        let (name, description) = parse_specialization(name, description)?;
        let now = self.ports.clock.now();
        let specialization = Specialization {
            id: self.ports.ids.new_id(),
            name,
            description,
            created_at: now,
            updated_at: now,
        };
        Ok(self.ports.specializations.create(specialization).await?)
    }

    /// Renames or re-describes a specialization (admin).
    pub async fn update_specialization(
        &self,
        actor: &Actor,
        id: Uuid,
        name: &str,
        description: Option<String>,
    ) -> Result<Specialization, AppError> {
        Self::require_admin(actor)?;
        let (name, description) = parse_specialization(name, description)?;
        self.ports
            .specializations
            .update(id, name, description, self.ports.clock.now())
            .await
            .map_err(AppError::from_repo(Resource::Specialization))
    }

    /// Removes a specialization and every user's link to it (admin).
    pub async fn delete_specialization(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        Self::require_admin(actor)?;
        self.ports
            .specializations
            .delete(id)
            .await
            .map_err(AppError::from_repo(Resource::Specialization))
    }

    /// My specializations.
    pub async fn my_specializations(&self, actor: &Actor) -> Result<Vec<Specialization>, AppError> {
        Ok(self.ports.specializations.of_user(actor.id()).await?)
    }

    /// Claims a specialization; claiming one twice is a conflict.
    pub async fn add_my_specialization(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Specialization, AppError> {
        self.ports
            .specializations
            .add_to_user(actor.id(), id, self.ports.clock.now())
            .await
            .map_err(AppError::from_repo(Resource::Specialization))?;
        self.ports
            .specializations
            .by_id(id)
            .await?
            .ok_or(AppError::NotFound(Resource::Specialization))
    }

    /// Drops a claimed specialization.
    pub async fn remove_my_specialization(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        self.ports
            .specializations
            .remove_from_user(actor.id(), id)
            .await
            .map_err(AppError::from_repo(Resource::Specialization))
    }

    /// Declares a certificate.
    pub async fn add_my_certificate(
        &self,
        actor: &Actor,
        request: CertificateInput,
    ) -> Result<UserCertificate, AppError> {
        let now = self.ports.clock.now();
        let input = CertificateDetails::parse(
            &request.title,
            &request.issuer,
            request.issue_date,
            &request.certificate_url,
            now.date(),
        )?;
        let certificate = UserCertificate {
            id: self.ports.ids.new_id(),
            user_id: actor.id(),
            title: input.title,
            issuer: input.issuer,
            issue_date: input.issue_date,
            certificate_url: input.certificate_url,
            created_at: now,
            updated_at: now,
        };
        Ok(self.ports.certificates.add(certificate).await?)
    }

    /// A user's declared certificates (public).
    pub async fn certificates_of(&self, user_id: Uuid) -> Result<Vec<UserCertificate>, AppError> {
        Ok(self.ports.certificates.of_user(user_id).await?)
    }

    /// Withdraws one of my certificates.
    pub async fn remove_my_certificate(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        self.ports
            .certificates
            .remove(actor.id(), id)
            .await
            .map_err(AppError::from_repo(Resource::Certificate))
    }

    /// My billing address.
    pub async fn my_billing_address(&self, actor: &Actor) -> Result<BillingAddress, AppError> {
        self.ports
            .billing_addresses
            .of_user(actor.id())
            .await?
            .ok_or(AppError::NotFound(Resource::BillingAddress))
    }

    /// Creates or replaces my billing address; returns it and whether it was created.
    pub async fn put_my_billing_address(
        &self,
        actor: &Actor,
        request: BillingAddressInput,
    ) -> Result<(BillingAddress, bool), AppError> {
        let address = BillingAddressDetails::parse(RawBillingAddress {
            first_name: &request.first_name,
            last_name: &request.last_name,
            company_name: request.company_name.as_deref(),
            phone_number: request.phone_number.as_deref(),
            email: &request.email,
            address_line1: &request.address_line1,
            address_line2: request.address_line2.as_deref(),
            city: &request.city,
            state: &request.state,
            postal_code: &request.postal_code,
            country: &request.country,
            vat_number: request.vat_number.as_deref(),
            notes: request.notes.as_deref(),
        })?;
        let now = self.ports.clock.now();
        let address = BillingAddress {
            id: self.ports.ids.new_id(),
            user_id: actor.id(),
            address,
            created_at: now,
            updated_at: now,
        };
        Ok(self.ports.billing_addresses.put(address).await?)
    }

    /// Deletes my billing address.
    pub async fn delete_my_billing_address(&self, actor: &Actor) -> Result<(), AppError> {
        self.ports
            .billing_addresses
            .remove(actor.id())
            .await
            .map_err(AppError::from_repo(Resource::BillingAddress))
    }
}
