//! The `smartspec` binary: flags, logging, then `smartspec::run`.

use clap::Parser;
use smartspec::config::{Cli, Config};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn")),
        )
        .init();
    let config = Config::from_cli(Cli::parse())?;
    if let Err(e) = smartspec::run(config).await {
        tracing::error!("{e:#}");
        std::process::exit(1);
    }
    Ok(())
}
