//! `sql-ceiling`: runs the SQL that the session discovery list and the session-by-id
//! endpoints execute — through the server's own SeaORM adapters, on a pool opened by the
//! same code with the same size ([`lyceum_infra_seaorm::Database`]) — with a fixed number
//! of concurrent tasks for a fixed time, and prints operations per second as one JSON
//! line. There is no HTTP, no JSON encoding and no application layer: it is the ceiling
//! the HTTP figures are compared to.
//!
//! ```text
//! sql-ceiling --database-url postgres://… --workload discovery|by-id
//!             [--ids-file ids.txt] [--pool 10] [--concurrency 64] [--seconds 10] [--once]
//! ```
//!
//! `--once` runs one operation, so that the benchmark script can compare the statements
//! PostgreSQL logs for it with those it logs for one request to the server.
#![forbid(unsafe_code)]

mod queries;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use lyceum_infra_seaorm::{Database, DbSettings};
use uuid::Uuid;

use crate::queries::{Stores, Workload};

/// The server's allocator, so that the ceiling pays what the server pays.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    database_url: String,
    workload: Workload,
    ids_file: Option<String>,
    pool: u32,
    concurrency: usize,
    seconds: u64,
    once: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: sql-ceiling --database-url URL --workload discovery|by-id [--ids-file FILE] \
         [--pool N] [--concurrency N] [--seconds N] [--once]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut args = Args {
        database_url: String::new(),
        workload: Workload::Discovery,
        ids_file: None,
        pool: 10,
        concurrency: 64,
        seconds: 10,
        once: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--database-url" => args.database_url = value(),
            "--workload" => {
                args.workload = match value().as_str() {
                    "discovery" => Workload::Discovery,
                    "by-id" => Workload::ById,
                    _ => usage(),
                }
            }
            "--ids-file" => args.ids_file = Some(value()),
            "--pool" => args.pool = value().parse().unwrap_or_else(|_| usage()),
            "--concurrency" => args.concurrency = value().parse().unwrap_or_else(|_| usage()),
            "--seconds" => args.seconds = value().parse().unwrap_or_else(|_| usage()),
            "--once" => args.once = true,
            _ => usage(),
        }
    }
    if args.database_url.is_empty() || args.concurrency == 0 || args.pool == 0 {
        usage()
    }
    args
}

fn read_ids(path: &str) -> Result<Vec<Uuid>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let ids = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Uuid::parse_str(l).map_err(|e| format!("{path}: {l:?}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    if ids.is_empty() {
        return Err(format!("{path}: no ids"));
    }
    Ok(ids)
}

async fn run() -> Result<(), String> {
    let args = parse_args();
    let ids = match (&args.workload, &args.ids_file) {
        (Workload::ById, Some(path)) => Arc::new(read_ids(path)?),
        (Workload::ById, None) => return Err("--workload by-id needs --ids-file".into()),
        _ => Arc::new(Vec::new()),
    };
    let db = Database::connect(&DbSettings {
        url: args.database_url.clone(),
        max_connections: args.pool,
        busy_timeout: Duration::from_secs(10),
    })
    .await
    .map_err(|e| e.to_string())?;

    let stores = Stores::new(&db);
    if args.once {
        args.workload.run(&stores, 0, &ids).await?;
        println!("{}: one operation done", args.workload.name());
        return Ok(());
    }

    // Warm every pooled connection (and its prepared-statement cache) before measuring.
    let warm: Vec<_> = (0..args.pool as usize * 4)
        .map(|i| {
            let stores = stores.clone();
            let ids = ids.clone();
            let workload = args.workload;
            tokio::spawn(async move { workload.run(&stores, i as u64, &ids).await })
        })
        .collect();
    for task in warm {
        task.await.map_err(|e| e.to_string())??;
    }

    let stop = Arc::new(AtomicBool::new(false));
    let ops = Arc::new(AtomicU64::new(0));
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let (stores, ids, stop, ops, next) = (
                stores.clone(),
                ids.clone(),
                stop.clone(),
                ops.clone(),
                next.clone(),
            );
            let workload = args.workload;
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    workload.run(&stores, i, &ids).await?;
                    ops.fetch_add(1, Ordering::Relaxed);
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let counted = ops.load(Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    let line = serde_json::json!({
        "workload": args.workload.name(),
        "pool": args.pool,
        "concurrency": args.concurrency,
        "seconds": elapsed,
        "ops": counted,
        "ops_per_sec": counted as f64 / elapsed,
    });
    println!("{line}");
    db.close().await.map_err(|e| e.to_string())?;
    Ok(())
}

#[tokio::main]
async fn main() {
    if let Err(error) = run().await {
        eprintln!("sql-ceiling: {error}");
        std::process::exit(1);
    }
}
