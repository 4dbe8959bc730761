//! [`BillingAddressStore`]: at most one billing address per user (Edupeak), guarded by
//! the unique `user_id` column.

use async_trait::async_trait;
use lyceum_domain::identity::{
    BillingAddress, BillingAddressDetails, Email, MultiLineText, PhoneNumber, SingleLineText,
};
use lyceum_ports::RepoError;
use lyceum_ports::identity::BillingAddressRepository;
use sea_orm::ActiveValue::{Set, Unchanged};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::entities::billing_addresses;
use crate::database::{Database, corrupt, db_time, is_foreign_key_violation, unavailable};
use crate::guarded_write::GuardedWrite;

/// Billing addresses on SeaORM.
#[derive(Debug, Clone)]
pub struct BillingAddressStore {
    db: Database,
}

impl BillingAddressStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

fn from_row(row: billing_addresses::Model) -> Result<BillingAddress, RepoError> {
    let id = row.id;
    let bad = |field: &str| corrupt("billing_addresses", format!("{field} of {id}"));
    fn opt<const N: usize>(raw: Option<String>) -> Result<Option<SingleLineText<N>>, ()> {
        raw.map(|text| SingleLineText::parse(&text).map_err(|_| ()))
            .transpose()
    }
    let address = BillingAddressDetails {
        first_name: SingleLineText::parse(&row.first_name).map_err(|_| bad("first_name"))?,
        last_name: SingleLineText::parse(&row.last_name).map_err(|_| bad("last_name"))?,
        company_name: opt(row.company_name).map_err(|_| bad("company_name"))?,
        phone_number: row
            .phone_number
            .as_deref()
            .map(PhoneNumber::parse)
            .transpose()
            .map_err(|_| bad("phone_number"))?,
        email: Email::parse(&row.email).map_err(|_| bad("email"))?,
        address_line1: SingleLineText::parse(&row.address_line1)
            .map_err(|_| bad("address_line1"))?,
        address_line2: opt(row.address_line2).map_err(|_| bad("address_line2"))?,
        city: SingleLineText::parse(&row.city).map_err(|_| bad("city"))?,
        state: SingleLineText::parse(&row.state).map_err(|_| bad("state"))?,
        postal_code: SingleLineText::parse(&row.postal_code).map_err(|_| bad("postal_code"))?,
        country: row.country,
        vat_number: opt(row.vat_number).map_err(|_| bad("vat_number"))?,
        notes: row
            .notes
            .as_deref()
            .map(MultiLineText::parse)
            .transpose()
            .map_err(|_| bad("notes"))?,
    };
    Ok(BillingAddress {
        id,
        user_id: row.user_id,
        address,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The address columns (everything but id, owner and creation time).
fn address_columns(model: &mut billing_addresses::ActiveModel, address: &BillingAddressDetails) {
    fn text(value: &Option<impl AsRef<str>>) -> Option<String> {
        value.as_ref().map(|v| v.as_ref().to_owned())
    }
    model.first_name = Set(address.first_name.as_str().to_owned());
    model.last_name = Set(address.last_name.as_str().to_owned());
    model.company_name = Set(text(&address.company_name));
    model.phone_number = Set(address.phone_number.as_ref().map(|p| p.as_str().to_owned()));
    model.email = Set(address.email.as_str().to_owned());
    model.address_line1 = Set(address.address_line1.as_str().to_owned());
    model.address_line2 = Set(text(&address.address_line2));
    model.city = Set(address.city.as_str().to_owned());
    model.state = Set(address.state.as_str().to_owned());
    model.postal_code = Set(address.postal_code.as_str().to_owned());
    model.country = Set(address.country.clone());
    model.vat_number = Set(text(&address.vat_number));
    model.notes = Set(text(&address.notes));
}

#[async_trait]
impl BillingAddressRepository for BillingAddressStore {
    async fn of_user(&self, user_id: Uuid) -> Result<Option<BillingAddress>, RepoError> {
        let row = billing_addresses::Entity::find()
            .filter(billing_addresses::Column::UserId.eq(user_id))
            .one(self.db.connection())
            .await
            .map_err(unavailable)?;
        row.map(from_row).transpose()
    }

    async fn put(&self, address: BillingAddress) -> Result<(BillingAddress, bool), RepoError> {
        let updated_at = db_time(address.updated_at);
        // The write lock makes "look, then insert or update" one step: no second
        // address can appear in between (and the unique column would refuse it anyway).
        let tx = self.db.begin_write().await?;
        let existing = billing_addresses::Entity::find()
            .filter(billing_addresses::Column::UserId.eq(address.user_id))
            .one(&tx)
            .await
            .map_err(unavailable)?;
        let created = existing.is_none();
        let row = match existing {
            Some(existing) => {
                // Replacing keeps the address's identity and creation time.
                let mut model = billing_addresses::ActiveModel {
                    id: Unchanged(existing.id),
                    updated_at: Set(updated_at),
                    ..Default::default()
                };
                address_columns(&mut model, &address.address);
                model.update(&tx).await.map_err(unavailable)?
            }
            None => {
                let mut model = billing_addresses::ActiveModel {
                    id: Set(address.id),
                    user_id: Set(address.user_id),
                    created_at: Set(db_time(address.created_at)),
                    updated_at: Set(updated_at),
                    ..Default::default()
                };
                address_columns(&mut model, &address.address);
                model.insert(&tx).await.map_err(|err| {
                    if is_foreign_key_violation(&err) {
                        RepoError::NotFound
                    } else {
                        unavailable(err)
                    }
                })?
            }
        };
        tx.commit().await.map_err(unavailable)?;
        Ok((from_row(row)?, created))
    }

    async fn remove(&self, user_id: Uuid) -> Result<(), RepoError> {
        billing_addresses::Entity::delete_many()
            .filter(billing_addresses::Column::UserId.eq(user_id))
            .exec(self.db.connection())
            .await
            .map_err(unavailable)?
            .changed_or(RepoError::NotFound)
    }
}
