//! argon2id password hashing, JWT access tokens and opaque secrets.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{
    DecodingKey, EncodingKey, Header, Validation, decode, encode, errors::ErrorKind,
};
use lyceum_domain::identity::{Password, Roles};
use lyceum_ports::system::{
    AccessClaims, AccessTokens, CryptoError, IssuedAccessToken, MintedSecret, PasswordHasher,
    SecretMinter, TokenError,
};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tokio::sync::Semaphore;
use uuid::Uuid;

/// argon2id with the OWASP parameters (19 MiB, 2 iterations, 1 lane). Hashing runs on
/// blocking threads behind a semaphore, so a flood of sign-ins waits its turn instead of
/// starving every other request of CPU.
#[derive(Clone)]
pub struct Argon2Hasher {
    argon2: Arc<Argon2<'static>>,
    permits: Arc<Semaphore>,
    dummy_hash: Arc<String>,
}

impl Argon2Hasher {
    /// A hasher allowing `concurrency` hashes at a time. Computes the dummy hash that
    /// unknown logins are verified against, so they cost the same as a wrong password.
    pub fn new(concurrency: usize) -> Result<Self, CryptoError> {
        let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| CryptoError(e.to_string()))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::generate(&mut OsRng);
        let dummy = argon2
            .hash_password(Uuid::now_v7().to_string().as_bytes(), &salt)
            .map_err(|e| CryptoError(e.to_string()))?
            .to_string();
        Ok(Self {
            argon2: Arc::new(argon2),
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy_hash: Arc::new(dummy),
        })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Argon2<'static>) -> T + Send + 'static,
    ) -> Result<T, CryptoError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| CryptoError(e.to_string()))?;
        let argon2 = self.argon2.clone();
        tokio::task::spawn_blocking(move || work(&argon2))
            .await
            .map_err(|e| CryptoError(e.to_string()))
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> Result<String, CryptoError> {
        let secret = password.expose().to_owned();
        self.blocking(move |argon2| {
            let salt = SaltString::generate(&mut OsRng);
            argon2
                .hash_password(secret.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| CryptoError(e.to_string()))
        })
        .await?
    }

    async fn verify(&self, candidate: &str, hash: Option<String>) -> Result<bool, CryptoError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.as_str().to_owned());
        let candidate = candidate.to_owned();
        let matches = self
            .blocking(move |argon2| match PasswordHash::new(&hash) {
                Ok(parsed) => argon2
                    .verify_password(candidate.as_bytes(), &parsed)
                    .is_ok(),
                Err(_) => false,
            })
            .await?;
        Ok(known && matches)
    }
}

/// What access tokens are signed and checked with.
#[derive(Clone)]
pub struct JwtSettings {
    /// HMAC secret; never printed (see `config`).
    pub secret: SecretString,
    /// `iss` claim.
    pub issuer: String,
    /// `aud` claim.
    pub audience: String,
    /// Lifetime in seconds.
    pub ttl_seconds: i64,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Claims {
    sub: Uuid,
    sid: Uuid,
    roles: Vec<String>,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
    jti: Uuid,
}

/// HS256 JWTs. Verification is strict: the one algorithm, the signature, `exp`, `iss`
/// and `aud` are all required, with no leeway beyond a few seconds of clock skew.
#[derive(Clone)]
pub struct JwtAccessTokens {
    settings: JwtSettings,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtAccessTokens {
    /// Prepares keys and the validation rules.
    pub fn new(settings: JwtSettings) -> Self {
        let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.set_issuer(&[settings.issuer.as_str()]);
        validation.set_audience(&[settings.audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(settings.secret.expose_secret().as_bytes()),
            decoding: DecodingKey::from_secret(settings.secret.expose_secret().as_bytes()),
            validation,
            settings,
        }
    }
}

impl AccessTokens for JwtAccessTokens {
    fn issue(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        roles: &Roles,
        now: OffsetDateTime,
    ) -> Result<IssuedAccessToken, TokenError> {
        let claims = Claims {
            sub: user_id,
            sid: session_id,
            roles: roles.iter().map(|r| r.as_str().to_owned()).collect(),
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            iat: now.unix_timestamp(),
            exp: now.unix_timestamp() + self.settings.ttl_seconds,
            jti: Uuid::now_v7(),
        };
        let token = encode(
            &Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &self.encoding,
        )
        .map_err(|e| TokenError::Crypto(CryptoError(e.to_string())))?;
        Ok(IssuedAccessToken {
            token,
            expires_in: self.settings.ttl_seconds,
        })
    }

    fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let data =
            decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
                match e.kind() {
                    ErrorKind::ExpiredSignature => TokenError::Expired,
                    _ => TokenError::Invalid,
                }
            })?;
        let c = data.claims;
        let roles = Roles::from_csv(&c.roles.join(",")).map_err(|_| TokenError::Invalid)?;
        let expires_at =
            OffsetDateTime::from_unix_timestamp(c.exp).map_err(|_| TokenError::Invalid)?;
        Ok(AccessClaims {
            user_id: c.sub,
            session_id: c.sid,
            roles,
            expires_at,
        })
    }
}

/// 256-bit random secrets, stored as SHA-256 digests. A fast hash is right here: the
/// secrets are random, so there is nothing to brute-force.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sha256Secrets;

impl SecretMinter for Sha256Secrets {
    fn mint(&self) -> MintedSecret {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let plain = URL_SAFE_NO_PAD.encode(bytes);
        let digest = self.digest(&plain);
        MintedSecret { plain, digest }
    }

    fn digest(&self, plain: &str) -> String {
        Sha256::digest(plain.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lyceum_domain::identity::Role;

    fn tokens(secret: &str, audience: &str) -> JwtAccessTokens {
        JwtAccessTokens::new(JwtSettings {
            secret: secret.into(),
            issuer: "lyceum".into(),
            audience: audience.into(),
            ttl_seconds: 900,
        })
    }

    #[test]
    fn access_token_round_trips() {
        let t = tokens("secret-secret-secret-secret-secret", "lyceum-api");
        let (user, session) = (Uuid::now_v7(), Uuid::now_v7());
        let issued = t
            .issue(
                user,
                session,
                &Roles::single(Role::Mentor),
                OffsetDateTime::now_utc(),
            )
            .unwrap();
        let claims = t.verify(&issued.token).unwrap();
        assert_eq!((claims.user_id, claims.session_id), (user, session));
        assert!(claims.roles.has(Role::Mentor));
    }

    #[test]
    fn tokens_with_another_key_audience_or_in_the_past_are_refused() {
        let t = tokens("secret-secret-secret-secret-secret", "lyceum-api");
        let now = OffsetDateTime::now_utc();
        let other_key = tokens("another-secret-another-secret-xx", "lyceum-api")
            .issue(Uuid::nil(), Uuid::nil(), &Roles::default(), now)
            .unwrap();
        assert_eq!(t.verify(&other_key.token), Err(TokenError::Invalid));
        let other_aud = tokens("secret-secret-secret-secret-secret", "elsewhere")
            .issue(Uuid::nil(), Uuid::nil(), &Roles::default(), now)
            .unwrap();
        assert_eq!(t.verify(&other_aud.token), Err(TokenError::Invalid));
        let old = t
            .issue(
                Uuid::nil(),
                Uuid::nil(),
                &Roles::default(),
                now - time::Duration::hours(1),
            )
            .unwrap();
        assert_eq!(t.verify(&old.token), Err(TokenError::Expired));
    }

    #[test]
    fn unsigned_tokens_are_refused() {
        // {"alg":"none"} header with valid-looking claims and no signature.
        let t = tokens("secret-secret-secret-secret-secret", "lyceum-api");
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let exp = OffsetDateTime::now_utc().unix_timestamp() + 600;
        let body = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"{0}","sid":"{0}","roles":["admin"],"iss":"lyceum","aud":"lyceum-api","iat":0,"exp":{exp},"jti":"{0}"}}"#,
            Uuid::nil()
        ));
        assert_eq!(
            t.verify(&format!("{header}.{body}.")),
            Err(TokenError::Invalid)
        );
    }

    #[tokio::test]
    async fn password_hash_verifies_only_the_right_password_and_unknown_users_never_match() {
        let hasher = Argon2Hasher::new(2).unwrap();
        let hash = hasher
            .hash(&Password::parse("Secret123").unwrap())
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            hasher
                .verify("Secret123", Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(!hasher.verify("Secret124", Some(hash)).await.unwrap());
        assert!(!hasher.verify("Secret123", None).await.unwrap());
    }

    #[test]
    fn secrets_are_unique_and_digests_stable() {
        let s = Sha256Secrets;
        let (a, b) = (s.mint(), s.mint());
        assert_ne!(a.plain, b.plain);
        assert_eq!(s.digest(&a.plain), a.digest);
        assert_eq!(a.digest.len(), 64);
    }
}
