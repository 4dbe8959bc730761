//! The server under test as a separate process (so that it can be killed with SIGKILL,
//! started under a lower open-files limit and measured from /proc), and the throwaway
//! PostgreSQL database it runs on.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

/// A PostgreSQL database created for one scenario and dropped when it ends.
pub(crate) struct Database {
    admin_url: String,
    name: String,
    pub url: String,
}

impl Database {
    pub fn create(pg_url: &str, scenario: &str) -> Self {
        let name = format!(
            "lyceum_soak_{}_{}",
            scenario.replace('-', "_"),
            std::process::id()
        );
        let admin_url = format!("{pg_url}/postgres");
        psql(
            &admin_url,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
        psql(&admin_url, &format!("CREATE DATABASE {name}"));
        Self {
            url: format!("{pg_url}/{name}"),
            admin_url,
            name,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        psql(
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

fn psql(url: &str, sql: &str) {
    let status = std::process::Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
        .stdout(Stdio::null())
        .status()
        .expect("psql runs");
    assert!(status.success(), "psql failed: {sql}");
}

/// A free TCP port on 127.0.0.1.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One `lyceum serve` process.
pub(crate) struct Server {
    bin: PathBuf,
    log: PathBuf,
    env: Vec<(String, String)>,
    open_files: Option<u64>,
    child: Option<Child>,
    pub port: u16,
    pub base: String,
}

impl Server {
    /// Starts `lyceum serve` on `database_url` with `env` on top of the soak defaults
    /// (no sign-in rate limit, warnings only), under `open_files` if given, and waits
    /// until `/readyz` answers.
    pub async fn start(
        bin: &Path,
        log: PathBuf,
        database_url: &str,
        env: &[(&str, String)],
        open_files: Option<u64>,
    ) -> Self {
        let port = free_port();
        let mut all = vec![
            ("LYCEUM_DATABASE_URL".to_owned(), database_url.to_owned()),
            ("LYCEUM_BIND".to_owned(), format!("127.0.0.1:{port}")),
            (
                "LYCEUM_AUTH_RATE_LIMIT_PER_MINUTE".to_owned(),
                "0".to_owned(),
            ),
            ("LYCEUM_LOG".to_owned(), "warn".to_owned()),
            (
                "LYCEUM_ACCESS_TOKEN_TTL_SECONDS".to_owned(),
                "7200".to_owned(),
            ),
        ];
        all.extend(env.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        let mut server = Self {
            bin: bin.to_owned(),
            log,
            env: all,
            open_files,
            child: None,
            port,
            base: format!("http://127.0.0.1:{port}"),
        };
        server.spawn().await;
        server
    }

    async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("server log");
        let mut command = match self.open_files {
            Some(limit) => {
                let mut c = Command::new("prlimit");
                c.arg(format!("--nofile={limit}:{limit}"))
                    .arg("--")
                    .arg(&self.bin);
                c
            }
            None => Command::new(&self.bin),
        };
        command
            .arg("serve")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true);
        self.child = Some(command.spawn().expect("server starts"));
        self.wait_ready().await;
    }

    /// Waits until `/readyz` answers 200 (at most a minute).
    pub async fn wait_ready(&self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await
                && r.status().is_success()
            {
                return;
            }
            assert!(Instant::now() < deadline, "server not ready within 60 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child
            .as_ref()
            .and_then(Child::id)
            .expect("server is running")
    }

    /// SIGKILL, then wait for the process to be gone.
    pub async fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }

    /// SIGKILL and start again on the same port and database.
    pub async fn restart_after_kill9(&mut self) {
        self.kill9().await;
        self.spawn().await;
    }

    /// SIGTERM (graceful shutdown); returns how long the process took to exit.
    pub async fn terminate(&mut self) -> Duration {
        let started = Instant::now();
        if let Some(mut child) = self.child.take() {
            let pid = child.id().expect("running").to_string();
            let _ = Command::new("kill").args(["-TERM", &pid]).status().await;
            let _ = tokio::time::timeout(Duration::from_secs(30), child.wait()).await;
            let _ = child.start_kill();
        }
        started.elapsed()
    }

    /// Resident memory in MiB, from /proc.
    pub fn rss_mib(&self) -> f64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kib| kib / 1024.0)
            .unwrap_or(0.0)
    }

    /// CPU time used so far (user + system), in clock ticks (1/100 s on Linux).
    pub fn cpu_ticks(&self) -> u64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap_or_default();
        // Fields after the command name, which is in parentheses and may hold spaces.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let field = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        // utime and stime are fields 14 and 15 of the whole line, 11 and 12 after ')'.
        field(11) + field(12)
    }

    /// Open file descriptors of the process.
    pub fn open_fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .map(|d| d.count())
            .unwrap_or(0)
    }
}
