//! The bearer security scheme. It documents the scheme (Swagger UI's "Authorize" button,
//! generated clients) and, through its checker, yields the signed-in caller: a handler
//! that needs one takes a [`Caller`] argument and never authenticates by hand.

use std::ops::Deref;

use lyceum_app::Lyceum;
use lyceum_app::identity::{Actor, ClientInfo};
use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use crate::middleware::ClientIp;
use crate::problem::ApiError;

/// Who is calling: the account behind a valid access token, loaded from the database on
/// every request, so a revoked session, a ban or a changed role takes effect at once.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The caller as the use cases know it.
    pub actor: Actor,
    /// The access token it came with; a live stream re-checks it while it runs.
    pub token: String,
}

/// A JWT access token from `POST /api/v1/auth/login`, sent as `Authorization: Bearer …`.
/// Taking a `Caller` makes an operation require it; a missing or invalid token is a 401
/// problem before the handler runs.
#[derive(SecurityScheme)]
#[oai(
    rename = "BearerAuth",
    ty = "bearer",
    bearer_format = "JWT",
    checker = "authenticate"
)]
pub struct Caller(pub SignedIn);

impl Deref for Caller {
    type Target = Actor;

    fn deref(&self) -> &Actor {
        &self.0.actor
    }
}

impl Caller {
    /// The access token the caller presented.
    pub fn access_token(&self) -> &str {
        &self.0.token
    }
}

/// The scheme's checker: the token alone is never trusted for roles or liveness.
async fn authenticate(req: &Request, bearer: Bearer) -> poem::Result<SignedIn> {
    let Some(app) = req.data::<Lyceum>() else {
        tracing::error!("the application is not attached to the request");
        return Err(ApiError::internal().into());
    };
    match app.authenticate(&bearer.token).await {
        Ok(actor) => Ok(SignedIn {
            actor,
            token: bearer.token,
        }),
        Err(error) => Err(ApiError::from(error).into()),
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
