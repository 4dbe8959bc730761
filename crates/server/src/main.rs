//! `lyceum`: the Lyceum server and its operator commands.
#![forbid(unsafe_code)]

use std::io::{BufRead, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use lyceum_app::identity::RegistrationInput;
use lyceum_server::config::Config;
use lyceum_server::{StartError, connect, seed, start, wire};
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc malloc: allocation was the largest cost of the database
/// adapter that is ours to choose (docs/performance.md, "Where the adapter's time went").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "lyceum",
    version,
    about = "Lyceum: live mentoring and self-paced learning in one API"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve HTTP until SIGTERM or Ctrl-C (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (JSON) to standard output.
    Openapi,
    /// Create an administrator account. The password is read from LYCEUM_ADMIN_PASSWORD or,
    /// if unset, from the first line of standard input.
    CreateAdmin {
        /// Login email.
        #[arg(long)]
        email: String,
        /// Username (8–16 characters, starting with a letter).
        #[arg(long)]
        username: String,
        /// Given name.
        #[arg(long, default_value = "Lyceum")]
        first_name: String,
        /// Family name.
        #[arg(long, default_value = "Admin")]
        last_name: String,
    },
    /// Create demo mentors and learners with specializations, for trying the API.
    SeedDemo,
}

fn init_tracing(json: bool) {
    let filter = EnvFilter::try_from_env("LYCEUM_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init()
    } else {
        builder.init()
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn run(cli: Cli, config: Config) -> Result<(), Box<dyn std::error::Error>> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let server = start(&config).await?;
            tracing::info!(url = %server.base_url, database = %config.database_for_logs(), "Lyceum is listening");
            eprintln!(
                "Lyceum is listening on {0}\n  Swagger UI:   {0}/docs\n  OpenAPI JSON: {0}/openapi.json",
                server.base_url
            );
            shutdown_signal().await;
            tracing::info!("shutting down: finishing in-flight requests");
            server.stop().await?;
        }
        Command::Migrate => {
            let db = connect(&config).await?;
            db.migrate()
                .await
                .map_err(|e| StartError::Database(e.to_string()))?;
            eprintln!("migrations applied to {}", config.database_for_logs());
        }
        Command::Openapi => {
            let document = lyceum_server::openapi_document(&config).await?;
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`lyceum openapi | head`) is not an error worth a panic.
            if let Err(error) = writeln!(stdout, "{document}")
                && error.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(error.into());
            }
        }
        Command::CreateAdmin {
            email,
            username,
            first_name,
            last_name,
        } => {
            let password = match std::env::var("LYCEUM_ADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    eprintln!("password (one line on standard input):");
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let db = connect(&config).await?;
            db.migrate()
                .await
                .map_err(|e| StartError::Database(e.to_string()))?;
            let app = wire(&config, &db)?;
            let registration = RegistrationInput {
                email,
                username,
                password,
                first_name,
                last_name,
                role: "learner".into(),
                phone_number: None,
            };
            let admin = app
                .create_admin(registration)
                .await
                .map_err(|e| format!("cannot create the admin: {e}"))?;
            println!("admin created: {} ({})", admin.username.as_str(), admin.id);
        }
        Command::SeedDemo => {
            let db = connect(&config).await?;
            db.migrate()
                .await
                .map_err(|e| StartError::Database(e.to_string()))?;
            let app = wire(&config, &db)?;
            let created = seed::seed_demo(&app)
                .await
                .map_err(|e| format!("seeding failed: {e}"))?;
            if created.is_empty() {
                println!("demo accounts already exist");
            } else {
                println!(
                    "created demo accounts (password {}): {}",
                    seed::DEMO_PASSWORD,
                    created.join(", ")
                );
            }
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("lyceum: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    init_tracing(config.log_json);
    match run(cli, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lyceum: {error}");
            ExitCode::FAILURE
        }
    }
}
