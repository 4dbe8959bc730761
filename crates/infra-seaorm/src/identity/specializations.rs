//! [`SpecializationStore`]: the admin-managed specializations and users' links to them.

use async_trait::async_trait;
use lyceum_domain::identity::{Specialization, SpecializationName};
use lyceum_ports::identity::SpecializationRepository;
use lyceum_ports::{Conflict, RepoError};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use time::OffsetDateTime;
use uuid::Uuid;

use super::entities::{specializations, user_specializations};
use crate::database::{
    Database, corrupt, db_time, is_foreign_key_violation, unavailable, unique_violation,
};
use crate::guarded_write::GuardedWrite;

/// Specializations on SeaORM.
#[derive(Debug, Clone)]
pub struct SpecializationStore {
    db: Database,
}

impl SpecializationStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }

    /// The name is the only unique column besides the id the caller chose.
    fn name_error(err: DbErr) -> RepoError {
        match unique_violation(&err) {
            Some(message) if message.contains("name_key") => {
                RepoError::Conflict(Conflict::SpecializationNameTaken)
            }
            _ => unavailable(err),
        }
    }
}

fn from_row(row: specializations::Model) -> Result<Specialization, RepoError> {
    Ok(Specialization {
        id: row.id,
        name: SpecializationName::parse(&row.name).map_err(|e| corrupt("specializations", e))?,
        description: row.description,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

#[async_trait]
impl SpecializationRepository for SpecializationStore {
    async fn list(&self) -> Result<Vec<Specialization>, RepoError> {
        let rows = specializations::Entity::find()
            .order_by_asc(specializations::Column::NameKey)
            .all(self.db.connection())
            .await
            .map_err(unavailable)?;
        rows.into_iter().map(from_row).collect()
    }

    async fn by_id(&self, id: Uuid) -> Result<Option<Specialization>, RepoError> {
        let row = specializations::Entity::find_by_id(id)
            .one(self.db.connection())
            .await
            .map_err(unavailable)?;
        row.map(from_row).transpose()
    }

    async fn create(&self, specialization: Specialization) -> Result<Specialization, RepoError> {
        let row = specializations::ActiveModel {
            id: Set(specialization.id),
            name: Set(specialization.name.as_str().to_owned()),
            name_key: Set(specialization.name.key()),
            description: Set(specialization.description.clone()),
            created_at: Set(db_time(specialization.created_at)),
            updated_at: Set(db_time(specialization.updated_at)),
        };
        specializations::Entity::insert(row)
            .exec_without_returning(self.db.connection())
            .await
            .map_err(Self::name_error)?;
        Ok(Specialization {
            created_at: db_time(specialization.created_at),
            updated_at: db_time(specialization.updated_at),
            ..specialization
        })
    }

    async fn update(
        &self,
        id: Uuid,
        name: SpecializationName,
        description: Option<String>,
        now: OffsetDateTime,
    ) -> Result<Specialization, RepoError> {
        let result = specializations::Entity::update_many()
            .col_expr(specializations::Column::Name, Expr::value(name.as_str()))
            .col_expr(specializations::Column::NameKey, Expr::value(name.key()))
            .col_expr(
                specializations::Column::Description,
                Expr::value(description),
            )
            .col_expr(
                specializations::Column::UpdatedAt,
                Expr::value(db_time(now)),
            )
            .filter(specializations::Column::Id.eq(id))
            .exec(self.db.connection())
            .await
            .map_err(Self::name_error)?;
        result.changed_or(RepoError::NotFound)?;
        self.by_id(id).await?.ok_or(RepoError::NotFound)
    }

    async fn delete(&self, id: Uuid) -> Result<(), RepoError> {
        // Links go with it (ON DELETE CASCADE).
        specializations::Entity::delete_by_id(id)
            .exec(self.db.connection())
            .await
            .map_err(unavailable)?
            .changed_or(RepoError::NotFound)
    }

    async fn add_to_user(
        &self,
        user_id: Uuid,
        specialization_id: Uuid,
        now: OffsetDateTime,
    ) -> Result<(), RepoError> {
        let row = user_specializations::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(user_id),
            specialization_id: Set(specialization_id),
            added_at: Set(db_time(now)),
        };
        match user_specializations::Entity::insert(row)
            .exec_without_returning(self.db.connection())
            .await
        {
            Ok(_) => Ok(()),
            Err(err) if unique_violation(&err).is_some() => {
                Err(RepoError::Conflict(Conflict::SpecializationAlreadyAdded))
            }
            // The specialization (or the user) does not exist.
            Err(err) if is_foreign_key_violation(&err) => Err(RepoError::NotFound),
            Err(err) => Err(unavailable(err)),
        }
    }

    async fn remove_from_user(
        &self,
        user_id: Uuid,
        specialization_id: Uuid,
    ) -> Result<(), RepoError> {
        user_specializations::Entity::delete_many()
            .filter(user_specializations::Column::UserId.eq(user_id))
            .filter(user_specializations::Column::SpecializationId.eq(specialization_id))
            .exec(self.db.connection())
            .await
            .map_err(unavailable)?
            .changed_or(RepoError::NotFound)
    }

    async fn of_user(&self, user_id: Uuid) -> Result<Vec<Specialization>, RepoError> {
        let rows = specializations::Entity::find()
            .filter(
                specializations::Column::Id.in_subquery(
                    Query::select()
                        .column(user_specializations::Column::SpecializationId)
                        .from(user_specializations::Entity)
                        .and_where(user_specializations::Column::UserId.eq(user_id))
                        .to_owned(),
                ),
            )
            .order_by_asc(specializations::Column::NameKey)
            .all(self.db.connection())
            .await
            .map_err(unavailable)?;
        rows.into_iter().map(from_row).collect()
    }
}
