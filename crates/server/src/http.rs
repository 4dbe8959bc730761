//! Lyceum's own HTTP/1.1 serving loop, on hyper, in place of poem's `Server`: no client
//! and no shortage of file descriptors may stall the server.
//!
//! - **Accept errors back off.** Out of file descriptors (`EMFILE`), `accept` fails at once
//!   every time; retrying at once spins a core and starves the connections already open.
//!   The loop pauses 10 ms, doubling to 1 s, until an accept succeeds, and logs one line
//!   per [`REPORT_EVERY`] with how many failed. Errors of one connection (reset or aborted
//!   before it was accepted) are skipped without a pause.
//! - **A connection cap.** At most [`Limits::max_connections`] connections are served at
//!   once. One more is answered a complete `503 server.unavailable` problem with
//!   `Retry-After` and `Connection: close`, and closed; it never takes a slot.
//! - **Deadlines, kept by a watchdog per connection** rather than hyper's own header timeout
//!   (which also runs while a kept-alive connection waits, so it cannot tell a slow head
//!   from a quiet client): a connection waiting for a request is closed after
//!   [`Limits::idle_timeout`]; a request head must arrive within [`Limits::header_timeout`]
//!   of its first byte, or the connection is closed; a request body must arrive within
//!   [`Limits::body_timeout`] of the head, or the request is answered `408
//!   request.timeout` and the connection closed. Nothing limits a response once the
//!   request is in, so a live event stream stays open.
//! - **Graceful shutdown.** When `shutdown` is cancelled the listener is closed (new
//!   connections are refused), idle connections close, in-flight requests finish, and
//!   whatever is left after [`Limits::drain_timeout`] is closed. The same token ends live
//!   event streams (see `HttpSettings::shutdown`), so they do not hold the drain.
//!
//! Requests reach poem through its own conversions, so every route, middleware and the
//! client's address ([`poem::web::RemoteAddr`]) work as before. TLS and HTTP/2 are a
//! reverse proxy's job.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use lyceum_api_poem::problem::{PROBLEM_JSON, Problem, RETRY_AFTER_UNAVAILABLE_SECONDS};
use poem::http::header::{CONNECTION, HeaderValue};
use poem::http::uri::Scheme;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The first pause after an accept error.
pub const FIRST_PAUSE: Duration = Duration::from_millis(10);
/// The longest pause between accept attempts while they keep failing.
pub const LONGEST_PAUSE: Duration = Duration::from_secs(1);
/// At most one log line per this interval for a recurring trouble (accept errors,
/// refused connections), saying how many happened.
pub const REPORT_EVERY: Duration = Duration::from_secs(10);
/// Refusals lingering at once (waiting for the client to read the answer and hang up);
/// past this, a connection over the cap is closed right after its answer is written.
/// They hold file descriptors, so [`default_max_connections`] keeps these back.
pub const REFUSALS_AT_ONCE: usize = 32;
/// How long a refusal may take to be written and read by the client.
const REFUSAL_TIME: Duration = Duration::from_secs(2);
/// The connection cap never derives higher than this.
pub const MOST_CONNECTIONS: usize = 10_000;

/// How the serving loop guards itself.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once; one more is answered 503 and closed.
    pub max_connections: usize,
    /// How long a connection may wait for its next request.
    pub idle_timeout: Duration,
    /// How long a request head may take, from its first byte.
    pub header_timeout: Duration,
    /// How long a request body may take, from the end of the head.
    pub body_timeout: Duration,
    /// How long graceful shutdown waits for in-flight requests before closing the rest.
    pub drain_timeout: Duration,
}

/// Where connections come from: a TCP listener, or a fake one in tests.
pub trait Accept: Send + 'static {
    /// One connection.
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    /// The next connection and the address of its peer.
    fn accept(&mut self) -> impl Future<Output = io::Result<(Self::Io, SocketAddr)>> + Send;
}

impl Accept for tokio::net::TcpListener {
    type Io = tokio::net::TcpStream;

    async fn accept(&mut self) -> io::Result<(Self::Io, SocketAddr)> {
        let (stream, peer) = tokio::net::TcpListener::accept(self).await?;
        // Responses are written whole; waiting to coalesce them only adds latency.
        let _ = stream.set_nodelay(true);
        Ok((stream, peer))
    }
}

/// How many connections the kernel may hold for us before we accept them. tokio's default
/// (1024) overflowed when a thousand clients connected at once (`make soak`,
/// `slow-clients`): the kernel then drops the client's final handshake packet, the client
/// believes it is connected, and the server never hears of the connection, so no deadline
/// of ours can close it. Linux caps the value at `net.core.somaxconn` (4096 by default).
pub const LISTEN_BACKLOG: u32 = 4096;

/// Binds the listening socket with [`LISTEN_BACKLOG`] (and `SO_REUSEADDR`, so a restart
/// does not wait for the old connections' `TIME_WAIT`).
pub fn listen(addr: SocketAddr) -> io::Result<tokio::net::TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Raises the soft limit on open files to the hard limit (every connection is a file
/// descriptor, and the soft limit is often a low default) and returns the limits then in
/// force, `(soft, hard)`, or `None` where they cannot be read.
pub fn raise_open_files_limit() -> Option<(u64, u64)> {
    if let Err(error) = rlimit::increase_nofile_limit(u64::MAX) {
        tracing::warn!(%error, "cannot raise the open-files limit");
    }
    open_files_limit()
}

/// The open-files limits in force, `(soft, hard)`.
#[cfg(unix)]
pub fn open_files_limit() -> Option<(u64, u64)> {
    rlimit::getrlimit(rlimit::Resource::NOFILE).ok()
}

/// The open-files limits in force, `(soft, hard)`.
#[cfg(not(unix))]
pub fn open_files_limit() -> Option<(u64, u64)> {
    None
}

/// The connection cap when none is configured: what the open-files limit leaves after
/// the database pool (twice, for SQLite's files), refusals in progress and some slack for
/// logs and libraries, at least 1 and at most [`MOST_CONNECTIONS`].
pub fn default_max_connections(open_files: u64, db_connections: u32) -> usize {
    let reserve = 2 * u64::from(db_connections) + REFUSALS_AT_ONCE as u64 + 64;
    let left = open_files.saturating_sub(reserve);
    usize::try_from(left)
        .unwrap_or(usize::MAX)
        .clamp(1, MOST_CONNECTIONS)
}

/// Serves `endpoint` on the connections `acceptor` yields until `shutdown` is cancelled,
/// then drains (see the module documentation). Returns when every connection is closed.
pub async fn serve<A, E>(
    mut acceptor: A,
    local: SocketAddr,
    endpoint: E,
    limits: Limits,
    shutdown: CancellationToken,
) where
    A: Accept,
    E: Endpoint + 'static,
{
    let shared = Arc::new(Shared {
        endpoint,
        local: LocalAddr(Addr::SocketAddr(local)),
        limits: limits.clone(),
        shutdown: shutdown.clone(),
        abort: CancellationToken::new(),
    });
    let slots = Arc::new(Semaphore::new(
        limits.max_connections.min(Semaphore::MAX_PERMITS),
    ));
    let refusing = Arc::new(Semaphore::new(REFUSALS_AT_ONCE));
    let refusal = refusal();
    let tasks = TaskTracker::new();
    let mut failures = AcceptFailures::default();
    let mut refused = Tally::default();
    loop {
        let accepted = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            accepted = acceptor.accept() => accepted,
        };
        let (io, peer) = match accepted {
            Ok(connection) => {
                failures.succeeded();
                connection
            }
            Err(error) if is_one_connections_error(&error) => {
                tracing::debug!(%error, "a connection failed before it was accepted");
                continue;
            }
            Err(error) => {
                let pause = failures.failed(&error, Instant::now());
                tokio::select! {
                    biased;
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(pause) => continue,
                }
            }
        };
        match slots.clone().try_acquire_owned() {
            Ok(slot) => {
                tasks.spawn(serve_connection(io, peer, shared.clone(), slot));
            }
            Err(_) => {
                if let Some(count) = refused.record(Instant::now()) {
                    tracing::warn!(
                        count,
                        max_connections = limits.max_connections,
                        "connection limit reached: refusing connections with 503"
                    );
                }
                let mut io = io;
                let written = write_at_once(&mut io, &refusal);
                // Past the refusals already lingering, the connection is closed at once:
                // answered if the answer fitted the socket's buffer.
                if let Ok(permit) = refusing.clone().try_acquire_owned() {
                    let rest = refusal.slice(written..);
                    tasks.spawn(async move {
                        refuse(io, rest).await;
                        drop(permit);
                    });
                }
            }
        }
    }
    // Closing the listener makes the system refuse new connections.
    drop(acceptor);
    tasks.close();
    if tokio::time::timeout(limits.drain_timeout, tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            open = tasks.len(),
            "connections still busy after the drain timeout: closing them"
        );
        shared.abort.cancel();
        tasks.wait().await;
    }
}

/// Errors that concern one connection only (it was reset or aborted before `accept`
/// returned it); the next accept can go ahead at once.
fn is_one_connections_error(error: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(
        error.kind(),
        ConnectionRefused
            | ConnectionAborted
            | ConnectionReset
            | Interrupted
            | WouldBlock
            | NetworkDown
            | NetworkUnreachable
            | HostUnreachable
    )
}

/// Counts a recurring event and says when to log it: the first at once, then at most one
/// line per [`REPORT_EVERY`], with how many happened since the last line.
#[derive(Debug, Default)]
struct Tally {
    unreported: u64,
    last_report: Option<Instant>,
}

impl Tally {
    /// Counts one; `Some(count)` when a line reporting `count` should be logged now.
    fn record(&mut self, now: Instant) -> Option<u64> {
        self.unreported += 1;
        match self.last_report {
            Some(at) if now.duration_since(at) < REPORT_EVERY => None,
            _ => {
                self.last_report = Some(now);
                Some(std::mem::take(&mut self.unreported))
            }
        }
    }

    /// The count not reported yet, and a fresh start.
    fn finish(&mut self) -> u64 {
        self.last_report = None;
        std::mem::take(&mut self.unreported)
    }
}

/// The backoff of the accept loop.
#[derive(Debug)]
struct AcceptFailures {
    next_pause: Duration,
    failing: bool,
    tally: Tally,
}

impl Default for AcceptFailures {
    fn default() -> Self {
        Self {
            next_pause: FIRST_PAUSE,
            failing: false,
            tally: Tally::default(),
        }
    }
}

impl AcceptFailures {
    /// Counts a failed accept (logging at most once per [`REPORT_EVERY`]) and says how
    /// long to pause before the next attempt.
    fn failed(&mut self, error: &io::Error, now: Instant) -> Duration {
        let pause = self.next_pause;
        self.next_pause = (pause * 2).min(LONGEST_PAUSE);
        self.failing = true;
        if let Some(count) = self.tally.record(now) {
            tracing::error!(
                %error,
                count,
                pause_ms = pause.as_millis() as u64,
                "cannot accept connections: backing off"
            );
        }
        pause
    }

    /// An accept worked: the next failure starts from the shortest pause again.
    fn succeeded(&mut self) {
        if self.failing {
            let unreported = self.tally.finish();
            tracing::info!(unreported, "accepting connections again");
            self.failing = false;
            self.next_pause = FIRST_PAUSE;
        }
    }
}

/// The whole answer to a connection over the cap: a complete HTTP/1.1 response.
fn refusal() -> Bytes {
    let problem = Problem::connection_limit_reached();
    let body = problem.to_bytes();
    let status = poem::http::StatusCode::from_u16(problem.status)
        .unwrap_or(poem::http::StatusCode::SERVICE_UNAVAILABLE);
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: {PROBLEM_JSON}\r\nretry-after: \
         {RETRY_AFTER_UNAVAILABLE_SECONDS}\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Service Unavailable"),
        body.len()
    );
    let mut answer = head.into_bytes();
    answer.extend_from_slice(&body);
    Bytes::from(answer)
}

/// Writes what of `answer` the socket takes without waiting (a fresh socket takes a few
/// hundred bytes whole), and returns how many bytes that was; the accept loop never waits
/// on a client.
fn write_at_once<Io: AsyncWrite + Unpin>(io: &mut Io, answer: &[u8]) -> usize {
    let mut cx = Context::from_waker(std::task::Waker::noop());
    let mut written = 0;
    while written < answer.len() {
        match Pin::new(&mut *io).poll_write(&mut cx, &answer[written..]) {
            Poll::Ready(Ok(n)) if n > 0 => written += n,
            _ => break,
        }
    }
    written
}

/// Writes the rest of the refusal, ends the sending side, and reads (and drops) what the
/// client sent until it hangs up: closing with unread data would reset the connection, and
/// the client could lose the answer before reading it. All within [`REFUSAL_TIME`].
async fn refuse<Io: AsyncRead + AsyncWrite + Unpin>(mut io: Io, rest: Bytes) {
    let _ = tokio::time::timeout(REFUSAL_TIME, async {
        io.write_all(&rest).await?;
        io.shutdown().await?;
        let mut sink = [0u8; 1024];
        let mut budget: usize = 64 * 1024;
        while budget > 0 {
            let read = io.read(&mut sink).await?;
            if read == 0 {
                break;
            }
            budget = budget.saturating_sub(read);
        }
        Ok::<(), io::Error>(())
    })
    .await;
}

/// What every connection task shares.
struct Shared<E> {
    endpoint: E,
    local: LocalAddr,
    limits: Limits,
    shutdown: CancellationToken,
    /// Cancelled when the drain timeout passes: close whatever is still open.
    abort: CancellationToken,
}

/// Where a connection stands, for its watchdog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for a request since then.
    Idle(Instant),
    /// A request head has been arriving since then.
    Head(Instant),
    /// This many requests are being answered (their responses not yet sent whole).
    Busy(usize),
}

/// Why a watchdog closed its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overdue {
    /// No request within the idle timeout.
    Idle,
    /// A request head not complete within the header timeout.
    Head,
}

/// A connection's phase, moved by its reads, its requests and their responses.
#[derive(Debug)]
struct Activity(watch::Sender<Phase>);

impl Activity {
    /// Bytes came in: on a waiting connection, they start a request head.
    fn bytes_arrived(&self) {
        self.0.send_if_modified(|phase| match phase {
            Phase::Idle(_) => {
                *phase = Phase::Head(Instant::now());
                true
            }
            _ => false,
        });
    }

    /// A request head is in; until the returned guard is dropped (with the response's
    /// body, once it is sent), no deadline but the body's applies.
    fn request_started(self: &Arc<Self>) -> BusyGuard {
        self.0.send_modify(|phase| {
            *phase = match *phase {
                Phase::Busy(requests) => Phase::Busy(requests + 1),
                _ => Phase::Busy(1),
            }
        });
        BusyGuard(self.clone())
    }
}

/// Keeps its connection busy while alive.
#[derive(Debug)]
struct BusyGuard(Arc<Activity>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.0.0.send_modify(|phase| {
            *phase = match *phase {
                Phase::Busy(requests) if requests > 1 => Phase::Busy(requests - 1),
                _ => Phase::Idle(Instant::now()),
            }
        });
    }
}

/// Waits until the connection has been idle, or reading a head, for too long.
async fn overdue(mut phases: watch::Receiver<Phase>, limits: &Limits) -> Overdue {
    loop {
        let phase = *phases.borrow_and_update();
        let deadline = match phase {
            Phase::Idle(since) => Some((since + limits.idle_timeout, Overdue::Idle)),
            Phase::Head(since) => Some((since + limits.header_timeout, Overdue::Head)),
            Phase::Busy(_) => None,
        };
        let changed = match deadline {
            Some((at, why)) => tokio::select! {
                () = tokio::time::sleep_until(at) => return why,
                changed = phases.changed() => changed,
            },
            None => phases.changed().await,
        };
        if changed.is_err() {
            // The connection is gone; its task ends by itself.
            std::future::pending::<()>().await;
        }
    }
}

/// A connection's transport, telling its [`Activity`] when bytes arrive.
struct Watched<Io> {
    io: Io,
    activity: Arc<Activity>,
}

impl<Io: AsyncRead + Unpin> AsyncRead for Watched<Io> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.io).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.bytes_arrived();
        }
        polled
    }
}

impl<Io: AsyncWrite + Unpin> AsyncWrite for Watched<Io> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

type PoemBody = BoxBody<Bytes, io::Error>;

/// A request body that says when it has arrived whole.
struct Arrival {
    body: PoemBody,
    arrived: Arc<AtomicBool>,
}

impl Body for Arrival {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.body.is_end_stream() {
            self.arrived.store(true, Ordering::Release);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A response body that keeps its connection busy until it is sent (and dropped).
struct Answer {
    body: PoemBody,
    _busy: BusyGuard,
}

impl Body for Answer {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// One connection's side of the service: the endpoint and what poem needs to know.
struct Connection<E> {
    shared: Arc<Shared<E>>,
    remote: RemoteAddr,
    activity: Arc<Activity>,
}

impl<E: Endpoint> Connection<E> {
    async fn answer(&self, request: hyper::Request<Incoming>) -> hyper::Response<Answer> {
        let busy = self.activity.request_started();
        let has_body = !request.body().is_end_stream();
        let mut request = poem::Request::from((
            request,
            self.shared.local.clone(),
            self.remote.clone(),
            Scheme::HTTP,
        ));
        let response = if has_body {
            let arrived = Arc::new(AtomicBool::new(false));
            let body = PoemBody::from(request.take_body());
            request.set_body(poem::Body::from(PoemBody::new(Arrival {
                body,
                arrived: arrived.clone(),
            })));
            let timeout = self.shared.limits.body_timeout;
            tokio::select! {
                response = self.shared.endpoint.get_response(request) => response,
                () = body_overdue(timeout, &arrived) => {
                    tracing::info!(peer = %self.remote, "request body too slow: answered 408");
                    late_body(timeout)
                }
            }
        } else {
            self.shared.endpoint.get_response(request).await
        };
        hyper::Response::from(response).map(|body| Answer { body, _busy: busy })
    }
}

/// Ends when the body deadline passes with the body still arriving.
async fn body_overdue(timeout: Duration, arrived: &AtomicBool) {
    tokio::time::sleep(timeout).await;
    if arrived.load(Ordering::Acquire) {
        // The body is in; the handler may take its time.
        std::future::pending::<()>().await;
    }
}

/// The 408 for a body that did not arrive in time; the connection closes after it.
fn late_body(timeout: Duration) -> poem::Response {
    let mut response = Problem::body_timeout(timeout.as_secs()).into_response_with(None);
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Serves one connection until it closes, its watchdog closes it, or shutdown drains it.
async fn serve_connection<Io, E>(
    io: Io,
    peer: SocketAddr,
    shared: Arc<Shared<E>>,
    _slot: OwnedSemaphorePermit,
) where
    Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    E: Endpoint + 'static,
{
    let (phase, phases) = watch::channel(Phase::Idle(Instant::now()));
    let activity = Arc::new(Activity(phase));
    let connection = Arc::new(Connection {
        shared: shared.clone(),
        remote: RemoteAddr(Addr::SocketAddr(peer)),
        activity: activity.clone(),
    });
    let service = hyper::service::service_fn(move |request| {
        let connection = connection.clone();
        async move { Ok::<_, Infallible>(connection.answer(request).await) }
    });
    let mut http = http1::Builder::new();
    // The watchdog keeps the deadlines: hyper's header timeout would also run while a
    // kept-alive connection waits for its next request.
    http.header_read_timeout(None);
    let conn = http.serve_connection(TokioIo::new(Watched { io, activity }), service);
    let mut conn = std::pin::pin!(conn);
    let watchdog = overdue(phases, &shared.limits);
    let mut watchdog = std::pin::pin!(watchdog);
    tokio::select! {
        biased;
        () = shared.abort.cancelled() => return,
        result = conn.as_mut() => {
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
            return;
        }
        why = &mut watchdog => {
            tracing::debug!(%peer, ?why, "closing a connection past its deadline");
            return;
        }
        () = shared.shutdown.cancelled() => conn.as_mut().graceful_shutdown(),
    }
    // Shutting down: an idle connection closes now, a busy one after its response.
    tokio::select! {
        biased;
        () = shared.abort.cancelled() => {}
        _ = conn.as_mut() => {}
        _ = &mut watchdog => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use tokio::io::DuplexStream;

    fn limits(max_connections: usize) -> Limits {
        Limits {
            max_connections,
            idle_timeout: Duration::from_secs(60),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            drain_timeout: Duration::from_secs(10),
        }
    }

    /// The backlog of a listening socket as the kernel reports it (`ss -ltn`: `Send-Q`).
    fn backlog_of(port: u16) -> u32 {
        let out = std::process::Command::new("ss")
            .args(["-ltnH", &format!("sport = :{port}")])
            .output()
            .expect("ss (iproute2) runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text.lines().next().expect("ss lists the listening socket");
        line.split_whitespace().nth(2).unwrap().parse().unwrap()
    }

    #[tokio::test]
    async fn the_listening_socket_queues_up_to_the_backlog_the_kernel_allows() {
        let listener = listen(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
        let port = listener.local_addr().unwrap().port();
        let somaxconn: u32 = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert_eq!(backlog_of(port), LISTEN_BACKLOG.min(somaxconn));
        if somaxconn > 1024 {
            assert!(backlog_of(port) > 1024, "more than tokio's default");
        }
    }

    fn peer() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 40_000))
    }

    /// An acceptor that fails with `error` for the first `failures` attempts (each
    /// costing a millisecond, like a system call), then hands out `connections`, then
    /// waits for ever.
    struct Fake {
        attempts: Arc<AtomicUsize>,
        failures: usize,
        error: fn() -> io::Error,
        connections: Vec<DuplexStream>,
    }

    impl Accept for Fake {
        type Io = DuplexStream;

        async fn accept(&mut self) -> io::Result<(DuplexStream, SocketAddr)> {
            let attempt = self.attempts.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(1)).await;
            if attempt < self.failures {
                return Err((self.error)());
            }
            match self.connections.pop() {
                Some(io) => Ok((io, peer())),
                None => std::future::pending().await,
            }
        }
    }

    fn out_of_file_descriptors() -> io::Error {
        io::Error::from_raw_os_error(24) // EMFILE
    }

    fn aborted() -> io::Error {
        io::Error::from(io::ErrorKind::ConnectionAborted)
    }

    fn hello() -> impl Endpoint + 'static {
        poem::endpoint::make_sync(|_| "hello")
    }

    fn start(fake: Fake, limits: Limits) -> (CancellationToken, tokio::task::JoinHandle<()>) {
        let shutdown = CancellationToken::new();
        let handle = tokio::spawn(serve(fake, peer(), hello(), limits, shutdown.clone()));
        (shutdown, handle)
    }

    async fn get(client: &mut DuplexStream) -> String {
        client
            .write_all(b"GET / HTTP/1.1\r\nhost: lyceum\r\n\r\n")
            .await
            .unwrap();
        let mut answer = vec![0u8; 4096];
        let read = client.read(&mut answer).await.unwrap();
        String::from_utf8_lossy(&answer[..read]).into_owned()
    }

    #[tokio::test(start_paused = true)]
    async fn out_of_file_descriptors_the_loop_backs_off_instead_of_spinning() {
        let attempts = Arc::new(AtomicUsize::new(0));
        let fake = Fake {
            attempts: attempts.clone(),
            failures: usize::MAX,
            error: out_of_file_descriptors,
            connections: Vec::new(),
        };
        let (shutdown, handle) = start(fake, limits(10));
        tokio::time::sleep(Duration::from_secs(10)).await;
        let tried = attempts.load(Ordering::SeqCst);
        // 10, 20, 40 … 640 ms, then once a second: about 16 attempts in 10 s. Retrying at
        // once would make 10,000 (one per simulated millisecond).
        assert!((10..=20).contains(&tried), "{tried} attempts in 10 s");
        shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(1), handle)
            .await
            .expect("a backing-off loop still stops at once")
            .unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn after_the_errors_stop_the_next_connection_is_served_within_the_longest_pause() {
        let (mut client, server) = tokio::io::duplex(4096);
        let attempts = Arc::new(AtomicUsize::new(0));
        let fake = Fake {
            attempts: attempts.clone(),
            failures: 12,
            error: out_of_file_descriptors,
            connections: vec![server],
        };
        let started = Instant::now();
        let (shutdown, handle) = start(fake, limits(10));
        let answer = get(&mut client).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("hello"), "{answer}");
        // 12 failures: 10 + 20 + … + 640 ms, then 1 s five times, plus 1 ms per attempt.
        let waited = started.elapsed();
        assert!(waited < Duration::from_secs(7), "{waited:?}");
        let mut failures = AcceptFailures::default();
        for _ in 0..12 {
            failures.failed(&out_of_file_descriptors(), Instant::now());
        }
        assert_eq!(failures.next_pause, LONGEST_PAUSE);
        failures.succeeded();
        assert_eq!(
            failures.next_pause, FIRST_PAUSE,
            "a success resets the backoff"
        );
        shutdown.cancel();
        drop(client);
        handle.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_aborted_before_it_was_accepted_costs_no_pause() {
        let (mut client, server) = tokio::io::duplex(4096);
        let fake = Fake {
            attempts: Arc::new(AtomicUsize::new(0)),
            failures: 100,
            error: aborted,
            connections: vec![server],
        };
        let started = Instant::now();
        let (shutdown, handle) = start(fake, limits(10));
        let answer = get(&mut client).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        // One simulated millisecond per attempt, no pause between them.
        let waited = started.elapsed();
        assert!(waited < Duration::from_millis(150), "{waited:?}");
        shutdown.cancel();
        drop(client);
        handle.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_over_the_cap_gets_a_503_problem_and_is_closed() {
        let (mut first, first_server) = tokio::io::duplex(4096);
        let (mut second, second_server) = tokio::io::duplex(4096);
        let fake = Fake {
            attempts: Arc::new(AtomicUsize::new(0)),
            failures: 0,
            error: aborted,
            connections: vec![second_server, first_server],
        };
        let (shutdown, handle) = start(fake, limits(1));
        assert!(get(&mut first).await.starts_with("HTTP/1.1 200"));
        let mut refusal = String::new();
        second.read_to_string(&mut refusal).await.unwrap();
        let (head, body) = refusal.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with("HTTP/1.1 503 Service Unavailable"),
            "{head}"
        );
        for header in [
            "content-type: application/problem+json",
            "retry-after: 5",
            "connection: close",
        ] {
            assert!(head.contains(header), "{header} missing: {head}");
        }
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["code"], "server.unavailable");
        assert_eq!(problem["status"], 503);
        shutdown.cancel();
        drop(first);
        handle.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn every_connection_over_the_cap_is_answered_even_past_the_refusals_lingering() {
        let over = REFUSALS_AT_ONCE + 8;
        let (clients, servers): (Vec<_>, Vec<_>) =
            (0..over).map(|_| tokio::io::duplex(4096)).unzip();
        let fake = Fake {
            attempts: Arc::new(AtomicUsize::new(0)),
            failures: 0,
            error: aborted,
            connections: servers,
        };
        let (shutdown, handle) = start(fake, limits(0));
        for mut client in clients {
            let mut answer = String::new();
            client.read_to_string(&mut answer).await.unwrap();
            assert!(answer.starts_with("HTTP/1.1 503"), "{answer:?}");
            assert!(answer.contains("server.unavailable"), "{answer:?}");
        }
        shutdown.cancel();
        handle.await.unwrap();
    }

    #[test]
    fn a_recurring_trouble_is_logged_once_per_interval_with_its_count() {
        let mut tally = Tally::default();
        let t0 = Instant::now();
        assert_eq!(tally.record(t0), Some(1), "the first is logged at once");
        for i in 1..100 {
            assert_eq!(tally.record(t0 + Duration::from_millis(i)), None);
        }
        assert_eq!(tally.record(t0 + REPORT_EVERY), Some(100));
        assert_eq!(tally.record(t0 + REPORT_EVERY), None);
        assert_eq!(tally.finish(), 1);
    }

    #[test]
    fn the_default_cap_leaves_room_for_the_database_and_files() {
        assert_eq!(default_max_connections(1_048_576, 10), MOST_CONNECTIONS);
        assert_eq!(default_max_connections(1024, 10), 1024 - 20 - 32 - 64);
        assert_eq!(default_max_connections(50, 10), 1);
    }
}
