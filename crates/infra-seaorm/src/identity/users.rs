//! [`UserStore`]: accounts with their profile, and the wallet created with them.

use std::collections::HashMap;

use async_trait::async_trait;
use lyceum_domain::identity::{Ban, Email, LockoutPolicy, Profile, Role, Roles, User};
use lyceum_ports::identity::{
    AccountDetails, LoginAttempt, MentorFilter, NewUser, NewVerificationToken, UserQuery,
    UserRepository,
};
use lyceum_ports::outbox::Outbox;
use lyceum_ports::{Page, PageRequest, RepoError};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    Select, Statement, UpdateMany,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::auth_sessions::revoke_sessions;
use super::entities::{profiles, user_specializations, users};
use super::login_history::insert_attempt;
use super::user_rows::{account_conflict, contains_pattern, profile_row, user_from_rows};
use super::verification_tokens::store_token;
use crate::database::{Database, db_time, finish, unavailable, unique_violation};
use crate::guarded_write::GuardedWrite;
use crate::live::{self, LiveEvent};
use crate::outbox;
use crate::pagination::IdOrder::OldestFirst;
use crate::pagination::page_rows;
use crate::wallet::entities::wallets;

/// Accounts on SeaORM.
#[derive(Debug, Clone)]
pub struct UserStore {
    db: Database,
}

impl UserStore {
    /// An adapter over `db`.
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }

    /// A unique violation on `users` becomes the account conflict it names.
    fn write_error(err: DbErr) -> RepoError {
        match unique_violation(&err).as_deref().and_then(account_conflict) {
            Some(conflict) => RepoError::Conflict(conflict),
            None => unavailable(err),
        }
    }

    async fn load(&self, id: Uuid) -> Result<Option<User>, RepoError> {
        let conn = self.db.connection();
        let Some(row) = users::Entity::find_by_id(id)
            .one(conn)
            .await
            .map_err(unavailable)?
        else {
            return Ok(None);
        };
        let profile = profiles::Entity::find_by_id(id)
            .one(conn)
            .await
            .map_err(unavailable)?;
        user_from_rows(row, profile).map(Some)
    }

    async fn reload(&self, id: Uuid) -> Result<User, RepoError> {
        self.load(id).await?.ok_or(RepoError::NotFound)
    }

    /// Users with their profiles, in the order of `rows`.
    async fn with_profiles(&self, rows: Vec<users::Model>) -> Result<Vec<User>, RepoError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
        let mut profiles: HashMap<Uuid, profiles::Model> = profiles::Entity::find()
            .filter(profiles::Column::UserId.is_in(ids))
            .all(self.db.connection())
            .await
            .map_err(unavailable)?
            .into_iter()
            .map(|profile| (profile.user_id, profile))
            .collect();
        rows.into_iter()
            .map(|row| {
                let profile = profiles.remove(&row.id);
                user_from_rows(row, profile)
            })
            .collect()
    }

    /// One keyset page in id order (UUIDv7: oldest first).
    async fn page(
        &self,
        select: Select<users::Entity>,
        page: PageRequest,
    ) -> Result<Page<User>, RepoError> {
        let conn = self.db.connection();
        let rows = page_rows(conn, select, users::Column::Id, OldestFirst, page).await?;
        let users = self.with_profiles(rows).await?;
        Ok(Page::from_overfetch(users, page.limit, |user| user.id))
    }

    /// Runs an update of one user; no such user is `NotFound`.
    async fn update_one(
        &self,
        id: Uuid,
        update: UpdateMany<users::Entity>,
    ) -> Result<(), RepoError> {
        let result = update
            .filter(users::Column::Id.eq(id))
            .exec(self.db.connection())
            .await
            .map_err(Self::write_error)?;
        result.changed_or(RepoError::NotFound)
    }
}

/// `LOWER(column) LIKE pattern ESCAPE '\'`. Portable case-insensitive matching; note that
/// SQLite's `LOWER` folds ASCII only, so non-ASCII names match case-sensitively there.
fn lower_like(column: users::Column, pattern: &str) -> Expr {
    Expr::from(Func::lower(Expr::col((users::Entity, column))))
        .like(LikeExpr::new(pattern).escape('\\'))
}

/// The role csv holds only the fixed names learner, mentor and admin, none of which
/// contains another, so a substring match is an exact role match.
fn has_role(role: Role) -> Expr {
    users::Column::Roles.like(format!("%{}%", role.as_str()))
}

#[async_trait]
impl UserRepository for UserStore {
    async fn register(
        &self,
        user: NewUser,
        verification: Option<NewVerificationToken>,
        outbox: Outbox,
    ) -> Result<User, RepoError> {
        let now = db_time(user.created_at);
        let tx = self.db.begin_write().await?;
        let row = users::ActiveModel {
            id: Set(user.id),
            email: Set(user.email.as_str().to_owned()),
            username: Set(user.username.as_str().to_owned()),
            username_key: Set(user.username.key()),
            phone_number: Set(user.phone_number.as_ref().map(|p| p.as_str().to_owned())),
            first_name: Set(user.first_name.as_str().to_owned()),
            last_name: Set(user.last_name.as_str().to_owned()),
            roles: Set(user.roles.to_csv()),
            password_hash: Set(user.password_hash),
            is_active: Set(true),
            email_verified: Set(false),
            last_login_at: Set(None),
            ban_reason: Set(None),
            banned_at: Set(None),
            ban_expires_at: Set(None),
            failed_login_count: Set(0),
            locked_until: Set(None),
            deleted_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            mentor_rating_sum: Set(0),
            mentor_rating_count: Set(0),
        }
        .insert(&tx)
        .await
        .map_err(Self::write_error)?;
        let profile = profile_row(user.id, &Profile::default(), now)
            .insert(&tx)
            .await
            .map_err(unavailable)?;
        wallets::ActiveModel {
            user_id: Set(user.id),
            balance: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&tx)
        .await
        .map_err(unavailable)?;
        if let Some(token) = verification {
            store_token(&tx, token).await?;
        }
        let mails = !outbox.mail.is_empty();
        outbox::record(&self.db, &tx, outbox).await?;
        tx.commit().await.map_err(unavailable)?;
        if mails {
            self.db.wake_mail_relay();
        }
        user_from_rows(row, Some(profile))
    }

    async fn by_id(&self, id: Uuid) -> Result<Option<User>, RepoError> {
        self.load(id).await
    }

    async fn by_login(&self, login: &str) -> Result<Option<(User, String)>, RepoError> {
        // Emails and username keys are stored lower-cased; a username cannot contain
        // '@', so at most one account matches.
        let key = login.trim().to_lowercase();
        let row = users::Entity::find()
            .filter(
                Condition::any()
                    .add(users::Column::Email.eq(key.clone()))
                    .add(users::Column::UsernameKey.eq(key)),
            )
            .one(self.db.connection())
            .await
            .map_err(unavailable)?;
        let Some(row) = row else { return Ok(None) };
        let hash = row.password_hash.clone();
        let user = self
            .with_profiles(vec![row])
            .await?
            .pop()
            .ok_or(RepoError::NotFound)?;
        Ok(Some((user, hash)))
    }

    async fn by_email(&self, email: &Email) -> Result<Option<User>, RepoError> {
        let row = users::Entity::find()
            .filter(users::Column::Email.eq(email.as_str()))
            .one(self.db.connection())
            .await
            .map_err(unavailable)?;
        Ok(self.with_profiles(row.into_iter().collect()).await?.pop())
    }

    async fn password_hash(&self, id: Uuid) -> Result<Option<String>, RepoError> {
        let row = users::Entity::find_by_id(id)
            .one(self.db.connection())
            .await
            .map_err(unavailable)?;
        Ok(row.map(|row| row.password_hash))
    }

    async fn record_login_failure(
        &self,
        id: Uuid,
        policy: LockoutPolicy,
        now: OffsetDateTime,
        attempt: LoginAttempt,
    ) -> Result<Option<OffsetDateTime>, RepoError> {
        let backend = self.db.db_backend();
        let tx = self.db.begin_write().await?;
        // Counted in the database so that concurrent failures are never lost.
        let counted = tx
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                "UPDATE users SET failed_login_count = failed_login_count + 1 WHERE id = $1 \
                 RETURNING failed_login_count",
                [id.into()],
            ))
            .await
            .map_err(unavailable)?
            .ok_or(RepoError::NotFound)?;
        let count: i32 = counted
            .try_get("", "failed_login_count")
            .map_err(unavailable)?;
        let lock = policy
            .lock_after_failure(u32::try_from(count).unwrap_or(0), now)
            .map(db_time);
        if let Some(until) = lock {
            users::Entity::update_many()
                .col_expr(users::Column::LockedUntil, Expr::value(until))
                .col_expr(users::Column::FailedLoginCount, Expr::value(0))
                .filter(users::Column::Id.eq(id))
                .exec(&tx)
                .await
                .map_err(unavailable)?;
        }
        insert_attempt(&tx, attempt).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(lock)
    }

    async fn save_details(
        &self,
        id: Uuid,
        details: AccountDetails,
        now: OffsetDateTime,
    ) -> Result<User, RepoError> {
        let now = db_time(now);
        let tx = self.db.begin_write().await?;
        let updated = users::Entity::update_many()
            .col_expr(
                users::Column::FirstName,
                Expr::value(details.first_name.as_str()),
            )
            .col_expr(
                users::Column::LastName,
                Expr::value(details.last_name.as_str()),
            )
            .col_expr(
                users::Column::PhoneNumber,
                Expr::value(details.phone_number.as_ref().map(|p| p.as_str().to_owned())),
            )
            .col_expr(users::Column::UpdatedAt, Expr::value(now))
            .filter(users::Column::Id.eq(id))
            .exec(&tx)
            .await
            .map_err(Self::write_error)?;
        updated.changed_or(RepoError::NotFound)?;
        let profile = profile_row(id, &details.profile, now);
        // Every user has a profile row; the upsert only guards against one lost by hand.
        let exists = profiles::Entity::find_by_id(id)
            .one(&tx)
            .await
            .map_err(unavailable)?
            .is_some();
        if exists {
            profile.update(&tx).await.map_err(unavailable)?;
        } else {
            profile.insert(&tx).await.map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)?;
        self.reload(id).await
    }

    async fn set_password_hash(
        &self,
        id: Uuid,
        hash: String,
        now: OffsetDateTime,
    ) -> Result<(), RepoError> {
        let update = users::Entity::update_many()
            .col_expr(users::Column::PasswordHash, Expr::value(hash))
            .col_expr(users::Column::UpdatedAt, Expr::value(db_time(now)));
        self.update_one(id, update).await
    }

    async fn mark_email_verified(&self, id: Uuid, now: OffsetDateTime) -> Result<(), RepoError> {
        let update = users::Entity::update_many()
            .col_expr(users::Column::EmailVerified, Expr::value(true))
            .col_expr(users::Column::UpdatedAt, Expr::value(db_time(now)));
        self.update_one(id, update).await
    }

    async fn set_ban(
        &self,
        id: Uuid,
        ban: Option<Ban>,
        now: OffsetDateTime,
    ) -> Result<User, RepoError> {
        let now = db_time(now);
        let (reason, banned_at, expires_at) = match ban {
            Some(ban) => (Some(ban.reason), Some(now), ban.expires_at.map(db_time)),
            None => (None, None, None),
        };
        let banning = banned_at.is_some();
        let tx = self.db.begin_write().await?;
        let outcome = async {
            users::Entity::update_many()
                .col_expr(users::Column::BanReason, Expr::value(reason))
                .col_expr(users::Column::BannedAt, Expr::value(banned_at))
                .col_expr(users::Column::BanExpiresAt, Expr::value(expires_at))
                .col_expr(users::Column::UpdatedAt, Expr::value(now))
                .filter(users::Column::Id.eq(id))
                .exec(&tx)
                .await
                .map_err(Self::write_error)?
                .changed_or(RepoError::NotFound)?;
            if banning {
                revoke_sessions(&tx, id, now).await?;
            }
            Ok(())
        }
        .await;
        finish(tx, outcome).await?;
        // After the commit, so that a stream re-checking its sign-in sees the ban.
        live::announce_committed(&self.db, LiveEvent::Account { user_id: id }).await;
        self.reload(id).await
    }

    async fn set_roles(
        &self,
        id: Uuid,
        roles: Roles,
        now: OffsetDateTime,
    ) -> Result<User, RepoError> {
        let update = users::Entity::update_many()
            .col_expr(users::Column::Roles, Expr::value(roles.to_csv()))
            .col_expr(users::Column::UpdatedAt, Expr::value(db_time(now)));
        self.update_one(id, update).await?;
        live::announce_committed(&self.db, LiveEvent::Account { user_id: id }).await;
        self.reload(id).await
    }

    async fn soft_delete(&self, id: Uuid, now: OffsetDateTime) -> Result<(), RepoError> {
        let now = db_time(now);
        let tx = self.db.begin_write().await?;
        let outcome = async {
            // The first deletion time is kept: deleting twice is not a new event.
            let result = users::Entity::update_many()
                .col_expr(users::Column::DeletedAt, Expr::value(now))
                .col_expr(users::Column::UpdatedAt, Expr::value(now))
                .filter(users::Column::Id.eq(id))
                .filter(users::Column::DeletedAt.is_null())
                .exec(&tx)
                .await
                .map_err(unavailable)?;
            if !result.changed_any() {
                let exists = users::Entity::find_by_id(id)
                    .one(&tx)
                    .await
                    .map_err(unavailable)?
                    .is_some();
                return if exists {
                    Ok(())
                } else {
                    Err(RepoError::NotFound)
                };
            }
            revoke_sessions(&tx, id, now).await
        }
        .await;
        finish(tx, outcome).await?;
        live::announce_committed(&self.db, LiveEvent::Account { user_id: id }).await;
        Ok(())
    }

    async fn erase(&self, id: Uuid) -> Result<(), RepoError> {
        // Foreign keys do the rest: profile, wallet and ledger, certificates,
        // specialization links, billing address, sessions, tokens and login history
        // cascade; ledger entries this user made in others' wallets keep a NULL actor.
        users::Entity::delete_by_id(id)
            .exec(self.db.connection())
            .await
            .map_err(unavailable)?
            .changed_or(RepoError::NotFound)?;
        live::announce_committed(&self.db, LiveEvent::Account { user_id: id }).await;
        Ok(())
    }

    async fn search(&self, query: UserQuery, page: PageRequest) -> Result<Page<User>, RepoError> {
        let mut select = users::Entity::find();
        if let Some(text) = query
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let pattern = contains_pattern(text);
            select = select.filter(
                Condition::any()
                    .add(lower_like(users::Column::Email, &pattern))
                    .add(lower_like(users::Column::Username, &pattern))
                    .add(lower_like(users::Column::FirstName, &pattern))
                    .add(lower_like(users::Column::LastName, &pattern)),
            );
        }
        if let Some(role) = query.role {
            select = select.filter(has_role(role));
        }
        if !query.include_deleted {
            select = select.filter(users::Column::DeletedAt.is_null());
        }
        self.page(select, page).await
    }

    async fn mentors(
        &self,
        filter: MentorFilter,
        page: PageRequest,
    ) -> Result<Page<User>, RepoError> {
        let mut select = users::Entity::find()
            .filter(has_role(Role::Mentor))
            .filter(users::Column::IsActive.eq(true))
            .filter(users::Column::DeletedAt.is_null());
        if let Some(specialization_id) = filter.specialization_id {
            select = select.filter(
                users::Column::Id.in_subquery(
                    Query::select()
                        .column(user_specializations::Column::UserId)
                        .from(user_specializations::Entity)
                        .and_where(
                            user_specializations::Column::SpecializationId.eq(specialization_id),
                        )
                        .to_owned(),
                ),
            );
        }
        if let Some(keyword) = filter
            .expertise
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            // Expertise is a JSON array kept as text; a substring of it is a substring
            // of one keyword in practice (keywords hold no quotes or commas worth matching).
            let pattern = contains_pattern(keyword);
            select = select.filter(
                users::Column::Id.in_subquery(
                    Query::select()
                        .column(profiles::Column::UserId)
                        .from(profiles::Entity)
                        .and_where(
                            Expr::from(Func::lower(Expr::col((
                                profiles::Entity,
                                profiles::Column::Expertise,
                            ))))
                            .like(LikeExpr::new(pattern).escape('\\')),
                        )
                        .to_owned(),
                ),
            );
        }
        self.page(select, page).await
    }
}
