//! The bearer security scheme, so Swagger UI's "Authorize" button works and generated
//! clients know which operations need a token.

use lyceum_app::Lyceum;
use lyceum_app::identity::{Actor, ClientInfo};
use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use crate::middleware::ClientIp;
use crate::problem::ApiError;

/// A JWT access token from `POST /api/v1/auth/login`, sent as `Authorization: Bearer …`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT")]
pub struct BearerAuth(pub Bearer);

impl BearerAuth {
    /// Loads the caller; the token alone is never trusted for roles or liveness.
    pub async fn actor(&self, app: &Lyceum) -> Result<Actor, ApiError> {
        Ok(app.authenticate(&self.0.token).await?)
    }
}

/// Client address and user agent of a request, for sessions and login history.
pub fn client_info(req: &Request) -> ClientInfo {
    ClientInfo {
        ip: req
            .extensions()
            .get::<ClientIp>()
            .and_then(|c| c.0)
            .map(|ip| ip.to_string()),
        user_agent: req
            .header("user-agent")
            .map(|ua| ua.chars().take(512).collect()),
    }
}
