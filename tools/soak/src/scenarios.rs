//! The scenarios. Each starts its own server on its own database and returns what it
//! measured and whether its checks held.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

use crate::{Api, Database, Options, Outcome, Rng, Server};

pub(crate) async fn run(name: &str, options: &Options) -> Outcome {
    match name {
        "bookings" => bookings(options).await,
        "kill9" => kill9(options).await,
        "pg-restart" => pg_restart(options).await,
        "slow-clients" => slow_clients(options).await,
        "event-streams" => event_streams(options).await,
        "fd-exhaustion" => fd_exhaustion(options).await,
        "memory" => memory(options).await,
        other => unreachable!("scenario {other} is checked by main"),
    }
}

async fn server(
    options: &Options,
    db: &Database,
    name: &str,
    env: &[(&str, String)],
    open_files: Option<u64>,
) -> Server {
    Server::start(
        &options.server_bin,
        options.out.join(format!("{name}.log")),
        &db.url,
        env,
        open_files,
    )
    .await
}

/// `count` accounts named `<prefix><n>` with `role`, created 16 at a time.
async fn accounts(api: &Api, prefix: &str, role: &str, count: usize) -> Vec<(String, String)> {
    stream::iter(0..count)
        .map(|i| {
            let api = api.clone();
            let username = format!("{prefix}{i:05}");
            let role = role.to_owned();
            async move { api.account(&username, &role).await }
        })
        .buffered(16)
        .collect()
        .await
}

/// Mentors with `per_mentor` free sessions each, two hours apart so that none overlaps:
/// returns (mentor token, session id) pairs.
async fn sessions(
    api: &Api,
    mentors: &[(String, String)],
    per_mentor: usize,
    capacity: i64,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (_, token) in mentors {
        for j in 0..per_mentor {
            let id = api.session(token, 48 + 2 * j as i64, capacity).await;
            out.push((token.clone(), id));
        }
    }
    out
}

fn count_status(counts: &mut HashMap<u16, usize>, status: u16) {
    *counts.entry(status).or_default() += 1;
}

fn statuses(counts: &HashMap<u16, usize>) -> String {
    let mut pairs: Vec<_> = counts.iter().collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(s, n)| format!("{s}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// 10,000 concurrent booking attempts on 50 sessions of 10 seats by 500 learners.
async fn bookings(options: &Options) -> Outcome {
    let mut out = Outcome::new("Concurrent bookings (PostgreSQL)");
    let db = Database::create(&options.pg_url, "bookings");
    let server = server(options, &db, "bookings", &[], None).await;
    let api = Api::new(&server.base);
    let mentors = accounts(&api, "mentor", "mentor", 10).await;
    let learners = accounts(&api, "learner", "learner", 500).await;
    let sessions = sessions(&api, &mentors, 5, 10).await;
    let attempts = options.bookings;
    let mut rng = Rng::new(20261123);
    let plan: Vec<(usize, usize)> = (0..attempts)
        .map(|i| (i % learners.len(), rng.below(sessions.len())))
        .collect();
    let started = Instant::now();
    let answers: Vec<(usize, u16)> = stream::iter(plan)
        .map(|(learner, session)| {
            let api = api.clone();
            let token = learners[learner].1.clone();
            let id = sessions[session].1.clone();
            async move {
                let reply = api
                    .call(
                        Method::POST,
                        &format!("/api/v1/mentoring-sessions/{id}/bookings"),
                        Some(&token),
                        Some(&json!({})),
                        Some(&uuid::Uuid::now_v7().to_string()),
                    )
                    .await;
                (session, reply.map(|(s, _, _)| s).unwrap_or(0))
            }
        })
        .buffer_unordered(256)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let mut counts = HashMap::new();
    let mut booked = vec![0usize; sessions.len()];
    for (session, status) in &answers {
        count_status(&mut counts, *status);
        if *status == 201 {
            booked[*session] += 1;
        }
    }
    out.row("Booking attempts", attempts);
    out.row("In flight at once", 256);
    out.row("Sessions × seats", format!("{} × 10", sessions.len()));
    out.row("Answers by status", statuses(&counts));
    out.row(
        "Attempts per second",
        format!("{:.0}", attempts as f64 / elapsed.as_secs_f64()),
    );
    let mut overbooked = 0;
    let mut lost = 0;
    for (i, (mentor, id)) in sessions.iter().enumerate() {
        let confirmed = api.confirmed_bookings(mentor, id).await.len();
        overbooked += usize::from(confirmed > 10);
        lost += usize::from(confirmed != booked[i]);
    }
    out.row("Sessions over capacity", overbooked);
    out.row("Sessions whose roster differs from the 201s", lost);
    out.check(
        overbooked == 0,
        "no session holds more seats than its capacity",
    );
    out.check(
        lost == 0,
        "every 201 is a seat on the roster and every seat had its 201",
    );
    out.check(
        counts.keys().all(|s| (200..500).contains(s)),
        "no answer is a 5xx or a dropped connection",
    );
    out
}

#[derive(Clone, Debug)]
enum Op {
    Grant { learner: usize, points: i64 },
    Deduct { learner: usize, points: i64 },
    Book { learner: usize, session: usize },
}

/// Wallet adjustments and bookings with Idempotency-Keys, retried until they get a final
/// answer, while the server is killed with SIGKILL and restarted `SOAK_KILLS` times; then
/// every key is sent once more and must get its first answer again.
async fn kill9(options: &Options) -> Outcome {
    let mut out = Outcome::new("SIGKILL mid-load with retries (PostgreSQL)");
    let db = Database::create(&options.pg_url, "kill9");
    let admin_status = std::process::Command::new(&options.server_bin)
        .args([
            "create-admin",
            "--email",
            "soak.admin@soak.example.com",
            "--username",
            "soakadmin",
        ])
        .env("LYCEUM_DATABASE_URL", &db.url)
        .env("LYCEUM_ADMIN_PASSWORD", crate::PASSWORD)
        .env("LYCEUM_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .status()
        .expect("create-admin runs");
    assert!(admin_status.success(), "create-admin failed");
    let server = Arc::new(Mutex::new(server(options, &db, "kill9", &[], None).await));
    let base = server.lock().await.base.clone();
    let api = Api::new(&base);
    let admin = api.sign_in("soakadmin").await;
    let mentors = accounts(&api, "mentor", "mentor", 5).await;
    let learners = accounts(&api, "learner", "learner", 40).await;
    let sessions = sessions(&api, &mentors, 4, 5).await;
    let mut rng = Rng::new(105);
    let ops: Vec<(String, Op)> = (0..3_000)
        .map(|_| {
            let learner = rng.below(learners.len());
            let op = match rng.below(3) {
                0 => Op::Grant {
                    learner,
                    points: 1 + rng.below(20) as i64,
                },
                1 => Op::Deduct {
                    learner,
                    points: 1 + rng.below(30) as i64,
                },
                _ => Op::Book {
                    learner,
                    session: rng.below(sessions.len()),
                },
            };
            (uuid::Uuid::now_v7().to_string(), op)
        })
        .collect();
    let send = {
        let api = api.clone();
        let admin = admin.clone();
        let learners = learners.clone();
        let sessions = sessions.clone();
        move |key: String, op: Op| {
            let api = api.clone();
            let admin = admin.clone();
            let learners = learners.clone();
            let sessions = sessions.clone();
            async move {
                match op {
                    Op::Grant { learner, points } | Op::Deduct { learner, points } => {
                        let direction = if matches!(op, Op::Grant { .. }) {
                            "grant"
                        } else {
                            "deduct"
                        };
                        api.call(
                            Method::POST,
                            &format!("/api/v1/admin/users/{}/wallet/adjustments", learners[learner].0),
                            Some(&admin),
                            Some(&json!({"direction": direction, "points": points, "reason": "Soak"})),
                            Some(&key),
                        )
                        .await
                    }
                    Op::Book { learner, session } => {
                        api.call(
                            Method::POST,
                            &format!(
                                "/api/v1/mentoring-sessions/{}/bookings",
                                sessions[session].1
                            ),
                            Some(&learners[learner].1),
                            Some(&json!({})),
                            Some(&key),
                        )
                        .await
                    }
                }
            }
        }
    };
    let load_done = Arc::new(AtomicBool::new(false));
    let kills = options.kills;
    let killer = {
        let server = server.clone();
        let load_done = load_done.clone();
        tokio::spawn(async move {
            let mut rng = Rng::new(9);
            let mut done = 0;
            while done < kills {
                tokio::time::sleep(Duration::from_millis(300 + rng.below(900) as u64)).await;
                server.lock().await.restart_after_kill9().await;
                done += 1;
                if load_done.load(Ordering::Relaxed) && done >= kills {
                    break;
                }
            }
            done
        })
    };
    let retries = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    // Each operation is retried with its key until it gets a final answer: anything but a
    // dropped connection, a 5xx or a 429.
    let finals: Vec<(String, Op, u16, Value)> = stream::iter(ops.clone())
        .map(|(key, op)| {
            let send = send.clone();
            let retries = retries.clone();
            async move {
                loop {
                    match send(key.clone(), op.clone()).await {
                        Ok((status, body, _)) if status < 500 && status != 429 => {
                            return (key, op, status, body);
                        }
                        _ => {
                            retries.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    }
                }
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    load_done.store(true, Ordering::Relaxed);
    let kills_done = killer.await.unwrap_or(0);
    let elapsed = started.elapsed();
    server.lock().await.wait_ready().await;
    let mut counts = HashMap::new();
    for (_, _, status, _) in &finals {
        count_status(&mut counts, *status);
    }
    out.row("Operations (grants, deductions, bookings)", ops.len());
    out.row("SIGKILLs while they ran", kills_done);
    out.row(
        "Retries after a dropped connection or 5xx",
        retries.load(Ordering::Relaxed),
    );
    out.row("First final answers by status", statuses(&counts));
    out.row("Load duration", format!("{:.0} s", elapsed.as_secs_f64()));
    // Late retries: every key once more, after the dust settled.
    let late: Vec<(u16, u16, bool)> = stream::iter(finals.iter().cloned())
        .map(|(key, op, status, body)| {
            let send = send.clone();
            async move {
                let again = send(key, op).await;
                match again {
                    Ok((s, b, _)) => (
                        status,
                        s,
                        s != status || (status < 300 && b["id"] != body["id"]),
                    ),
                    Err(_) => (status, 0, true),
                }
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    let changed = late.iter().filter(|(_, _, differs)| *differs).count();
    let refused_then_applied = late
        .iter()
        .filter(|(first, again, _)| *first >= 400 && *again < 300)
        .count();
    out.row("Late retries answered differently from the first", changed);
    out.row(
        "Late retries of refused keys that were applied",
        refused_then_applied,
    );
    out.check(changed == 0, "a late retry gets the first final answer");
    out.check(refused_then_applied == 0, "no refused key is applied later");
    // Balances: what the first answers said happened, against what the ledger holds.
    let mut expected = vec![0i64; learners.len()];
    let mut booked: HashMap<usize, usize> = HashMap::new();
    for (_, op, status, _) in &finals {
        if *status >= 300 {
            continue;
        }
        match op {
            Op::Grant { learner, points } => expected[*learner] += points,
            Op::Deduct { learner, points } => expected[*learner] -= points,
            Op::Book { session, .. } => *booked.entry(*session).or_default() += 1,
        }
    }
    let mut wrong_balances = 0;
    let mut negative = 0;
    for (i, (_, token)) in learners.iter().enumerate() {
        let (_, wallet, _) = api
            .call(Method::GET, "/api/v1/me/wallet", Some(token), None, None)
            .await
            .expect("wallet answers");
        let balance = wallet["balance"].as_i64().unwrap_or(i64::MIN);
        wrong_balances += usize::from(balance != expected[i]);
        negative += usize::from(balance < 0);
    }
    let mut wrong_rosters = 0;
    let mut overbooked = 0;
    for (i, (mentor, id)) in sessions.iter().enumerate() {
        let confirmed = api.confirmed_bookings(mentor, id).await;
        overbooked += usize::from(confirmed.len() > 5);
        wrong_rosters += usize::from(confirmed.len() != booked.get(&i).copied().unwrap_or(0));
    }
    out.row(
        "Wallets whose balance differs from the answered adjustments",
        wrong_balances,
    );
    out.row("Negative balances", negative);
    out.row(
        "Rosters that differ from the answered bookings",
        wrong_rosters,
    );
    out.row("Sessions over capacity", overbooked);
    out.check(
        wrong_balances == 0,
        "every wallet holds exactly the adjustments answered 2xx",
    );
    out.check(negative == 0, "no balance is negative");
    out.check(
        wrong_rosters == 0,
        "every roster holds exactly the bookings answered 2xx",
    );
    out.check(overbooked == 0, "no session is over capacity");
    server.lock().await.terminate().await;
    out
}

fn pg_cluster() -> (String, String) {
    let version = std::fs::read_dir("/etc/postgresql")
        .ok()
        .and_then(|mut d| d.next())
        .and_then(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .unwrap_or_else(|| "15".to_owned());
    (version, "main".to_owned())
}

/// Reads and bookings keep coming while PostgreSQL restarts: the server answers 503 with
/// Retry-After (never 500) while it is down and serves again once it is back.
async fn pg_restart(options: &Options) -> Outcome {
    let mut out = Outcome::new("PostgreSQL restart under load");
    let db = Database::create(&options.pg_url, "pg_restart");
    let mut server = server(options, &db, "pg-restart", &[], None).await;
    let api = Api::new(&server.base);
    let mentors = accounts(&api, "mentor", "mentor", 2).await;
    let learners = accounts(&api, "learner", "learner", 16).await;
    let sessions = sessions(&api, &mentors, 5, 100).await;
    let stop = Arc::new(AtomicBool::new(false));
    let log: Arc<Mutex<Vec<(f64, u16, bool)>>> = Arc::default();
    let started = Instant::now();
    let mut workers = Vec::new();
    for (i, (_, token)) in learners.iter().enumerate() {
        let (api, token, stop, log) = (api.clone(), token.clone(), stop.clone(), log.clone());
        let session = sessions[i % sessions.len()].1.clone();
        workers.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let reply = if n.is_multiple_of(4) {
                    api.call(
                        Method::POST,
                        &format!("/api/v1/mentoring-sessions/{session}/bookings"),
                        Some(&token),
                        Some(&json!({})),
                        Some(&uuid::Uuid::now_v7().to_string()),
                    )
                    .await
                } else {
                    api.call(
                        Method::GET,
                        "/api/v1/mentoring-sessions?limit=20",
                        Some(&token),
                        None,
                        None,
                    )
                    .await
                };
                let (status, retry_after) = match reply {
                    Ok((s, _, h)) => (s, h.contains_key("retry-after")),
                    Err(_) => (0, false),
                };
                log.lock()
                    .await
                    .push((started.elapsed().as_secs_f64(), status, retry_after));
                if status == 503 {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (version, cluster) = pg_cluster();
    let down_at = started.elapsed().as_secs_f64();
    let stopped = std::process::Command::new("pg_ctlcluster")
        .args([
            "--skip-systemctl-redirect",
            &version,
            &cluster,
            "stop",
            "-m",
            "fast",
        ])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let started_again = std::process::Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", &version, &cluster, "start"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let up_at = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(10)).await;
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        let _ = worker.await;
    }
    let log = log.lock().await;
    let mut counts = HashMap::new();
    for (_, status, _) in log.iter() {
        count_status(&mut counts, *status);
    }
    let unavailable = log.iter().filter(|(_, s, _)| *s == 503).count();
    let without_retry_after = log.iter().filter(|(_, s, r)| *s == 503 && !r).count();
    let recovered_after = log
        .iter()
        .filter(|(t, s, _)| *t > up_at && (200..300).contains(s))
        .map(|(t, _, _)| t - up_at)
        .fold(f64::INFINITY, f64::min);
    out.row(
        "PostgreSQL stopped for",
        format!("{:.1} s", up_at - down_at),
    );
    out.row("Requests", log.len());
    out.row("Answers by status (0 = no answer)", statuses(&counts));
    out.row("503 without Retry-After", without_retry_after);
    out.row(
        "First success after PostgreSQL was back",
        format!("{recovered_after:.2} s"),
    );
    out.check(
        stopped && started_again,
        "pg_ctlcluster stopped and started PostgreSQL",
    );
    out.check(
        !counts.contains_key(&500),
        "no 500 while the database was away",
    );
    out.check(
        unavailable > 0 && without_retry_after == 0,
        "the outage is told as 503 with Retry-After",
    );
    out.check(
        recovered_after < 10.0,
        "the server serves again within 10 s of PostgreSQL's return",
    );
    server.terminate().await;
    out
}

/// Connects and reads until the peer closes or `within` passes; returns what was read and
/// whether the peer closed.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> (String, bool) {
    let mut buf = vec![0u8; 4096];
    let mut text = String::new();
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return (text, false);
        }
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (text, true),
            Ok(Ok(n)) => text.push_str(&String::from_utf8_lossy(&buf[..n])),
            Err(_) => return (text, false),
        }
    }
}

/// Silent connections, headers and bodies dribbled one byte a second, while ordinary
/// requests are measured.
async fn slow_clients(options: &Options) -> Outcome {
    let mut out = Outcome::new("Slow and silent clients (timeouts 5 s)");
    let db = Database::create(&options.pg_url, "slow_clients");
    let env = [
        ("LYCEUM_HTTP_IDLE_TIMEOUT_SECONDS", "5".to_owned()),
        ("LYCEUM_HTTP_HEADER_TIMEOUT_SECONDS", "5".to_owned()),
        ("LYCEUM_HTTP_BODY_TIMEOUT_SECONDS", "5".to_owned()),
    ];
    let mut server = server(options, &db, "slow-clients", &env, None).await;
    let addr = format!("127.0.0.1:{}", server.port);
    let api = Api::new(&server.base);
    let (silent, headers, bodies) = (300, 100, 100);
    let queue_before = listen_queue_drops();
    let mut tasks = Vec::new();
    for kind in std::iter::repeat_n(0, silent)
        .chain(std::iter::repeat_n(1, headers))
        .chain(std::iter::repeat_n(2, bodies))
    {
        let addr = addr.clone();
        tasks.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(&addr).await.expect("connects");
            let started = Instant::now();
            let dribble: &[u8] = match kind {
                0 => b"",
                1 => b"GET /healthz HTTP/1.1\r\nHost: soak\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                _ => b"POST /api/v1/auth/login HTTP/1.1\r\nHost: soak\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n{\"login\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            };
            let head = if kind == 2 { dribble.len() - 30 } else { 0 };
            if head > 0 && stream.write_all(&dribble[..head]).await.is_err() {
                return (kind, String::new(), true, started.elapsed());
            }
            for byte in &dribble[head..] {
                if stream.write_all(&[*byte]).await.is_err() {
                    break;
                }
                let mut probe = [0u8; 1];
                // A read that returns means the server answered or closed.
                if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_secs(1), stream.peek(&mut probe)).await {
                    break;
                }
            }
            let (text, closed) = read_until_closed(&mut stream, Duration::from_secs(20)).await;
            (kind, text, closed, started.elapsed())
        }));
    }
    // Ordinary requests meanwhile.
    let ordinary_started = Instant::now();
    let port = server.port;
    let established = tokio::spawn(async move {
        // Server-side sockets a little after the idle timeout: what the server still holds.
        tokio::time::sleep(Duration::from_secs(8)).await;
        established_on(port)
    });
    let latencies: Vec<(u16, f64)> = stream::iter(0..400)
        .map(|_| {
            let api = api.clone();
            async move {
                let t = Instant::now();
                let status = api
                    .call(
                        Method::GET,
                        "/api/v1/mentoring-sessions?limit=5",
                        None,
                        None,
                        None,
                    )
                    .await
                    .map(|(s, _, _)| s)
                    .unwrap_or(0);
                (status, t.elapsed().as_secs_f64() * 1000.0)
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let ordinary_elapsed = ordinary_started.elapsed();
    let mut sorted: Vec<f64> = latencies.iter().map(|(_, l)| *l).collect();
    sorted.sort_by(f64::total_cmp);
    let ok = latencies.iter().filter(|(s, _)| *s == 200).count();
    let mut closed = [0usize; 3];
    let mut timed_out_408 = 0;
    let mut slowest_close = [0f64; 3];
    for task in tasks {
        let (kind, text, was_closed, elapsed) = task.await.expect("client task");
        closed[kind] += usize::from(was_closed);
        slowest_close[kind] = slowest_close[kind].max(elapsed.as_secs_f64());
        if kind == 2 && text.starts_with("HTTP/1.1 408") {
            timed_out_408 += 1;
        }
    }
    out.row(
        "Silent connections closed",
        format!(
            "{}/{silent}, the last after {:.1} s",
            closed[0], slowest_close[0]
        ),
    );
    out.row(
        "Dribbled headers cut off",
        format!(
            "{}/{headers}, the last after {:.1} s",
            closed[1], slowest_close[1]
        ),
    );
    out.row(
        "Dribbled bodies answered 408",
        format!(
            "{timed_out_408}/{bodies}, the last closed after {:.1} s",
            slowest_close[2]
        ),
    );
    out.row(
        "Ordinary requests meanwhile",
        format!(
            "{ok}/400 answered 200 in {:.1} s; p50 {:.1} ms, p99 {:.1} ms",
            ordinary_elapsed.as_secs_f64(),
            sorted[sorted.len() / 2],
            sorted[sorted.len() * 99 / 100]
        ),
    );
    let queue_after = listen_queue_drops();
    out.row(
        "Server-side connections 8 s in",
        established
            .await
            .map_or("unknown".to_owned(), |n| n.to_string()),
    );
    out.row(
        "Kernel listen-queue overflows/drops meanwhile",
        match (queue_before, queue_after) {
            (Some(b), Some(a)) => format!("{}/{}", a.0 - b.0, a.1 - b.1),
            _ => "unknown".to_owned(),
        },
    );
    out.check(closed[0] == silent, "every silent connection is closed");
    out.check(closed[1] == headers, "every dribbled header is cut off");
    out.check(timed_out_408 == bodies, "every dribbled body gets a 408");
    out.check(ok == 400, "ordinary requests are served meanwhile");
    server.terminate().await;
    out
}

/// The kernel's counts of connections that overflowed or were dropped from a listen
/// queue (`TcpExt: ListenOverflows ListenDrops` in `/proc/net/netstat`).
fn listen_queue_drops() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/net/netstat").ok()?;
    let mut lines = text.lines().filter(|l| l.starts_with("TcpExt:"));
    let (names, values) = (lines.next()?, lines.next()?);
    let pairs: HashMap<&str, u64> = names
        .split_whitespace()
        .zip(values.split_whitespace())
        .filter_map(|(n, v)| Some((n, v.parse().ok()?)))
        .collect();
    Some((*pairs.get("ListenOverflows")?, *pairs.get("ListenDrops")?))
}

/// Established TCP connections whose local port is `port` (the server's side), from
/// `/proc/net/tcp`.
fn established_on(port: u16) -> usize {
    let text = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    text.lines()
        .skip(1)
        .filter(|line| {
            let mut fields = line.split_whitespace();
            let local = fields.nth(1).unwrap_or("");
            let state = fields.nth(1).unwrap_or("");
            state == "01" && local.ends_with(&format!(":{port:04X}"))
        })
        .count()
}

/// `SOAK_STREAMS` live event streams (20 per user) each receive a message sent to their
/// user; then the server is asked to stop and must not wait for the streams.
async fn event_streams(options: &Options) -> Outcome {
    let mut out = Outcome::new("Live event streams and graceful shutdown");
    let db = Database::create(&options.pg_url, "event_streams");
    let mut server = server(options, &db, "event-streams", &[], None).await;
    let api = Api::new(&server.base);
    let per_user = 20;
    let users = accounts(
        &api,
        "learner",
        "learner",
        options.streams.div_ceil(per_user),
    )
    .await;
    let (_, sender) = api.account("mentorsender", "mentor").await;
    // Messages flow only between people who share mentoring: every user books a seat in
    // the sender's session first.
    let shared = api.session(&sender, 48, users.len() as i64).await;
    for (_, token) in &users {
        let (status, body, _) = api
            .call(
                Method::POST,
                &format!("/api/v1/mentoring-sessions/{shared}/bookings"),
                Some(token),
                Some(&json!({})),
                None,
            )
            .await
            .expect("booking answers");
        assert_eq!(status, 201, "booking the sender's session: {body}");
    }
    let opened = Arc::new(AtomicUsize::new(0));
    let received = Arc::new(AtomicUsize::new(0));
    let mut streams = Vec::new();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    for (_, token) in &users {
        for _ in 0..per_user {
            let (client, base, token) = (client.clone(), server.base.clone(), token.clone());
            let (opened, received) = (opened.clone(), received.clone());
            streams.push(tokio::spawn(async move {
                let response = client
                    .get(format!("{base}/api/v1/me/events"))
                    .bearer_auth(&token)
                    .send()
                    .await;
                let Ok(response) = response else { return false };
                if response.status() != 200 {
                    return false;
                }
                opened.fetch_add(1, Ordering::Relaxed);
                let mut body = response.bytes_stream();
                let mut seen = String::new();
                let mut got_message = false;
                while let Some(chunk) = body.next().await {
                    let Ok(chunk) = chunk else { return got_message };
                    seen.push_str(&String::from_utf8_lossy(&chunk));
                    if !got_message && seen.contains(r#""event":"message""#) {
                        got_message = true;
                        received.fetch_add(1, Ordering::Relaxed);
                        seen.clear();
                    }
                }
                // The stream ended: the server closed it.
                true
            }));
        }
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while opened.load(Ordering::Relaxed) < streams.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let open = opened.load(Ordering::Relaxed);
    let sent_at = Instant::now();
    let mut unsent = 0;
    for (id, _) in &users {
        let reply = api
            .call(
                Method::POST,
                &format!("/api/v1/me/conversations/{id}/messages"),
                Some(&sender),
                Some(&json!({"body": "Hello from the soak"})),
                None,
            )
            .await;
        unsent += usize::from(!matches!(reply, Ok((201, _, _))));
    }
    while received.load(Ordering::Relaxed) < open && sent_at.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let delivery = sent_at.elapsed();
    let got = received.load(Ordering::Relaxed);
    let fds = server.open_fds();
    let rss = server.rss_mib();
    let shutdown = server.terminate().await;
    let mut ended = 0;
    for stream in streams {
        if let Ok(Ok(true)) = tokio::time::timeout(Duration::from_secs(5), stream).await {
            ended += 1;
        }
    }
    out.row("Streams open", format!("{open}/{}", options.streams));
    out.row(
        "Streams that received the message",
        format!("{got}/{open} within {:.1} s", delivery.as_secs_f64()),
    );
    out.row(
        "Server resident memory with the streams open",
        format!("{rss:.0} MiB ({fds} open files)"),
    );
    out.row(
        "Graceful shutdown took",
        format!("{:.2} s", shutdown.as_secs_f64()),
    );
    out.row("Streams ended by the shutdown", format!("{ended}/{open}"));
    out.check(unsent == 0, "every message was accepted (201)");
    out.check(open == options.streams, "every stream opened");
    out.check(got == open, "every stream received its message");
    out.check(
        shutdown < Duration::from_secs(5),
        "shutdown does not wait for open streams",
    );
    out.check(ended == open, "every stream is ended by the server");
    out
}

/// One request on an open keep-alive connection; true if it got a 200.
async fn healthz_on(stream: &mut TcpStream) -> bool {
    if stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: soak\r\n\r\n")
        .await
        .is_err()
    {
        return false;
    }
    let mut buf = vec![0u8; 2048];
    matches!(
        tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await,
        Ok(Ok(n)) if n > 0 && buf.starts_with(b"HTTP/1.1 200")
    )
}

/// The server under an open-files limit of 256, flooded with idle connections: first
/// with its own connection cap (a clear refusal), then with the cap above the limit so
/// that accept itself fails (back-off instead of a busy loop: under 10 % of a core, where
/// retrying at once takes all the CPU the machine gives it).
async fn fd_exhaustion(options: &Options) -> Outcome {
    let mut out = Outcome::new("Open-files limit reached (limit 256)");
    for (label, env) in [
        (
            "default connection cap",
            vec![("LYCEUM_DB_MAX_CONNECTIONS", "5".to_owned())],
        ),
        (
            "cap above the limit",
            vec![
                ("LYCEUM_DB_MAX_CONNECTIONS", "5".to_owned()),
                ("LYCEUM_HTTP_MAX_CONNECTIONS", "100000".to_owned()),
            ],
        ),
    ] {
        let db = Database::create(&options.pg_url, "fd_exhaustion");
        let mut server = server(options, &db, "fd-exhaustion", &env, Some(256)).await;
        let addr = format!("127.0.0.1:{}", server.port);
        let mut existing = TcpStream::connect(&addr).await.expect("connects");
        let before = healthz_on(&mut existing).await;
        let mut flood = Vec::new();
        let mut refused_503 = 0;
        for _ in 0..400 {
            match tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(&addr)).await {
                Ok(Ok(mut stream)) => {
                    let mut probe = [0u8; 12];
                    if let Ok(Ok(n)) =
                        tokio::time::timeout(Duration::from_millis(20), stream.read(&mut probe))
                            .await
                        && n > 0
                        && probe.starts_with(b"HTTP/1.1 503")
                    {
                        refused_503 += 1;
                    }
                    flood.push(stream);
                }
                _ => break,
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        let ticks = server.cpu_ticks();
        tokio::time::sleep(Duration::from_secs(5)).await;
        let cpu = (server.cpu_ticks() - ticks) as f64 / 5.0; // ticks per second = % of a core
        let during = healthz_on(&mut existing).await;
        let fds = server.open_fds();
        drop(flood);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let mut fresh = TcpStream::connect(&addr).await.expect("connects again");
        let after = healthz_on(&mut fresh).await;
        out.row(
            format!("{label}: 503 refusals among 400 connection attempts"),
            refused_503,
        );
        out.row(
            format!("{label}: server CPU while flooded"),
            format!("{cpu:.0} % of a core"),
        );
        out.row(format!("{label}: server open files while flooded"), fds);
        out.row(
            format!("{label}: existing connection answers before / during / new one after"),
            format!("{before} / {during} / {after}"),
        );
        out.check(
            cpu < 10.0,
            format!("{label}: no busy loop while the limit is reached"),
        );
        if label == "default connection cap" {
            out.check(
                refused_503 > 0,
                format!("{label}: connections over the cap get a 503"),
            );
        }
        out.check(
            before && during && after,
            format!("{label}: the server keeps answering and recovers"),
        );
        server.terminate().await;
    }
    out
}

/// Resident memory idle, then after `SOAK_SIGN_INS` sign-ins 16 at a time.
async fn memory(options: &Options) -> Outcome {
    let mut out = Outcome::new("Memory after sign-ins");
    let db = Database::create(&options.pg_url, "memory");
    let mut server = server(options, &db, "memory", &[], None).await;
    let api = Api::new(&server.base);
    let idle = server.rss_mib();
    let users = accounts(&api, "learner", "learner", 16).await;
    let after_one = server.rss_mib();
    let started = Instant::now();
    let n = options.sign_ins;
    let tokens: Vec<String> = stream::iter(0..n)
        .map(|i| {
            let api = api.clone();
            let login = format!("learner{:05}", i % users.len());
            async move { api.sign_in(&login).await }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let after = server.rss_mib();
    out.row("Resident memory idle", format!("{idle:.0} MiB"));
    out.row("After 16 sign-ups", format!("{after_one:.0} MiB"));
    out.row(
        format!("After {n} sign-ins (16 at a time)"),
        format!("{after:.0} MiB"),
    );
    out.row(
        "Sign-ins per second",
        format!("{:.1}", tokens.len() as f64 / elapsed.as_secs_f64()),
    );
    out.check(
        tokens.iter().all(|t| !t.is_empty()),
        "every sign-in succeeded",
    );
    out.check(
        after <= idle * 4.0,
        "memory after the sign-ins stays within 4× the idle figure",
    );
    server.terminate().await;
    out
}
