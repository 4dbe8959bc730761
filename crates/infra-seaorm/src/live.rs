//! [`LiveFeed`]: live events for open streams, with one listener per process fanned out to
//! every stream of that process.
//!
//! A write that a stream must hear about announces a [`LiveEvent`] with [`announce`] on
//! the connection or transaction that made the change:
//! - on PostgreSQL, `pg_notify` on the channel [`CHANNEL`]. PostgreSQL delivers a
//!   notification only when (and if) its transaction commits, to every session listening
//!   on the database, so events reach the streams of every server process. Each process
//!   listens on one dedicated connection, outside the pool, reconnecting with backoff
//!   after a restart or a lost connection; what was announced meanwhile is not replayed
//!   by PostgreSQL, so after each (re)connection every stream is told to catch up
//!   ([`LiveSignal::CatchUp`]): it reads what it missed from its last position, once.
//! - on SQLite, an in-process channel owned by the [`Database`] (one process owns the
//!   file). The announcement is sent at once, possibly before its transaction commits;
//!   the fan-out then waits for the writer (by taking the write lock, which it gets once
//!   the announcing transaction has committed or rolled back) before it reads the row.
//!
//! The payload only routes (kind, user id, row id). The fan-out loads the row once per
//! event, and only when some stream of that user is open in this process, then hands it
//! to each of them: an open stream holds no connection and causes no query while nothing
//! happens to its user.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use lyceum_ports::RepoError;
use lyceum_ports::community::{EventFeed, EventSubscription, LiveSignal};
use sea_orm::sqlx::postgres::{PgListener, PgPoolOptions};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, EntityTrait, Select, Statement};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::community::entities::notifications;
use crate::database::{Backend, Database, unavailable};
use crate::mentoring::entities::messages;

/// The PostgreSQL notification channel of live events.
pub const CHANNEL: &str = "lyceum_live";

/// Signals a user's open streams can fall behind by before they catch up from the
/// database instead.
const PER_USER_BACKLOG: usize = 64;

/// Announcements the SQLite channel holds for a fan-out that falls behind; past that, the
/// fan-out tells every stream to catch up.
pub(crate) const IN_PROCESS_BACKLOG: usize = 1024;

/// First wait before reconnecting the listener; doubled per failed attempt.
const FIRST_RETRY: Duration = Duration::from_millis(100);
/// Longest wait between reconnection attempts. A connection that lasted longer than this
/// resets the wait.
const LAST_RETRY: Duration = Duration::from_secs(5);

/// What happened, to whom: enough to route an event to the streams of one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveEvent {
    /// A notification was stored for `user_id`.
    Notification {
        /// Its owner.
        user_id: Uuid,
        /// The notification's id.
        id: Uuid,
    },
    /// A direct message to `recipient_id` was stored.
    Message {
        /// Its addressee (the sender's streams are not told).
        recipient_id: Uuid,
        /// The message's id.
        id: Uuid,
    },
    /// Something deciding whether `user_id` may stay signed in changed: a sign-in session
    /// revoked, a ban, a role change, a deletion.
    Account {
        /// The account.
        user_id: Uuid,
    },
}

impl LiveEvent {
    /// Whose streams hear about it.
    pub fn user_id(&self) -> Uuid {
        match *self {
            LiveEvent::Notification { user_id, .. } | LiveEvent::Account { user_id } => user_id,
            LiveEvent::Message { recipient_id, .. } => recipient_id,
        }
    }

    /// The notification payload: `<kind>:<user id>[:<row id>]`, far below PostgreSQL's
    /// 8000-byte limit.
    fn payload(&self) -> String {
        match *self {
            LiveEvent::Notification { user_id, id } => format!("notification:{user_id}:{id}"),
            LiveEvent::Message { recipient_id, id } => format!("message:{recipient_id}:{id}"),
            LiveEvent::Account { user_id } => format!("account:{user_id}"),
        }
    }

    fn parse(payload: &str) -> Option<LiveEvent> {
        let mut parts = payload.split(':');
        let kind = parts.next()?;
        let user_id = Uuid::parse_str(parts.next()?).ok()?;
        let id = parts.next().map(Uuid::parse_str);
        let event = match (kind, id) {
            ("notification", Some(Ok(id))) => LiveEvent::Notification { user_id, id },
            ("message", Some(Ok(id))) => LiveEvent::Message {
                recipient_id: user_id,
                id,
            },
            ("account", None) => LiveEvent::Account { user_id },
            _ => return None,
        };
        parts.next().is_none().then_some(event)
    }
}

/// Announces `event` to the live streams of every server process, on `conn`: call it right
/// after the write it is about, on the same connection or transaction (a command's
/// transaction, for a notification stored with the command). On PostgreSQL it is a
/// `pg_notify` in that transaction, delivered when it commits and dropped when it rolls
/// back; on SQLite it goes to the in-process channel at once, and the fan-out waits for
/// the transaction to end before reading the row, so it also never shows a rolled-back
/// row. Announce only rows that were stored (not an insert skipped by a dedupe key).
pub async fn announce(
    db: &Database,
    conn: &impl ConnectionTrait,
    event: &LiveEvent,
) -> Result<(), DbErr> {
    match db.backend() {
        Backend::Postgres => {
            conn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), event.payload().into()],
            ))
            .await?;
        }
        // No fan-out listening (no stream open yet) is not a failure.
        Backend::Sqlite => {
            let _ = db.in_process_events().send(*event);
        }
    }
    Ok(())
}

/// Announces a change that is already committed (a single-statement write on the pool,
/// such as a revoked sign-in session). The change stands either way, so a failure is
/// logged, not returned: a stream that misses it still ends when its access token
/// expires.
pub(crate) async fn announce_committed(db: &Database, event: LiveEvent) {
    if let Err(error) = announce(db, db.connection(), &event).await {
        tracing::warn!(user_id = %event.user_id(), %error, "could not announce a live event");
    }
}

/// The live event feed of one server process on SeaORM. Cheap to clone: clones share the
/// listener and the streams; the listener stops when the last clone is dropped or at
/// [`LiveFeed::close`].
#[derive(Clone)]
pub struct LiveFeed {
    fanout: Arc<Fanout>,
    listener: Arc<ListenerTask>,
}

impl std::fmt::Debug for LiveFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveFeed")
            .field("open_streams", &self.open_streams())
            .finish()
    }
}

impl LiveFeed {
    /// A feed over `db`. It listens from [`LiveFeed::start`] or the first subscription.
    pub fn new(db: &Database) -> Self {
        Self {
            fanout: Arc::new(Fanout {
                db: db.clone(),
                users: Mutex::new(HashMap::new()),
            }),
            listener: Arc::new(ListenerTask(Mutex::new(ListenerState::Idle))),
        }
    }

    /// Starts the process's listener (a server does this at start, so that its first
    /// streams do not wait for the connection). Must run inside a Tokio runtime.
    pub fn start(&self) {
        let mut state = self.listener.0.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(*state, ListenerState::Idle) {
            let fanout = self.fanout.clone();
            *state = ListenerState::Running(tokio::spawn(listen(fanout)));
        }
    }

    /// Stops listening and ends every stream of this feed (shutdown).
    pub fn close(&self) {
        let mut state = self.listener.0.lock().unwrap_or_else(|e| e.into_inner());
        if let ListenerState::Running(task) = std::mem::replace(&mut *state, ListenerState::Closed)
        {
            task.abort();
        }
        drop(state);
        // Dropping the senders ends every subscription with `Closed`.
        self.fanout.users().clear();
    }

    /// How many subscriptions are open (for logs and tests).
    pub fn open_streams(&self) -> usize {
        self.fanout
            .users()
            .values()
            .map(broadcast::Sender::receiver_count)
            .sum()
    }
}

impl EventFeed for LiveFeed {
    fn subscribe(&self, user_id: Uuid) -> Box<dyn EventSubscription> {
        if matches!(
            *self.listener.0.lock().unwrap_or_else(|e| e.into_inner()),
            ListenerState::Closed
        ) {
            return Box::new(Subscription {
                user_id,
                receiver: None,
                fanout: self.fanout.clone(),
            });
        }
        let receiver = self
            .fanout
            .users()
            .entry(user_id)
            .or_insert_with(|| broadcast::channel(PER_USER_BACKLOG).0)
            .subscribe();
        self.start();
        Box::new(Subscription {
            user_id,
            receiver: Some(receiver),
            fanout: self.fanout.clone(),
        })
    }
}

enum ListenerState {
    Idle,
    Running(JoinHandle<()>),
    Closed,
}

/// The listener task, aborted when the last clone of the feed goes.
struct ListenerTask(Mutex<ListenerState>);

impl Drop for ListenerTask {
    fn drop(&mut self) {
        if let ListenerState::Running(task) = &*self.0.lock().unwrap_or_else(|e| e.into_inner()) {
            task.abort();
        }
    }
}

/// The streams of this process, per user, and the database to load event rows from.
struct Fanout {
    db: Database,
    users: Mutex<HashMap<Uuid, broadcast::Sender<LiveSignal>>>,
}

impl Fanout {
    fn users(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, broadcast::Sender<LiveSignal>>> {
        self.users.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tells every stream that it may have missed events.
    fn catch_up_all(&self) {
        for sender in self.users().values() {
            let _ = sender.send(LiveSignal::CatchUp);
        }
    }

    /// Routes one event: loads its row once if some stream of its user is open here, and
    /// hands it to all of them.
    async fn deliver(&self, event: LiveEvent) {
        let Some(sender) = self.users().get(&event.user_id()).cloned() else {
            return;
        };
        let signal = match event {
            LiveEvent::Account { .. } => Some(LiveSignal::AccountChanged),
            LiveEvent::Notification { id, .. } => self
                .load(notifications::Entity::find_by_id(id))
                .await
                .and_then(|row| row.map(crate::community::notification_from_row).transpose())
                .map(|n| n.map(LiveSignal::Notification))
                .unwrap_or_else(|error| self.missed(event, error)),
            LiveEvent::Message { id, .. } => self
                .load(messages::Entity::find_by_id(id))
                .await
                .and_then(|row| row.map(crate::mentoring::message_from_row).transpose())
                .map(|m| m.map(LiveSignal::Message))
                .unwrap_or_else(|error| self.missed(event, error)),
        };
        if let Some(signal) = signal {
            let _ = sender.send(signal);
        }
    }

    /// A row that could not be loaded: its streams read it themselves.
    fn missed(&self, event: LiveEvent, error: RepoError) -> Option<LiveSignal> {
        tracing::warn!(user_id = %event.user_id(), %error, "could not load a live event; its streams catch up");
        Some(LiveSignal::CatchUp)
    }

    /// The row an announcement names, as committed. `None`: it was rolled back (or is
    /// gone already).
    async fn load<E: EntityTrait>(&self, select: Select<E>) -> Result<Option<E::Model>, RepoError> {
        let row = select
            .clone()
            .one(self.db.connection())
            .await
            .map_err(unavailable)?;
        if row.is_some() || self.db.backend() != Backend::Sqlite {
            return Ok(row);
        }
        // SQLite announces before its transaction commits. Taking the write lock waits
        // for that transaction to end; what is visible then is the outcome.
        let tx = self.db.begin_write().await?;
        let row = select.one(&tx).await.map_err(unavailable);
        let _ = tx.rollback().await;
        row
    }
}

/// One stream's subscription; leaving drops its user's channel when it was the last.
struct Subscription {
    user_id: Uuid,
    receiver: Option<broadcast::Receiver<LiveSignal>>,
    fanout: Arc<Fanout>,
}

#[async_trait]
impl EventSubscription for Subscription {
    async fn next(&mut self) -> LiveSignal {
        let Some(receiver) = self.receiver.as_mut() else {
            return LiveSignal::Closed;
        };
        match receiver.recv().await {
            Ok(signal) => signal,
            // Fell behind: what was dropped is in the database.
            Err(broadcast::error::RecvError::Lagged(_)) => LiveSignal::CatchUp,
            Err(broadcast::error::RecvError::Closed) => LiveSignal::Closed,
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if self.receiver.take().is_none() {
            return;
        }
        let mut users = self.fanout.users();
        if users
            .get(&self.user_id)
            .is_some_and(|sender| sender.receiver_count() == 0)
        {
            users.remove(&self.user_id);
        }
    }
}

/// The process's one listener, for as long as the feed lives.
async fn listen(fanout: Arc<Fanout>) {
    match fanout.db.backend() {
        Backend::Sqlite => listen_in_process(&fanout).await,
        Backend::Postgres => listen_postgres(&fanout).await,
    }
}

async fn listen_in_process(fanout: &Fanout) {
    let mut announcements = fanout.db.in_process_events().subscribe();
    // Streams that subscribed before this task did may have missed something.
    fanout.catch_up_all();
    loop {
        match announcements.recv().await {
            Ok(event) => fanout.deliver(event).await,
            Err(broadcast::error::RecvError::Lagged(skipped)) => {
                tracing::warn!(skipped, "live events fell behind; every stream catches up");
                fanout.catch_up_all();
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

async fn listen_postgres(fanout: &Fanout) {
    let options = fanout
        .db
        .connection()
        .get_postgres_connection_pool()
        .connect_options();
    let mut retry = FIRST_RETRY;
    let mut lost_before = false;
    loop {
        match connect_listener(&options).await {
            Ok(mut listener) => {
                let connected = Instant::now();
                if lost_before {
                    tracing::info!("live events listener reconnected; every stream catches up");
                }
                fanout.catch_up_all();
                let why = loop {
                    match listener.try_recv().await {
                        Ok(Some(notification)) => match LiveEvent::parse(notification.payload()) {
                            Some(event) => fanout.deliver(event).await,
                            None => tracing::warn!(
                                payload = notification.payload(),
                                "ignored a live event that does not parse"
                            ),
                        },
                        Ok(None) => break "connection lost".to_owned(),
                        Err(error) => break error.to_string(),
                    }
                };
                drop(listener);
                lost_before = true;
                if connected.elapsed() > LAST_RETRY {
                    retry = FIRST_RETRY;
                }
                tracing::warn!(reason = %why, retry_in_ms = retry.as_millis() as u64, "live events listener lost its connection");
            }
            Err(error) => {
                lost_before = true;
                tracing::warn!(%error, retry_in_ms = retry.as_millis() as u64, "live events listener cannot connect");
            }
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(LAST_RETRY);
    }
}

/// A connection of its own (not one of the pool's), listening on [`CHANNEL`].
async fn connect_listener(
    options: &sea_orm::sqlx::postgres::PgConnectOptions,
) -> Result<PgListener, sea_orm::sqlx::Error> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .max_lifetime(None)
        .idle_timeout(None)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options.clone())
        .await?;
    let mut listener = PgListener::connect_with(&pool).await?;
    // This task decides when to reconnect, so that it knows when to tell streams to
    // catch up.
    listener.eager_reconnect(false);
    listener.ignore_pool_close_event(true);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_strangers_are_refused() {
        let user_id = Uuid::now_v7();
        let id = Uuid::now_v7();
        for event in [
            LiveEvent::Notification { user_id, id },
            LiveEvent::Message {
                recipient_id: user_id,
                id,
            },
            LiveEvent::Account { user_id },
        ] {
            assert_eq!(LiveEvent::parse(&event.payload()), Some(event));
            assert_eq!(event.user_id(), user_id);
        }
        for odd in [
            "",
            "notification",
            &format!("notification:{user_id}"),
            &format!("account:{user_id}:{id}"),
            &format!("message:{user_id}:{id}:extra"),
            &format!("booking:{user_id}:{id}"),
            "notification:not-a-uuid:x",
        ] {
            assert_eq!(LiveEvent::parse(odd), None, "{odd}");
        }
    }
}
