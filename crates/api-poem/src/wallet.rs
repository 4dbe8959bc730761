//! HTTP operations of the wallet context (tag `Wallet`): my balance and ledger, and admin
//! grants and deductions with `Idempotency-Key`.

use lyceum_app::Lyceum;
use lyceum_domain::wallet::{
    Adjustment, AdjustmentDirection, AdjustmentError, LedgerEntry, Wallet,
};
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::ApiTags;
use crate::pagination::{encode_cursor, next_link, page_request};
use crate::problem::{ApiError, ApiResult};
use crate::responses::Listed;
use crate::security::Caller;

/// A points wallet.
#[derive(Debug, Clone, Object)]
pub struct WalletDto {
    /// Points available; never negative, always the sum of the ledger.
    pub balance: i64,
    /// Created with the account.
    pub created_at: OffsetDateTime,
    /// Last balance change.
    pub updated_at: OffsetDateTime,
}

impl From<&Wallet> for WalletDto {
    fn from(w: &Wallet) -> Self {
        Self {
            balance: w.balance.value(),
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// One balance change.
#[derive(Debug, Clone, Object)]
pub struct LedgerEntryDto {
    /// Id.
    pub id: Uuid,
    /// Signed change in points.
    pub delta: i64,
    /// What caused it: `admin_grant`, `admin_deduction`, …
    pub kind: String,
    /// Why.
    pub reason: String,
    /// What it refers to, if anything.
    pub reference: Option<String>,
    /// Balance right after this entry.
    pub balance_after: i64,
    /// Who made it happen (an admin), if a person did.
    pub actor_id: Option<Uuid>,
    /// When.
    pub created_at: OffsetDateTime,
}

impl From<&LedgerEntry> for LedgerEntryDto {
    fn from(e: &LedgerEntry) -> Self {
        Self {
            id: e.id,
            delta: e.delta,
            kind: e.kind.as_str().to_owned(),
            reason: e.reason.clone(),
            reference: e.reference.clone(),
            balance_after: e.balance_after.value(),
            actor_id: e.actor_id,
            created_at: e.created_at,
        }
    }
}

/// A page of ledger entries, newest first.
#[derive(Debug, Clone, Object)]
pub struct LedgerPage {
    /// Entries.
    pub items: Vec<LedgerEntryDto>,
    /// Cursor of the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Grant or deduct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum DirectionDto {
    /// Add points.
    Grant,
    /// Remove points.
    Deduct,
}

/// An admin adjustment.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct AdjustmentRequest {
    /// `grant` or `deduct`.
    pub direction: DirectionDto,
    /// How many points, at least 1.
    pub points: i64,
    /// Why (shown to the wallet owner), 1–500 characters.
    #[oai(validator(max_length = 2000))]
    pub reason: String,
}

/// The adjustment was applied, or replayed from an earlier identical request.
#[derive(ApiResponse)]
pub enum AdjustmentCreated {
    /// Applied (or the first response again, with `Idempotent-Replayed: true`).
    #[oai(status = 201)]
    Created(
        Json<LedgerEntryDto>,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

/// Wallet operations.
pub struct WalletApi {
    /// The application.
    pub app: Lyceum,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Wallet")]
impl WalletApi {
    /// My wallet
    #[oai(path = "/me/wallet", method = "get", operation_id = "getMyWallet")]
    async fn my_wallet(&self, caller: Caller) -> ApiResult<Json<WalletDto>> {
        Ok(Json(WalletDto::from(&self.app.my_wallet(&caller).await?)))
    }

    /// My ledger
    ///
    /// Every balance change, newest first, cursor-paginated.
    #[oai(
        path = "/me/wallet/ledger",
        method = "get",
        operation_id = "listMyLedgerEntries"
    )]
    async fn my_ledger(
        &self,
        req: &Request,
        caller: Caller,
        /// Page size, 1–100 (default 20).
        limit: Query<Option<u32>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Listed<LedgerPage>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let found = self.app.my_ledger(&caller, page).await?;
        let next_cursor = found.next_after.map(encode_cursor);
        let link = next_link(req, next_cursor.as_deref());
        let items = found.items.iter().map(LedgerEntryDto::from).collect();
        Ok(Listed::Ok(Json(LedgerPage { items, next_cursor }), link))
    }

    /// Grant or deduct points (admin)
    ///
    /// Honours `Idempotency-Key`: the same key and body replays the first response; the
    /// same key with another body is 422 `idempotency.key_reused`; while the first is in
    /// flight, 409 `idempotency.in_flight`. Keys are kept 24 hours. A deduction larger
    /// than the balance is 409 `wallet.insufficient_points`.
    #[oai(
        path = "/admin/users/:id/wallet/adjustments",
        method = "post",
        operation_id = "adminAdjustWallet"
    )]
    async fn adjust(
        &self,
        caller: Caller,
        id: Path<Uuid>,
        /// A unique key per intended adjustment (1–255 visible ASCII characters).
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<AdjustmentRequest>,
    ) -> ApiResult<AdjustmentCreated> {
        let b = body.0;
        let key = idempotency_key.0.map(check_key).transpose()?;
        let direction = match b.direction {
            DirectionDto::Grant => AdjustmentDirection::Grant,
            DirectionDto::Deduct => AdjustmentDirection::Deduct,
        };
        let adjustment = Adjustment::new(direction, b.points, &b.reason).map_err(|e| {
            let field = if matches!(e, AdjustmentError::Reason) {
                "reason"
            } else {
                "points"
            };
            ApiError::from(lyceum_app::AppError::invalid(field, e.to_string()))
        })?;
        let fingerprint = format!("{}|{:?}|{}|{}", id.0, b.direction, b.points, b.reason);
        let result = self
            .app
            .admin_adjust_wallet(&caller, id.0, adjustment, key.map(|k| (k, fingerprint)))
            .await?;
        let location = format!(
            "/api/v1/admin/users/{}/wallet/adjustments/{}",
            id.0, result.entry.id
        );
        Ok(AdjustmentCreated::Created(
            Json(LedgerEntryDto::from(&result.entry)),
            location,
            result.replayed.then(|| "true".to_owned()),
        ))
    }
}

fn check_key(key: String) -> Result<String, ApiError> {
    if key.is_empty() || key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::of(
            &crate::errors::IDEMPOTENCY_INVALID_KEY,
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(key)
}
