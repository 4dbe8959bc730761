//! Stripe's idempotency semantics for the commands that honour `Idempotency-Key`
//! (booking a seat, adjusting a wallet): the same key with the same request gets the first
//! request's final answer again, whatever it was — the resource it created, as it was
//! then, or the refusal it met, even once the refusal's cause is gone. Without this, a
//! refused request could be retried into success after the fact (a deduction refused for
//! insufficient points applied once points arrive), which is exactly what a client that
//! retries blindly must never see.
//!
//! The answer is rendered by the adapter that gives it (`render`) and kept opaque here, so
//! that no transport's wording enters the application. A command's effect and its key are
//! stored in the effect's transaction (by the repository the command writes through); the
//! rendered answer is stored right after. A refusal changes nothing, so it is recorded on
//! its own, with its answer, before the answer is given: if that cannot be done, the
//! answer is not given either (503), since a retry could then contradict it.

use std::future::Future;
use std::pin::Pin;

use lyceum_ports::RepoError;
use lyceum_ports::idempotency::{IdempotencyClaim, IdempotentRequest, Remembered, StoredResponse};

use crate::identity::IdentityError;
use crate::mentoring::MentoringError;
use crate::{AppError, IdempotencyError, Lyceum};

/// The adapter's rendering of an answer, ready to store.
pub type Rendering = Pin<Box<dyn Future<Output = Result<StoredResponse, AppError>> + Send>>;

/// How the adapter renders a command's final outcome; it is called at most once, with the
/// outcome the client is about to get.
pub type Render<'r, T> = dyn Fn(&Result<T, AppError>) -> Rendering + Send + Sync + 'r;

/// A client's idempotency key with the adapter's way of rendering the answer to keep.
pub struct Keyed<'r, T> {
    /// The key and the fingerprint of the request it came with.
    pub request: IdempotentRequest,
    /// Renders the answer the client gets, so that a retry can get it again.
    pub render: &'r Render<'r, T>,
}

/// What a keyed command answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply<T> {
    /// The command ran now (or, when `T` says so, replayed from the resource it created).
    Fresh(T),
    /// The first request with this key answered this; nothing ran now.
    Replayed(StoredResponse),
}

impl<T> Reply<T> {
    /// The fresh result, for callers that sent no key and so can get no replay.
    pub fn fresh(self) -> Option<T> {
        match self {
            Self::Fresh(value) => Some(value),
            Self::Replayed(_) => None,
        }
    }
}

/// The key a command runs under.
pub(crate) struct Claimed {
    /// What the repository records with the effect.
    pub(crate) claim: IdempotencyClaim,
    /// The key's effect is committed already, unanswered: the command must reach the
    /// repository, which replays from the resource, even where its own checks would
    /// refuse now (a full session, a balance that moved).
    pub(crate) committed: bool,
}

impl AppError {
    /// Whether this refusal is the request's final answer, which a retry with the same key
    /// must get again: a rule or a fact the command met while processing (not allowed, not
    /// found, a business conflict, an invalid value it found). Not final — a retry runs
    /// again — are failures of the system (unavailable, internal), answers that say
    /// "retry" (the key in flight, a state that changed meanwhile, a lock that expires),
    /// and a key that cannot be honoured at all.
    pub(crate) fn is_final(&self) -> bool {
        match self {
            AppError::Validation(_)
            | AppError::Forbidden
            | AppError::NotFound(_)
            | AppError::Wallet(_) => true,
            AppError::Identity(error) => !matches!(error, IdentityError::AccountLocked { .. }),
            AppError::Mentoring(error) => !matches!(
                error,
                MentoringError::SessionChanged | MentoringError::RequestChanged
            ),
            AppError::Unauthenticated
            | AppError::StateChanged
            | AppError::Idempotency(_)
            | AppError::Unavailable(_)
            | AppError::Internal(_) => false,
        }
    }
}

impl Lyceum {
    /// The answer of the concurrent request that decided this key first: given now once it
    /// is stored; until then the client is told to retry shortly.
    async fn winners_answer<T>(&self, claim: &IdempotencyClaim) -> Result<Reply<T>, AppError> {
        match self
            .ports
            .idempotency_keys
            .recall(claim, self.ports.clock.now())
            .await?
        {
            Some(Remembered::Answer(first)) => Ok(Reply::Replayed(first)),
            Some(Remembered::Unanswered) | None => Err(IdempotencyError::InFlight.into()),
        }
    }

    /// Runs `command` under the client's key, if one was sent, scoped to `scope` (the
    /// caller and the operation, so two clients' keys never meet): a key that answered
    /// before answers the same again without running anything; otherwise the command
    /// runs with the claim, and its final answer is kept for the key.
    pub(crate) async fn once<T, Fut>(
        &self,
        scope: String,
        keyed: Option<Keyed<'_, T>>,
        command: impl FnOnce(Option<Claimed>) -> Fut,
    ) -> Result<Reply<T>, AppError>
    where
        Fut: Future<Output = Result<T, AppError>>,
    {
        let Some(Keyed { request, render }) = keyed else {
            return command(None).await.map(Reply::Fresh);
        };
        let claim = request.claim(scope);
        let keys = &self.ports.idempotency_keys;
        let committed = match keys.recall(&claim, self.ports.clock.now()).await? {
            Some(Remembered::Answer(answer)) => return Ok(Reply::Replayed(answer)),
            // The command runs, and its repository replays from the resource it created.
            Some(Remembered::Unanswered) => true,
            None => false,
        };
        let result = command(Some(Claimed {
            claim: claim.clone(),
            committed,
        }))
        .await;
        match &result {
            Ok(_) => {
                // The effect and its key are committed: the answer is the success even if
                // it cannot be stored (a retry then replays from the resource).
                let stored = match render(&result).await {
                    Ok(answer) => keys
                        .store_answer(&claim, answer.clone())
                        .await
                        .map(|on_record| (on_record != answer).then_some(on_record))
                        .map_err(AppError::from),
                    Err(error) => Err(error),
                };
                match stored {
                    // A retry that replayed from the resource raced the first request,
                    // which stored its answer first: that one is the answer.
                    Ok(Some(first)) => return Ok(Reply::Replayed(first)),
                    Ok(None) => {}
                    Err(error) => tracing::warn!(
                        %error,
                        scope = %claim.scope,
                        "the answer of an idempotent request could not be stored; a retry replays from the resource"
                    ),
                }
                result.map(Reply::Fresh)
            }
            Err(refusal) if refusal.is_final() => {
                let answer = render(&result).await?;
                let now = self.ports.clock.now();
                match keys.record_refusal(claim.clone(), answer, now).await {
                    Ok(()) => result.map(Reply::Fresh),
                    // A concurrent request with this key decided first: its answer is the
                    // key's, so this refusal is not given.
                    Err(RepoError::IdempotencyKeyInFlight) => self.winners_answer(&claim).await,
                    Err(error) => Err(error.into()),
                }
            }
            Err(AppError::Idempotency(IdempotencyError::InFlight)) => {
                self.winners_answer(&claim).await
            }
            Err(_) => result.map(Reply::Fresh),
        }
    }
}

#[cfg(test)]
mod tests;
