//! [`CertificateStore`]: certificates users declare on their profile (Explaino).

use async_trait::async_trait;
use lyceum_domain::identity::{SingleLineText, UserCertificate, WebUrl};
use lyceum_ports::RepoError;
use lyceum_ports::identity::CertificateRepository;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::user_certificates;
use crate::database::{Database, corrupt, db_time, is_foreign_key_violation, unavailable};
use crate::guarded_write::GuardedWrite;

/// Declared certificates on SeaORM.
#[derive(Debug, Clone)]
pub struct CertificateStore {
    db: Database,
}

impl CertificateStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

fn from_row(row: user_certificates::Model) -> Result<UserCertificate, RepoError> {
    let bad = |e: &dyn std::fmt::Display| corrupt("user_certificates", format!("{} ({e})", row.id));
    Ok(UserCertificate {
        id: row.id,
        user_id: row.user_id,
        title: SingleLineText::parse(&row.title).map_err(|e| bad(&e))?,
        issuer: SingleLineText::parse(&row.issuer).map_err(|e| bad(&e))?,
        issue_date: row.issue_date,
        certificate_url: WebUrl::parse(&row.certificate_url).map_err(|e| bad(&e))?,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

#[async_trait]
impl CertificateRepository for CertificateStore {
    async fn add(&self, certificate: UserCertificate) -> Result<UserCertificate, RepoError> {
        let certificate = UserCertificate {
            created_at: db_time(certificate.created_at),
            updated_at: db_time(certificate.updated_at),
            ..certificate
        };
        let row = user_certificates::ActiveModel {
            id: Set(certificate.id),
            user_id: Set(certificate.user_id),
            title: Set(certificate.title.as_str().to_owned()),
            issuer: Set(certificate.issuer.as_str().to_owned()),
            issue_date: Set(certificate.issue_date),
            certificate_url: Set(certificate.certificate_url.as_str().to_owned()),
            created_at: Set(certificate.created_at),
            updated_at: Set(certificate.updated_at),
        };
        match user_certificates::Entity::insert(row)
            .exec_without_returning(self.db.connection())
            .await
        {
            Ok(_) => Ok(certificate),
            Err(err) if is_foreign_key_violation(&err) => Err(RepoError::NotFound),
            Err(err) => Err(unavailable(err)),
        }
    }

    async fn of_user(&self, user_id: Uuid) -> Result<Vec<UserCertificate>, RepoError> {
        let rows = user_certificates::Entity::find()
            .filter(user_certificates::Column::UserId.eq(user_id))
            .order_by_desc(user_certificates::Column::IssueDate)
            .order_by_desc(user_certificates::Column::Id)
            .all(self.db.connection())
            .await
            .map_err(unavailable)?;
        rows.into_iter().map(from_row).collect()
    }

    async fn remove(&self, user_id: Uuid, certificate_id: Uuid) -> Result<(), RepoError> {
        user_certificates::Entity::delete_many()
            .filter(user_certificates::Column::Id.eq(certificate_id))
            .filter(user_certificates::Column::UserId.eq(user_id))
            .exec(self.db.connection())
            .await
            .map_err(unavailable)?
            .changed_or(RepoError::NotFound)
    }
}
