//! Lyceum's HTTP adapter: poem + poem-openapi handlers, DTOs, problem+json errors, the
//! OpenAPI document and Swagger UI. Handlers are thin: DTO → use case → DTO; statuses
//! are chosen only in [`problem`].
#![forbid(unsafe_code)]
// Every operation returns `Result<_, ApiError>`, whose variants carry a whole problem
// document; errors are the rare path, so boxing them would only add noise.
#![allow(clippy::result_large_err)]

pub mod community;
pub mod contract;
pub mod errors;
pub mod idempotency;
pub mod identity;
pub mod mentoring;
pub mod middleware;
pub mod notification_text;
pub mod pagination;
pub mod problem;
pub mod responses;
pub mod security;
pub mod shared;
pub mod wallet;

use std::sync::Arc;

use lyceum_app::Lyceum;
use poem::{Endpoint, EndpointExt, IntoResponse, Route, get, handler, web::Data};
use poem_openapi::{OpenApiService, Tags};
use tokio_util::sync::CancellationToken;

use crate::community::CommunityApi;
use crate::identity::{AccountApi, AdminApi, AuthApi, CatalogueApi};
use crate::mentoring::{
    BookingsApi, CalendarApi, MentorsApi, MessagesApi, RequestsApi, SessionsApi,
};
use crate::middleware::{Pipeline, RateLimiter};
use crate::wallet::WalletApi;

/// One tag per bounded context.
#[derive(Tags)]
pub enum ApiTags {
    /// Accounts, sign-in, profiles, specializations, certificates, billing addresses and
    /// admin moderation.
    Identity,
    /// The points wallet and its ledger.
    Wallet,
    /// Mentoring sessions, availability, bookings, mentorship requests, messages,
    /// feedback and ratings.
    Mentoring,
    /// Notifications and the live event stream.
    Community,
}

/// How the HTTP layer behaves.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Public base URL (for the OpenAPI `servers` entry).
    pub public_url: String,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// Requests per minute per client address on `/api/v1/auth/*` (0 = unlimited).
    pub auth_rate_limit_per_minute: u32,
    /// Whether a trusted proxy sets `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// Cancelled when the server starts shutting down: open live event streams end then,
    /// rather than holding the graceful drain for its whole timeout.
    pub shutdown: CancellationToken,
}

/// Checks whether the database answers, for `/readyz`.
#[async_trait::async_trait]
pub trait Readiness: Send + Sync {
    /// `Ok` when requests can be served.
    async fn ready(&self) -> Result<(), String>;
}

type Apis = (
    (AuthApi, AccountApi, CatalogueApi, AdminApi, WalletApi),
    (
        SessionsApi,
        BookingsApi,
        CalendarApi,
        RequestsApi,
        MentorsApi,
        MessagesApi,
        CommunityApi,
    ),
);
type Service = OpenApiService<Apis, ()>;

fn service(app: &Lyceum, public_url: &str, shutdown: CancellationToken) -> Service {
    let apis = (
        (
            AuthApi { app: app.clone() },
            AccountApi { app: app.clone() },
            CatalogueApi { app: app.clone() },
            AdminApi { app: app.clone() },
            WalletApi { app: app.clone() },
        ),
        (
            SessionsApi { app: app.clone() },
            BookingsApi { app: app.clone() },
            CalendarApi {
                app: app.clone(),
                public_url: public_url.to_owned(),
            },
            RequestsApi { app: app.clone() },
            MentorsApi { app: app.clone() },
            MessagesApi { app: app.clone() },
            CommunityApi {
                app: app.clone(),
                shutdown,
            },
        ),
    );
    OpenApiService::new(apis, "Lyceum API", env!("CARGO_PKG_VERSION"))
        .description(format!(
            "One API for live mentoring and self-paced learning. Errors are RFC 9457 \
             problem details with a stable `code`; lists use cursor pagination; times are \
             RFC 3339 UTC; ids are UUIDs.\n\n## Error codes\n\nEvery `code` a problem \
             can carry, with the status it always comes with:\n\n{}",
            crate::errors::markdown_table()
        ))
        .server(public_url)
}

/// The OpenAPI document, as served at `/openapi.json`.
pub fn openapi_json(app: &Lyceum, public_url: &str) -> String {
    let raw = service(app, public_url, CancellationToken::new()).spec();
    contract::published(&raw)
}

#[handler]
fn healthz() -> poem::web::Json<serde_json::Value> {
    poem::web::Json(serde_json::json!({"status": "ok"}))
}

#[handler]
async fn readyz(readiness: Data<&Arc<dyn Readiness>>) -> poem::Response {
    match readiness.ready().await {
        Ok(()) => poem::web::Json(serde_json::json!({"status": "ready"})).into_response(),
        Err(error) => {
            tracing::warn!(%error, "not ready");
            crate::problem::Problem::of(
                &crate::errors::SERVER_NOT_READY,
                "The database is not reachable.",
            )
            .into_response_with(None)
        }
    }
}

/// The whole HTTP surface: the API under `/api/v1`, `/openapi.json`, Swagger UI at
/// `/docs`, `/healthz` and `/readyz`, wrapped in the request pipeline.
pub fn routes(app: Lyceum, settings: HttpSettings, readiness: Arc<dyn Readiness>) -> impl Endpoint {
    let api = service(&app, &settings.public_url, settings.shutdown.clone());
    let raw = api.spec();
    let contract = Arc::new(contract::Contract::new(&raw));
    // Swagger UI shows the published document, not poem-openapi's raw one.
    let docs_html = api.swagger_ui_html().replace(&raw, contract.json());
    let spec_json = contract.json().to_owned();
    let spec = poem::endpoint::make_sync(move |_| {
        poem::Response::builder()
            .content_type("application/json")
            .body(spec_json.clone())
    });
    let docs = poem::endpoint::make_sync(move |_| poem::web::Html(docs_html.clone()));
    let pipeline = Arc::new(Pipeline {
        contract,
        body_limit: settings.body_limit,
        auth_limiter: Arc::new(RateLimiter::new(settings.auth_rate_limit_per_minute)),
        trust_forwarded_for: settings.trust_forwarded_for,
    });
    Route::new()
        .nest("/", api)
        .at("/openapi.json", spec)
        .nest("/docs", Route::new().at("/", docs))
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .data(readiness)
        // The security scheme's checker finds the application here to load the caller.
        .data(app)
        .with(crate::middleware::PipelineMiddleware(pipeline))
}
