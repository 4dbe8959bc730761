//! Sign-up, sign-in, token rotation, sign-out, email verification, password recovery.

use lyceum_app::Lyceum;
use poem::Request;
use poem_openapi::OpenApi;
use poem_openapi::payload::Json;

use super::dto::*;
use crate::ApiTags;
use crate::problem::ApiResult;
use crate::responses::{Accepted, Created, NoContent};
use crate::security::{Caller, client_info};

/// Authentication operations.
pub struct AuthApi {
    /// The application.
    pub app: Lyceum,
}

#[OpenApi(prefix_path = "/api/v1/auth", tag = "ApiTags::Identity")]
impl AuthApi {
    /// Sign up
    ///
    /// Creates a learner or mentor account with an empty profile and a wallet at zero,
    /// and mails an email verification code. Every invalid field is listed in the 422.
    #[oai(path = "/register", method = "post", operation_id = "register")]
    async fn register(&self, body: Json<RegistrationIn>) -> ApiResult<Created<UserOut>> {
        let user = self.app.register(body.0.into()).await?;
        Ok(Created::Created(
            Json(UserOut::from(&user)),
            format!("/api/v1/users/{}", user.id),
        ))
    }

    /// Sign in
    ///
    /// `login` is the email or the username. Five consecutive failures lock the account
    /// for fifteen minutes (403 `auth.account_locked`); banned accounts get 403
    /// `auth.banned`.
    #[oai(path = "/login", method = "post", operation_id = "login")]
    async fn login(&self, req: &Request, body: Json<LoginIn>) -> ApiResult<Json<TokenPairOut>> {
        let pair = self
            .app
            .login(&body.0.login, &body.0.password, client_info(req))
            .await?;
        Ok(Json(pair.into()))
    }

    /// Rotate tokens
    ///
    /// Returns a new pair; the presented refresh token stops working. Presenting an
    /// already-rotated refresh token revokes its whole session.
    #[oai(path = "/refresh", method = "post", operation_id = "refreshTokens")]
    async fn refresh(&self, body: Json<RefreshIn>) -> ApiResult<Json<TokenPairOut>> {
        Ok(Json(self.app.refresh(&body.0.refresh_token).await?.into()))
    }

    /// Sign out
    ///
    /// Ends the session of the access token; its refresh token stops working too.
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(&self, caller: Caller) -> ApiResult<NoContent> {
        self.app.logout(&caller).await?;
        Ok(NoContent::NoContent)
    }

    /// Verify my email
    ///
    /// Confirms the email address with the code from the verification mail (single use).
    #[oai(path = "/email/verify", method = "post", operation_id = "verifyEmail")]
    async fn verify_email(&self, body: Json<EmailVerificationIn>) -> ApiResult<NoContent> {
        self.app.verify_email(&body.0.token).await?;
        Ok(NoContent::NoContent)
    }

    /// Resend the verification mail
    #[oai(
        path = "/email/verification",
        method = "post",
        operation_id = "resendEmailVerification"
    )]
    async fn resend_verification(&self, caller: Caller) -> ApiResult<Accepted> {
        self.app.resend_email_verification(&caller).await?;
        Ok(Accepted::Accepted)
    }

    /// Forgot my password
    ///
    /// Mails a reset code if an account has this email. The answer is the same whether
    /// or not it does.
    #[oai(
        path = "/password/forgot",
        method = "post",
        operation_id = "forgotPassword"
    )]
    async fn forgot_password(&self, body: Json<PasswordForgotIn>) -> ApiResult<Accepted> {
        self.app.forgot_password(&body.0.email).await?;
        Ok(Accepted::Accepted)
    }

    /// Reset my password
    ///
    /// Sets a new password with the code from the reset mail and signs the account out
    /// on every device.
    #[oai(
        path = "/password/reset",
        method = "post",
        operation_id = "resetPassword"
    )]
    async fn reset_password(&self, body: Json<PasswordResetIn>) -> ApiResult<NoContent> {
        self.app
            .reset_password(&body.0.token, &body.0.new_password)
            .await?;
        Ok(NoContent::NoContent)
    }
}
