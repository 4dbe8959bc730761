//! Identity and accounts: users with their profile, specializations, declared
//! certificates, billing addresses, auth sessions with rotating refresh tokens,
//! verification tokens, the login history and the mail outbox.
//!
//! Case-insensitive uniqueness (email, username, specialization name) is kept by storing
//! a lower-cased copy under a plain unique index: it behaves the same on SQLite and
//! PostgreSQL, unlike expression indexes or collations. Unique indexes are named
//! `ux_<table>_<column>` so that the adapters can tell from a violation's message which
//! rule was broken (PostgreSQL names the index, SQLite the column).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::prelude::Uuid;
use time::macros::datetime;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000001_identity"
    }
}

/// The ten predefined specializations (Explaino seed), with fixed ids so that every
/// installation agrees on them. Copied here on purpose: migrations never read the domain.
const SPECIALIZATIONS: [(u128, &str); 10] = [
    (
        0x019aa000_0000_7000_8000_000000000001,
        "Back-end development",
    ),
    (
        0x019aa000_0000_7000_8000_000000000002,
        "Front-end development",
    ),
    (0x019aa000_0000_7000_8000_000000000003, "Mobile development"),
    (0x019aa000_0000_7000_8000_000000000004, "Data science"),
    (0x019aa000_0000_7000_8000_000000000005, "Machine learning"),
    (
        0x019aa000_0000_7000_8000_000000000006,
        "Artificial intelligence",
    ),
    (0x019aa000_0000_7000_8000_000000000007, "Cybersecurity"),
    (0x019aa000_0000_7000_8000_000000000008, "Cloud computing"),
    (0x019aa000_0000_7000_8000_000000000009, "DevOps"),
    (0x019aa000_0000_7000_8000_00000000000a, "Databases"),
];

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Username,
    UsernameKey,
    PhoneNumber,
    FirstName,
    LastName,
    Roles,
    PasswordHash,
    IsActive,
    EmailVerified,
    LastLoginAt,
    BanReason,
    BannedAt,
    BanExpiresAt,
    FailedLoginCount,
    LockedUntil,
    DeletedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Profiles {
    Table,
    UserId,
    Bio,
    ProfileImage,
    Location,
    Timezone,
    Designation,
    Website,
    Github,
    Linkedin,
    Twitter,
    Facebook,
    Expertise,
    HourlyRateMinor,
    HourlyRateCurrency,
    YearsExperience,
    Domain,
    Interests,
    Goals,
    CareerGoals,
    ExperienceLevel,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Specializations {
    Table,
    Id,
    Name,
    NameKey,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserSpecializations {
    Table,
    Id,
    UserId,
    SpecializationId,
    AddedAt,
}

#[derive(DeriveIden)]
enum UserCertificates {
    Table,
    Id,
    UserId,
    Title,
    Issuer,
    IssueDate,
    CertificateUrl,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BillingAddresses {
    Table,
    Id,
    UserId,
    FirstName,
    LastName,
    CompanyName,
    PhoneNumber,
    Email,
    AddressLine1,
    AddressLine2,
    City,
    State,
    PostalCode,
    Country,
    VatNumber,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuthSessions {
    Table,
    Id,
    UserId,
    Ip,
    UserAgent,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    SessionId,
    Digest,
    CreatedAt,
    ExpiresAt,
    RotatedAt,
}

#[derive(DeriveIden)]
enum VerificationTokens {
    Table,
    Id,
    UserId,
    Purpose,
    Digest,
    CreatedAt,
    ExpiresAt,
    ConsumedAt,
}

#[derive(DeriveIden)]
enum LoginHistory {
    Table,
    Id,
    UserId,
    Login,
    Success,
    FailureReason,
    Ip,
    UserAgent,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    Recipient,
    Subject,
    Body,
    CreatedAt,
    SentAt,
}

/// A timestamp column (timestamptz on PostgreSQL, RFC 3339 text on SQLite).
fn at<T: IntoIden>(col: T) -> ColumnDef {
    timestamp_with_time_zone(col)
}

fn at_null<T: IntoIden>(col: T) -> ColumnDef {
    timestamp_with_time_zone_null(col)
}

/// A foreign key to `users(id)` that disappears with the user.
fn owned_by_user<T: IntoIden + 'static, C: IntoIden + 'static>(
    table: T,
    col: C,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn unique_index<T: IntoIden + 'static>(
    name: &str,
    table: T,
    cols: &[&'static str],
) -> IndexCreateStatement {
    let mut index = Index::create().name(name).table(table).unique().to_owned();
    for col in cols {
        index.col(Alias::new(*col));
    }
    index
}

fn index<T: IntoIden + 'static>(
    name: &str,
    table: T,
    cols: &[&'static str],
) -> IndexCreateStatement {
    let mut index = Index::create().name(name).table(table).to_owned();
    for col in cols {
        index.col(Alias::new(*col));
    }
    index
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_uuid(Users::Id))
                    .col(text(Users::Email))
                    .col(text(Users::Username))
                    .col(text(Users::UsernameKey))
                    .col(text_null(Users::PhoneNumber))
                    .col(text(Users::FirstName))
                    .col(text(Users::LastName))
                    .col(text(Users::Roles))
                    .col(text(Users::PasswordHash))
                    .col(boolean(Users::IsActive))
                    .col(boolean(Users::EmailVerified))
                    .col(at_null(Users::LastLoginAt))
                    .col(text_null(Users::BanReason))
                    .col(at_null(Users::BannedAt))
                    .col(at_null(Users::BanExpiresAt))
                    .col(integer(Users::FailedLoginCount).default(0))
                    .col(at_null(Users::LockedUntil))
                    .col(at_null(Users::DeletedAt))
                    .col(at(Users::CreatedAt))
                    .col(at(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index("ux_users_email", Users::Table, &["email"]))
            .await?;
        manager
            .create_index(unique_index(
                "ux_users_username_key",
                Users::Table,
                &["username_key"],
            ))
            .await?;
        manager
            .create_index(unique_index(
                "ux_users_phone_number",
                Users::Table,
                &["phone_number"],
            ))
            .await?;
        manager
            .create_index(index("ix_users_created_at", Users::Table, &["created_at"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Profiles::Table)
                    .col(pk_uuid(Profiles::UserId))
                    .col(text_null(Profiles::Bio))
                    .col(text_null(Profiles::ProfileImage))
                    .col(text_null(Profiles::Location))
                    .col(text_null(Profiles::Timezone))
                    .col(text_null(Profiles::Designation))
                    .col(text_null(Profiles::Website))
                    .col(text_null(Profiles::Github))
                    .col(text_null(Profiles::Linkedin))
                    .col(text_null(Profiles::Twitter))
                    .col(text_null(Profiles::Facebook))
                    // JSON arrays kept as text: portable, and only ever read whole.
                    .col(text(Profiles::Expertise))
                    .col(big_integer_null(Profiles::HourlyRateMinor))
                    .col(text_null(Profiles::HourlyRateCurrency))
                    .col(integer_null(Profiles::YearsExperience))
                    .col(text_null(Profiles::Domain))
                    .col(text(Profiles::Interests))
                    .col(text_null(Profiles::Goals))
                    .col(text_null(Profiles::CareerGoals))
                    .col(text_null(Profiles::ExperienceLevel))
                    .col(at(Profiles::UpdatedAt))
                    .foreign_key(&mut owned_by_user(Profiles::Table, Profiles::UserId))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Specializations::Table)
                    .col(pk_uuid(Specializations::Id))
                    .col(text(Specializations::Name))
                    .col(text(Specializations::NameKey))
                    .col(text_null(Specializations::Description))
                    .col(at(Specializations::CreatedAt))
                    .col(at(Specializations::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "ux_specializations_name_key",
                Specializations::Table,
                &["name_key"],
            ))
            .await?;
        let seeded_at = datetime!(2026-11-22 00:00:00 UTC);
        let mut seed = Query::insert()
            .into_table(Specializations::Table)
            .columns([
                Specializations::Id,
                Specializations::Name,
                Specializations::NameKey,
                Specializations::CreatedAt,
                Specializations::UpdatedAt,
            ])
            .to_owned();
        for (id, name) in SPECIALIZATIONS {
            seed.values_panic([
                Uuid::from_u128(id).into(),
                name.into(),
                name.to_lowercase().into(),
                seeded_at.into(),
                seeded_at.into(),
            ]);
        }
        manager.execute(seed).await?;

        manager
            .create_table(
                Table::create()
                    .table(UserSpecializations::Table)
                    .col(pk_uuid(UserSpecializations::Id))
                    .col(uuid(UserSpecializations::UserId))
                    .col(uuid(UserSpecializations::SpecializationId))
                    .col(at(UserSpecializations::AddedAt))
                    .foreign_key(&mut owned_by_user(
                        UserSpecializations::Table,
                        UserSpecializations::UserId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                UserSpecializations::Table,
                                UserSpecializations::SpecializationId,
                            )
                            .to(Specializations::Table, Specializations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "ux_user_specializations_pair",
                UserSpecializations::Table,
                &["user_id", "specialization_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_user_specializations_specialization_id",
                UserSpecializations::Table,
                &["specialization_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserCertificates::Table)
                    .col(pk_uuid(UserCertificates::Id))
                    .col(uuid(UserCertificates::UserId))
                    .col(text(UserCertificates::Title))
                    .col(text(UserCertificates::Issuer))
                    .col(date(UserCertificates::IssueDate))
                    .col(text(UserCertificates::CertificateUrl))
                    .col(at(UserCertificates::CreatedAt))
                    .col(at(UserCertificates::UpdatedAt))
                    .foreign_key(&mut owned_by_user(
                        UserCertificates::Table,
                        UserCertificates::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_user_certificates_user_id_issue_date",
                UserCertificates::Table,
                &["user_id", "issue_date"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BillingAddresses::Table)
                    .col(pk_uuid(BillingAddresses::Id))
                    .col(uuid(BillingAddresses::UserId))
                    .col(text(BillingAddresses::FirstName))
                    .col(text(BillingAddresses::LastName))
                    .col(text_null(BillingAddresses::CompanyName))
                    .col(text_null(BillingAddresses::PhoneNumber))
                    .col(text(BillingAddresses::Email))
                    .col(text(BillingAddresses::AddressLine1))
                    .col(text_null(BillingAddresses::AddressLine2))
                    .col(text(BillingAddresses::City))
                    .col(text(BillingAddresses::State))
                    .col(text(BillingAddresses::PostalCode))
                    .col(text(BillingAddresses::Country))
                    .col(text_null(BillingAddresses::VatNumber))
                    .col(text_null(BillingAddresses::Notes))
                    .col(at(BillingAddresses::CreatedAt))
                    .col(at(BillingAddresses::UpdatedAt))
                    .foreign_key(&mut owned_by_user(
                        BillingAddresses::Table,
                        BillingAddresses::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "ux_billing_addresses_user_id",
                BillingAddresses::Table,
                &["user_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuthSessions::Table)
                    .col(pk_uuid(AuthSessions::Id))
                    .col(uuid(AuthSessions::UserId))
                    .col(text_null(AuthSessions::Ip))
                    .col(text_null(AuthSessions::UserAgent))
                    .col(at(AuthSessions::CreatedAt))
                    .col(at(AuthSessions::LastUsedAt))
                    .col(at(AuthSessions::ExpiresAt))
                    .col(at_null(AuthSessions::RevokedAt))
                    .foreign_key(&mut owned_by_user(
                        AuthSessions::Table,
                        AuthSessions::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_auth_sessions_user_id",
                AuthSessions::Table,
                &["user_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(pk_uuid(RefreshTokens::Id))
                    .col(uuid(RefreshTokens::SessionId))
                    .col(text(RefreshTokens::Digest))
                    .col(at(RefreshTokens::CreatedAt))
                    .col(at(RefreshTokens::ExpiresAt))
                    .col(at_null(RefreshTokens::RotatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshTokens::Table, RefreshTokens::SessionId)
                            .to(AuthSessions::Table, AuthSessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "ux_refresh_tokens_digest",
                RefreshTokens::Table,
                &["digest"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_refresh_tokens_session_id",
                RefreshTokens::Table,
                &["session_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(VerificationTokens::Table)
                    .col(pk_uuid(VerificationTokens::Id))
                    .col(uuid(VerificationTokens::UserId))
                    .col(text(VerificationTokens::Purpose))
                    .col(text(VerificationTokens::Digest))
                    .col(at(VerificationTokens::CreatedAt))
                    .col(at(VerificationTokens::ExpiresAt))
                    .col(at_null(VerificationTokens::ConsumedAt))
                    .foreign_key(&mut owned_by_user(
                        VerificationTokens::Table,
                        VerificationTokens::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "ux_verification_tokens_digest",
                VerificationTokens::Table,
                &["digest"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_verification_tokens_user_id_purpose",
                VerificationTokens::Table,
                &["user_id", "purpose"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginHistory::Table)
                    .col(pk_uuid(LoginHistory::Id))
                    .col(uuid_null(LoginHistory::UserId))
                    .col(text(LoginHistory::Login))
                    .col(boolean(LoginHistory::Success))
                    .col(text_null(LoginHistory::FailureReason))
                    .col(text_null(LoginHistory::Ip))
                    .col(text_null(LoginHistory::UserAgent))
                    .col(at(LoginHistory::CreatedAt))
                    .foreign_key(&mut owned_by_user(
                        LoginHistory::Table,
                        LoginHistory::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_login_history_user_id_created_at",
                LoginHistory::Table,
                &["user_id", "created_at"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .col(pk_uuid(MailOutbox::Id))
                    .col(text(MailOutbox::Recipient))
                    .col(text(MailOutbox::Subject))
                    .col(text(MailOutbox::Body))
                    .col(at(MailOutbox::CreatedAt))
                    .col(at_null(MailOutbox::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_mail_outbox_recipient_created_at",
                MailOutbox::Table,
                &["recipient", "created_at"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Children before parents, so that foreign keys never block a drop.
        let tables: [DynIden; 11] = [
            MailOutbox::Table.into_iden(),
            LoginHistory::Table.into_iden(),
            VerificationTokens::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            AuthSessions::Table.into_iden(),
            BillingAddresses::Table.into_iden(),
            UserCertificates::Table.into_iden(),
            UserSpecializations::Table.into_iden(),
            Specializations::Table.into_iden(),
            Profiles::Table.into_iden(),
            Users::Table.into_iden(),
        ];
        for table in tables {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
