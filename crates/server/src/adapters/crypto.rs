//! argon2id password hashing, JWT access tokens and opaque secrets.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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
///
/// Each hash needs its parameters' worth of memory (19 MiB here). Allocating it per hash
/// made the allocator keep every freed block around, on whichever thread last used it:
/// resident memory grew by hundreds of megabytes under sign-in load and never came back.
/// So the memory is allocated once per permit and reused: a pool of at most `concurrency`
/// buffers, taken with the permit and returned when the hash is done.
///
/// Hashes run on threads of their own, one per permit, at a lower scheduling priority
/// (nice [`HASH_THREAD_NICE`] on Linux): a sign-in flood then uses the CPU that other
/// requests leave, instead of taking a core from them (docs/performance.md, login flood).
/// Under a load that takes every core, sign-ins slow down first.
#[derive(Clone)]
pub struct Argon2Hasher {
    params: Params,
    permits: Arc<Semaphore>,
    memory: Arc<MemoryPool>,
    threads: HashThreads,
    dummy_hash: Arc<String>,
}

/// The nice value of the hashing threads, the lowest there is: when a hashing thread and a
/// request thread want the same core, the scheduler weighs the hash about 1/70 of the
/// request (without ever starving it). Measured with `make bench`'s login flood: discovery's
/// p99 rose ×3.8 during the flood at nice 19, ×8.5 at nice 10, ×12.8 on tokio's blocking
/// threads at nice 0.
pub const HASH_THREAD_NICE: i32 = 19;

type HashJob = Box<dyn FnOnce() + Send>;

/// The hashing threads: as many as permits, fed through one channel. They end when the
/// last clone of the hasher is dropped (the channel closes).
#[derive(Clone)]
struct HashThreads {
    jobs: mpsc::Sender<HashJob>,
}

impl HashThreads {
    fn start(count: usize) -> Result<Self, CryptoError> {
        let (jobs, queue) = mpsc::channel::<HashJob>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..count {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("lyceum-argon2-{i}"))
                .spawn(move || {
                    lower_this_thread_priority();
                    loop {
                        let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .map_err(|e| CryptoError(format!("cannot start a hashing thread: {e}")))?;
        }
        Ok(Self { jobs })
    }

    /// Runs `job` on a hashing thread and waits for its result without blocking the
    /// runtime. A job that panics drops its sender: that is an error, not a hang.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, CryptoError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                if let Ok(result) = result {
                    let _ = tx.send(result);
                }
            }))
            .map_err(|_| CryptoError("the hashing threads have stopped".into()))?;
        rx.await
            .map_err(|_| CryptoError("a password hash failed on its thread".into()))
    }
}

/// Lowers the calling thread's scheduling priority to [`HASH_THREAD_NICE`]. On Linux the
/// nice value belongs to the thread, so only this thread is affected; elsewhere it would
/// be the whole process, so nothing is changed. A failure is logged, never fatal.
fn lower_this_thread_priority() {
    #[cfg(target_os = "linux")]
    if let Err(error) =
        rustix::process::setpriority_process(Some(rustix::thread::gettid()), HASH_THREAD_NICE)
    {
        tracing::warn!(%error, "cannot lower the priority of a password-hashing thread");
    }
}

/// The reusable argon2 working memory. Only a holder of a hashing permit takes a buffer,
/// so there are never more buffers than permits.
#[derive(Default)]
struct MemoryPool {
    free: Mutex<Vec<Vec<Block>>>,
    allocated: AtomicUsize,
}

impl MemoryPool {
    fn take(self: &Arc<Self>) -> PooledMemory {
        let reused = self
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let blocks = reused.unwrap_or_else(|| {
            self.allocated.fetch_add(1, Ordering::Relaxed);
            Vec::new()
        });
        PooledMemory {
            blocks,
            pool: self.clone(),
        }
    }
}

/// A buffer lent by the pool; it goes back when dropped, also when hashing panicked.
struct PooledMemory {
    blocks: Vec<Block>,
    pool: Arc<MemoryPool>,
}

impl PooledMemory {
    /// At least `count` blocks. A stored hash made with more memory than the current
    /// parameters grows the buffer once; it is kept at that size.
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.blocks.len() < count {
            self.blocks.resize(count, Block::default());
        }
        &mut self.blocks[..count]
    }
}

impl Drop for PooledMemory {
    fn drop(&mut self) {
        let blocks = std::mem::take(&mut self.blocks);
        self.pool
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(blocks);
    }
}

/// The argon2 variants a stored hash may name, by PHC identifier.
fn algorithm_of(hash: &PasswordHash<'_>) -> Option<Algorithm> {
    Algorithm::new(hash.algorithm.as_str()).ok()
}

/// A PHC string for `password` under `params`, with a fresh random salt, computed in
/// `memory`.
fn hash_with(
    params: &Params,
    password: &[u8],
    memory: &mut PooledMemory,
) -> Result<String, CryptoError> {
    let crypto = |e: &dyn std::fmt::Display| CryptoError(e.to_string());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(|e| crypto(&e))?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2
        .hash_password_into_with_memory(
            password,
            salt_bytes,
            &mut out,
            memory.blocks(params.block_count()),
        )
        .map_err(|e| crypto(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: params.try_into().map_err(|e| crypto(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| crypto(&e))?),
    };
    Ok(hash.to_string())
}

/// Whether `candidate` matches the PHC string `stored`, under the algorithm, version and
/// parameters the string names (hashes made with other parameters keep verifying).
/// Anything unreadable is a mismatch; the comparison is constant-time ([`Output`]'s).
fn verify_with(stored: &str, candidate: &[u8], memory: &mut PooledMemory) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(algorithm), Some(expected), Some(salt)) =
        (algorithm_of(&parsed), parsed.hash, parsed.salt)
    else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    if argon2
        .hash_password_into_with_memory(
            candidate,
            salt_bytes,
            &mut out,
            memory.blocks(params.block_count()),
        )
        .is_err()
    {
        return false;
    }
    Output::new(&out).is_ok_and(|computed| computed == expected)
}

impl Argon2Hasher {
    /// A hasher allowing `concurrency` hashes at a time. Computes the dummy hash that
    /// unknown logins are verified against, so they cost the same as a wrong password.
    pub fn new(concurrency: usize) -> Result<Self, CryptoError> {
        let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| CryptoError(e.to_string()))?;
        let memory = Arc::new(MemoryPool::default());
        let dummy = hash_with(
            &params,
            Uuid::now_v7().to_string().as_bytes(),
            &mut memory.take(),
        )?;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            memory,
            threads: HashThreads::start(concurrency.max(1))?,
            dummy_hash: Arc::new(dummy),
        })
    }

    /// How many working-memory buffers exist (never more than `concurrency`).
    pub fn memory_buffers(&self) -> usize {
        self.memory.allocated.load(Ordering::Relaxed)
    }

    /// Runs `work` on a hashing thread with a permit and a pooled buffer. Both move into
    /// the job, so a request that goes away while its hash runs does not free the permit
    /// (and so let one more hash, with one more buffer, start) early.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut PooledMemory) -> T + Send + 'static,
    ) -> Result<T, CryptoError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| CryptoError(e.to_string()))?;
        let memory = self.memory.clone();
        self.threads
            .run(move || {
                let mut buffer = memory.take();
                let result = work(&mut buffer);
                drop(buffer);
                drop(permit);
                result
            })
            .await
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> Result<String, CryptoError> {
        let secret = password.expose().to_owned();
        let params = self.params.clone();
        self.blocking(move |memory| hash_with(&params, secret.as_bytes(), memory))
            .await?
    }

    async fn verify(&self, candidate: &str, hash: Option<String>) -> Result<bool, CryptoError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.as_str().to_owned());
        let candidate = candidate.to_owned();
        let matches = self
            .blocking(move |memory| verify_with(&hash, candidate.as_bytes(), memory))
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

    #[tokio::test]
    async fn hashes_run_on_threads_of_lower_priority() {
        let hasher = Argon2Hasher::new(1).unwrap();
        let (name, nice) = hasher
            .threads
            .run(|| {
                let name = std::thread::current().name().map(str::to_owned);
                (
                    name,
                    rustix::process::getpriority_process(Some(rustix::thread::gettid())),
                )
            })
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some("lyceum-argon2-0"));
        #[cfg(target_os = "linux")]
        assert_eq!(nice.unwrap(), HASH_THREAD_NICE);
        let mine = rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap();
        assert!(
            mine < HASH_THREAD_NICE,
            "the calling thread keeps its priority"
        );
        let password = Password::parse("Secret123").unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        assert!(hasher.verify("Secret123", Some(hash)).await.unwrap());
    }

    #[tokio::test]
    async fn a_hash_that_panics_is_an_error_and_the_threads_keep_working() {
        let hasher = Argon2Hasher::new(1).unwrap();
        let failed = hasher.threads.run(|| -> u8 { panic!("boom") }).await;
        assert!(failed.is_err());
        assert_eq!(hasher.threads.run(|| 7).await.unwrap(), 7);
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

    fn stock() -> Argon2<'static> {
        Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(19 * 1024, 2, 1, None).unwrap(),
        )
    }

    #[tokio::test]
    async fn pooled_hashes_and_the_stock_argon2_api_verify_each_other() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let hasher = Argon2Hasher::new(2).unwrap();
        let pooled = hasher
            .hash(&Password::parse("Secret123").unwrap())
            .await
            .unwrap();
        let parsed = PasswordHash::new(&pooled).unwrap();
        assert!(stock().verify_password(b"Secret123", &parsed).is_ok());
        assert!(stock().verify_password(b"Secret124", &parsed).is_err());

        let salt = SaltString::generate(&mut OsRng);
        let made_by_stock = stock()
            .hash_password(b"Secret123", &salt)
            .unwrap()
            .to_string();
        assert!(
            hasher
                .verify("Secret123", Some(made_by_stock.clone()))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("secret123", Some(made_by_stock))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn hashes_made_with_other_parameters_still_verify() {
        use argon2::password_hash::PasswordHasher as _;
        let hasher = Argon2Hasher::new(1).unwrap();
        for (m_cost, t_cost, p_cost, algorithm, version) in [
            (8 * 1024, 3, 2, Algorithm::Argon2id, Version::V0x13),
            (32 * 1024, 1, 1, Algorithm::Argon2id, Version::V0x13),
            (4 * 1024, 2, 1, Algorithm::Argon2i, Version::V0x13),
            (4 * 1024, 2, 1, Algorithm::Argon2d, Version::V0x10),
        ] {
            let params = Params::new(m_cost, t_cost, p_cost, Some(24)).unwrap();
            let old = Argon2::new(algorithm, version, params)
                .hash_password(b"Secret123", &SaltString::generate(&mut OsRng))
                .unwrap()
                .to_string();
            assert!(
                hasher.verify("Secret123", Some(old.clone())).await.unwrap(),
                "{old}"
            );
            assert!(
                !hasher.verify("Secret12", Some(old.clone())).await.unwrap(),
                "{old}"
            );
        }
        // The pool grew its one buffer for the larger hash instead of adding buffers.
        assert_eq!(hasher.memory_buffers(), 1);
        for broken in [
            "",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            "$bcrypt$whatever",
            "plain",
        ] {
            assert!(
                !hasher
                    .verify("Secret123", Some(broken.into()))
                    .await
                    .unwrap()
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_hashes_never_hold_more_buffers_than_permits() {
        let hasher = Argon2Hasher::new(2).unwrap();
        let password = Password::parse("Secret123").unwrap();
        // Requests that go away while hashing keep their permit until the hash is done.
        for _ in 0..6 {
            let _ =
                tokio::time::timeout(std::time::Duration::from_millis(1), hasher.hash(&password))
                    .await;
        }
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let hasher = hasher.clone();
                let password = password.clone();
                tokio::spawn(async move {
                    if i % 2 == 0 {
                        hasher.hash(&password).await.map(|_| ())
                    } else {
                        hasher.verify("Secret123", None).await.map(|_| ())
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert!(
            (1..=2).contains(&hasher.memory_buffers()),
            "{} buffers for 2 permits",
            hasher.memory_buffers()
        );
    }

    /// Resident memory of this process, in KiB.
    fn rss_kib() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .unwrap()
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    /// CPU time (user and system) this process has used, in milliseconds.
    fn cpu_ms() -> u64 {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
        // Fields after the command name, which is in parentheses: utime is the 12th and
        // stime the 13th, in clock ticks (100 per second on Linux).
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<u64> = rest
            .split_whitespace()
            .skip(11)
            .take(2)
            .map(|f| f.parse().unwrap())
            .collect();
        (fields[0] + fields[1]) * 10
    }

    /// Resident memory and time per hash over 3,000 hashes at concurrency 2, through the
    /// pool or (`LYCEUM_MEASURE_STOCK=1`) argon2's own allocating API as before. Run one
    /// per process, in release: `cargo test --release -p lyceum-server measure_ --
    /// --ignored --nocapture`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    #[ignore = "a measurement, not a check"]
    async fn measure_rss_and_time_per_hash() {
        use argon2::password_hash::PasswordHasher as _;
        let stock_api = std::env::var("LYCEUM_MEASURE_STOCK").is_ok();
        let hasher = Argon2Hasher::new(2).unwrap();
        let before = rss_kib();
        let cpu_before = cpu_ms();
        let started = std::time::Instant::now();
        let total = 3_000;
        let tasks: Vec<_> = (0..total)
            .map(|_| {
                let hasher = hasher.clone();
                tokio::spawn(async move {
                    if stock_api {
                        let _permit = hasher.permits.acquire().await.unwrap();
                        tokio::task::spawn_blocking(|| {
                            stock()
                                .hash_password(b"Secret123", &SaltString::generate(&mut OsRng))
                                .map(|h| h.to_string())
                                .unwrap()
                        })
                        .await
                        .unwrap();
                    } else {
                        hasher
                            .hash(&Password::parse("Secret123").unwrap())
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let elapsed = started.elapsed();
        let cpu = cpu_ms() - cpu_before;
        eprintln!(
            "{}: RSS {} MiB before, {} MiB after {total} hashes; per hash {:.1} ms wall \
             (concurrency 2), {:.1} ms CPU; {} pooled buffers",
            if stock_api { "stock" } else { "pooled" },
            before / 1024,
            rss_kib() / 1024,
            elapsed.as_secs_f64() * 1000.0 / f64::from(total),
            cpu as f64 / f64::from(total),
            hasher.memory_buffers()
        );
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
