//! The serving loop over raw TCP: open-files limit, connection cap, idle/header/body
//! deadlines, and graceful shutdown with live event streams open. The loop does not touch
//! the database, so these run on SQLite only.

use std::time::Duration;

use futures_util::StreamExt;
use lyceum_e2e::{TestApp, TestDb, on_each_backend, spawn_app_with};
use lyceum_infra_seaorm::Backend;
use lyceum_server::config::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep, timeout};

/// Runs `body` on a SQLite-backed server configured by `tweak`.
async fn on_a_server<F, Fut>(tweak: fn(&mut Config), body: F)
where
    F: Fn(TestApp) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let body = std::sync::Arc::new(body);
    on_each_backend(move |db: TestDb| {
        let body = body.clone();
        async move {
            if db.backend != Backend::Sqlite {
                return;
            }
            let app = spawn_app_with(&db, tweak).await;
            body(app).await;
        }
    })
    .await;
}

/// Short deadlines, so that the tests see them pass.
fn short_deadlines(config: &mut Config) {
    config.http_idle_timeout_seconds = 2;
    config.http_header_timeout_seconds = 1;
    config.http_body_timeout_seconds = 1;
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .expect("the server takes the connection")
}

/// One response read off a kept-alive connection.
#[derive(Debug)]
struct Raw {
    status: u16,
    head: String,
    body: String,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then_some(value.trim())
        })
    }

    fn problem(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {self:?}"))
    }
}

/// Reads one response with a `Content-Length` body; `None` when the server closes the
/// connection before a whole response arrived.
async fn read_response(stream: &mut TcpStream) -> Option<Raw> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&buffer).into_owned();
        if let Some((head, rest)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|line| {
                    let (key, value) = line.split_once(':')?;
                    key.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if rest.len() >= length {
                let status = head.split(' ').nth(1)?.parse().ok()?;
                return Some(Raw {
                    status,
                    head: head.to_owned(),
                    body: rest[..length].to_owned(),
                });
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
        }
    }
}

/// Waits up to `within` for the server to close the connection; returns how long it
/// took, or panics if it stayed open or sent anything.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Duration {
    let started = Instant::now();
    let mut chunk = [0u8; 1024];
    match timeout(within, stream.read(&mut chunk)).await {
        Ok(Ok(0)) | Ok(Err(_)) => started.elapsed(),
        Ok(Ok(read)) => panic!(
            "expected the connection to close, got {:?}",
            String::from_utf8_lossy(&chunk[..read])
        ),
        Err(_) => panic!("the connection is still open after {within:?}"),
    }
}

async fn get_health(stream: &mut TcpStream) -> Option<Raw> {
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: lyceum\r\n\r\n")
        .await
        .ok()?;
    read_response(stream).await
}

#[tokio::test]
async fn starting_raises_the_soft_open_files_limit_to_the_hard_limit() {
    on_each_backend(|db: TestDb| async move {
        if db.backend != Backend::Sqlite {
            return;
        }
        let (_, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
        // Lower the soft limit a little below the hard one (harmless for the other tests),
        // so that starting has something to raise.
        if hard > 1 && hard != rlimit::INFINITY {
            rlimit::setrlimit(rlimit::Resource::NOFILE, hard - 1, hard).unwrap();
        }
        let app = spawn_app_with(&db, |_| {}).await;
        let (soft, hard_after) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
        assert_eq!(hard_after, hard);
        assert_eq!(soft, hard, "the soft limit is raised to the hard limit");
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn over_the_connection_cap_a_connection_gets_a_503_problem_and_a_closed_one_frees_its_slot() {
    on_a_server(
        |c| c.http_max_connections = 2,
        |app| async move {
            let mut first = connect(&app).await;
            let mut second = connect(&app).await;
            assert_eq!(get_health(&mut first).await.unwrap().status, 200);
            assert_eq!(get_health(&mut second).await.unwrap().status, 200);

            let mut third = connect(&app).await;
            let refused = get_health(&mut third)
                .await
                .expect("a whole answer, not a reset");
            assert_eq!(refused.status, 503, "{refused:?}");
            assert_eq!(
                refused.header("content-type"),
                Some("application/problem+json")
            );
            assert_eq!(refused.header("retry-after"), Some("5"));
            assert_eq!(refused.header("connection"), Some("close"));
            let problem = refused.problem();
            assert_eq!(problem["code"], "server.unavailable");
            assert_eq!(problem["status"], 503);
            assert!(problem["detail"].as_str().unwrap().contains("connections"));
            closed_within(&mut third, Duration::from_secs(3)).await;

            // The two kept-alive connections still work; closing one frees its slot.
            assert_eq!(get_health(&mut first).await.unwrap().status, 200);
            drop(second);
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                let mut next = connect(&app).await;
                match get_health(&mut next).await {
                    Some(answer) if answer.status == 200 => break,
                    answer => {
                        assert!(Instant::now() < deadline, "no slot freed: {answer:?}");
                        sleep(Duration::from_millis(50)).await;
                    }
                }
            }
            drop(first);
            app.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_idle_timeout() {
    on_a_server(short_deadlines, |app| async move {
        let mut silent = connect(&app).await;
        let took = closed_within(&mut silent, Duration::from_secs(6)).await;
        assert!(
            took >= Duration::from_millis(1500),
            "closed early: {took:?}"
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_kept_alive_connection_is_closed_after_the_idle_timeout_not_the_header_one() {
    on_a_server(short_deadlines, |app| async move {
        let mut kept = connect(&app).await;
        assert_eq!(get_health(&mut kept).await.unwrap().status, 200);
        // Longer than the header deadline, shorter than the idle one: still open.
        sleep(Duration::from_millis(1500)).await;
        assert_eq!(
            get_health(&mut kept).await.map(|r| r.status),
            Some(200),
            "an idle wait is not a slow head"
        );
        let took = closed_within(&mut kept, Duration::from_secs(6)).await;
        assert!(
            took >= Duration::from_millis(1500),
            "closed early: {took:?}"
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_request_head_dribbled_byte_by_byte_is_cut_off() {
    on_a_server(short_deadlines, |app| async move {
        let stream = connect(&app).await;
        let (mut reader, mut writer) = stream.into_split();
        let started = Instant::now();
        let dribble = tokio::spawn(async move {
            let head = b"GET /healthz HTTP/1.1\r\nhost: lyceum\r\nx-slow: ";
            for byte in head.iter().chain(std::iter::repeat(&b'a')).take(100) {
                if writer.write_all(&[*byte]).await.is_err() {
                    return;
                }
                sleep(Duration::from_millis(100)).await;
            }
        });
        let mut chunk = [0u8; 1024];
        let read = timeout(Duration::from_secs(6), reader.read(&mut chunk))
            .await
            .expect("the server cuts the slow head off");
        assert!(
            matches!(read, Ok(0) | Err(_)),
            "closed without an answer, got {:?}",
            read.map(|n| String::from_utf8_lossy(&chunk[..n]).into_owned())
        );
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(3),
            "cut off after {took:?}, with a 1 s header deadline"
        );
        dribble.abort();
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_request_body_dribbled_slowly_gets_a_408_problem_and_the_connection_closes() {
    on_a_server(short_deadlines, |app| async move {
        let stream = connect(&app).await;
        let (mut reader, mut writer) = stream.into_split();
        let body = br#"{"login": "nobody_here", "password": "Secret123"}"#;
        let head = format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nhost: lyceum\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        writer.write_all(head.as_bytes()).await.unwrap();
        let started = Instant::now();
        let dribble = tokio::spawn(async move {
            for byte in body {
                if writer.write_all(&[*byte]).await.is_err() {
                    return;
                }
                sleep(Duration::from_millis(200)).await;
            }
        });
        let mut received = Vec::new();
        let mut chunk = [0u8; 4096];
        while let Ok(Ok(read)) = timeout(Duration::from_secs(6), reader.read(&mut chunk)).await {
            if read == 0 {
                break;
            }
            received.extend_from_slice(&chunk[..read]);
        }
        let took = started.elapsed();
        dribble.abort();
        let text = String::from_utf8_lossy(&received).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").expect("a whole answer");
        assert!(head.starts_with("HTTP/1.1 408"), "{text}");
        let head = head.to_ascii_lowercase();
        assert!(
            head.contains("content-type: application/problem+json"),
            "{head}"
        );
        assert!(head.contains("connection: close"), "{head}");
        let problem: Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["code"], "request.timeout");
        assert_eq!(problem["status"], 408);
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(3),
            "answered after {took:?}, with a 1 s body deadline"
        );
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_slowish_request_within_its_deadlines_is_served() {
    on_a_server(short_deadlines, |app| async move {
        let body = json!({"email": "slow_client@example.com", "username": "slowclient",
                          "password": "Secret123", "first_name": "Slow", "last_name": "Client",
                          "role": "learner"})
        .to_string();
        let head = format!(
            "POST /api/v1/auth/register HTTP/1.1\r\nhost: lyceum\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let mut stream = connect(&app).await;
        // Each part in six pieces over 0.6 s: slow, but within its 1 s deadline.
        for part in [head.as_bytes(), body.as_bytes()] {
            for piece in part.chunks(part.len().div_ceil(6)) {
                stream.write_all(piece).await.unwrap();
                sleep(Duration::from_millis(100)).await;
            }
        }
        let answer = read_response(&mut stream).await.expect("an answer");
        assert_eq!(answer.status, 201, "{answer:?}");
        assert_eq!(answer.problem()["username"], "slowclient");
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn deadlines_do_not_cut_a_live_event_stream() {
    on_a_server(short_deadlines, |app| async move {
        let (_, token, _) = app.signed_up("stream_keeper", "learner").await;
        let response = app
            .http
            .get(format!("{}/api/v1/me/events", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let mut events = response.bytes_stream();
        // Three times the longest deadline with nothing to send: the stream stays open.
        let waited = timeout(Duration::from_secs(6), events.next()).await;
        assert!(waited.is_err(), "the stream ended: {waited:?}");
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn shutdown_ends_event_streams_refuses_new_connections_and_finishes_requests_in_flight() {
    on_a_server(
        |c| c.http_body_timeout_seconds = 30,
        |app| async move {
            let (_, token, _) = app.signed_up("stream_stopper", "learner").await;
            let response = app
                .http
                .get(format!("{}/api/v1/me/events", app.base))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let mut events = response.bytes_stream();

            // A request in flight: its head and half its body are in.
            let body = br#"{"login": "nobody_here", "password": "Secret123"}"#;
            let head = format!(
                "POST /api/v1/auth/login HTTP/1.1\r\nhost: lyceum\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            let mut in_flight = connect(&app).await;
            in_flight.write_all(head.as_bytes()).await.unwrap();
            in_flight.write_all(&body[..10]).await.unwrap();
            sleep(Duration::from_millis(200)).await;

            let address = app.base.trim_start_matches("http://").to_owned();
            let started = Instant::now();
            let stopping = tokio::spawn(app.stop());

            // The live stream ends cleanly, long before the 10 s drain timeout.
            let end = timeout(Duration::from_secs(3), async {
                while let Some(chunk) = events.next().await {
                    chunk.expect("the stream ends cleanly, not with an error");
                }
            })
            .await;
            assert!(end.is_ok(), "the event stream is still open");

            // New connections are refused while the request in flight is finishing.
            let refused_by = Instant::now() + Duration::from_secs(2);
            loop {
                match TcpStream::connect(&address).await {
                    Err(error) => {
                        assert_eq!(error.kind(), std::io::ErrorKind::ConnectionRefused);
                        break;
                    }
                    Ok(_) => {
                        assert!(Instant::now() < refused_by, "still accepting");
                        sleep(Duration::from_millis(20)).await;
                    }
                }
            }
            assert!(!stopping.is_finished(), "it waits for the request in flight");

            in_flight.write_all(&body[10..]).await.unwrap();
            let answer = read_response(&mut in_flight)
                .await
                .expect("the request in flight is answered");
            assert_eq!(answer.status, 401, "{answer:?}");
            assert_eq!(answer.problem()["code"], "auth.invalid_credentials");

            timeout(Duration::from_secs(3), stopping)
                .await
                .expect("stop returns well before the drain timeout")
                .unwrap();
            assert!(
                started.elapsed() < Duration::from_secs(4),
                "{:?}",
                started.elapsed()
            );
        },
    )
    .await;
}
