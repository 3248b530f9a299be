//! The `smartspec` binary: flags, logging, then `smartspec::run`.

use clap::Parser;
use smartspec::config::{Cli, Config};
use std::time::Duration;
use tracing_subscriber::EnvFilter;

/// How long the blocking pool's jobs (a whole layer being compressed, say) may run on after the
/// server has stopped: the process exits then, whatever is left, so SIGTERM ends within
/// `--shutdown-grace` plus this. Short, because nothing is lost: every connection is closed by
/// then, so no client waits for what those jobs make, and derived files are written to a
/// temporary name and renamed, so one cut short leaves no half-written file.
const BLOCKING_JOBS_GRACE: Duration = Duration::from_millis(100);

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn")),
        )
        .init();
    let config = Config::from_cli(Cli::parse())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(smartspec::run(config));
    runtime.shutdown_timeout(BLOCKING_JOBS_GRACE);
    if let Err(e) = outcome {
        tracing::error!("{e:#}");
        std::process::exit(1);
    }
    Ok(())
}
