//! HTTP operations of the wallet context (tag `Wallet`): my balance and ledger, and admin
//! grants and deductions with `Idempotency-Key`.

use lyceum_app::idempotency::Keyed;
use lyceum_app::{AdjustmentResult, AppError, Lyceum};
use lyceum_domain::wallet::{Adjustment, AdjustmentError};
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use crate::ApiTags;
use crate::idempotency::{Replayable, render_with, reply};
use crate::pagination::{listed, page_request};
use crate::problem::ApiResult;
use crate::responses::Listed;
use crate::security::Caller;
use crate::shared::{LedgerEntryOut, LedgerPage, WalletOut, idempotency_key};

/// Grant or deduct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    rename_all = "lowercase",
    remote = "lyceum_domain::wallet::AdjustmentDirection"
)]
pub enum AdjustmentDirection {
    /// Add points.
    Grant,
    /// Remove points.
    Deduct,
}

/// An admin adjustment.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct AdjustmentIn {
    /// `grant` or `deduct`.
    pub direction: AdjustmentDirection,
    /// How many points, at least 1.
    #[oai(validator(minimum(value = "1")))]
    pub points: i64,
    /// Why (shown to the wallet owner), 1–500 characters.
    #[oai(validator(
        max_length = 500,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
    ))]
    pub reason: String,
}

impl AdjustmentIn {
    /// What makes two requests for the same wallet "the same body" for idempotency.
    fn fingerprint(&self, user_id: Uuid) -> String {
        format!(
            "{}|{:?}|{}|{}",
            user_id, self.direction, self.points, self.reason
        )
    }
}

impl TryFrom<AdjustmentIn> for Adjustment {
    type Error = AppError;

    fn try_from(b: AdjustmentIn) -> Result<Self, AppError> {
        Adjustment::new(b.direction.into(), b.points, &b.reason).map_err(|e| {
            let field = if matches!(
                e,
                AdjustmentError::EmptyReason
                    | AdjustmentError::LongReason
                    | AdjustmentError::ReasonCharacters(_)
            ) {
                "reason"
            } else {
                "points"
            };
            AppError::rejected(field, e)
        })
    }
}

/// The adjustment was applied, or replayed from an earlier identical request.
#[derive(ApiResponse)]
pub enum AdjustmentCreated {
    /// Applied (or the first response again, with `Idempotent-Replayed: true`).
    #[oai(status = 201)]
    Created(
        Json<LedgerEntryOut>,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

impl AdjustmentCreated {
    /// The 201 for `result`; `replayed` marks an entry given again from the ledger.
    fn of(user_id: Uuid, result: &AdjustmentResult, replayed: bool) -> Self {
        let location = format!(
            "/api/v1/admin/users/{user_id}/wallet/adjustments/{}",
            result.entry.id
        );
        Self::Created(
            Json(LedgerEntryOut::from(&result.entry)),
            location,
            replayed.then(|| "true".to_owned()),
        )
    }
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
    async fn my_wallet(&self, caller: Caller) -> ApiResult<Json<WalletOut>> {
        Ok(Json(WalletOut::from(&self.app.my_wallet(&caller).await?)))
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
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Listed<LedgerPage>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let found = self.app.my_ledger(&caller, page).await?;
        Ok(listed::<LedgerPage, _>(req, found))
    }

    /// Grant or deduct points (admin)
    ///
    /// A deduction larger than the balance is 409 `wallet.insufficient_points`.
    ///
    /// Honours `Idempotency-Key`: the same key and body gets the first final answer again,
    /// with `Idempotent-Replayed: true` — the 201 as first sent, or the refusal (409
    /// `wallet.insufficient_points`, 404, 403) even once points have arrived — and changes
    /// nothing. A 400 or 422 about the request itself and a 5xx are not kept: a retry runs
    /// again. The same key with another body is 422 `idempotency.key_reused`; while the
    /// first is in flight, 409 `idempotency.in_flight`. Keys are kept 24 hours.
    #[oai(
        path = "/admin/users/:id/wallet/adjustments",
        method = "post",
        operation_id = "adminAdjustWallet"
    )]
    async fn adjust(
        &self,
        caller: Caller,
        /// The wallet owner's account id.
        id: Path<Uuid>,
        /// A unique key per intended adjustment (1–255 visible ASCII characters): for 24
        /// hours, the same key and body get the first final answer again, success or
        /// refusal.
        #[oai(name = "Idempotency-Key")]
        idempotency_key_header: Header<Option<String>>,
        body: Json<AdjustmentIn>,
    ) -> ApiResult<Replayable<AdjustmentCreated>> {
        let user_id = id.0;
        let idempotency =
            idempotency_key(idempotency_key_header.0, || body.0.fingerprint(user_id))?;
        let adjustment = body.0.try_into()?;
        let render = render_with(|result| AdjustmentCreated::of(user_id, result, false));
        let keyed = idempotency.map(|request| Keyed {
            request,
            render: &render,
        });
        let replied = self
            .app
            .admin_adjust_wallet(&caller, user_id, adjustment, keyed)
            .await?;
        reply(replied, |result| {
            AdjustmentCreated::of(user_id, &result, result.replayed)
        })
    }
}
