//! `planet`: the one program a community runs.

mod admin;
mod cli;
mod demo;
mod market;
mod settings;

use anyhow::Context;
use clap::Parser;
use cli::{Cli, Command};
use planet_domain::SystemClock;
use planet_server::Application;
use planet_store::Store;
use std::sync::Arc;

// mimalloc: the server allocates many small, short-lived buffers per request; glibc's malloc
// spent a sixth of the home page's time (see BENCHMARKS.md), and keeps memory after a burst.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn")),
        )
        .init();
    let cli = Cli::parse();
    let config = settings::load(&cli).context("reading the settings")?;
    let url = planet_server::database_url(&config).map_err(anyhow::Error::msg)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let store = Store::open(&url).await.with_context(|| format!("opening the database {url}"))?;
            let app = Application::build(config, store, Arc::new(SystemClock)).await?;
            let addr = app.local_addr()?;
            tracing::info!("PlaNet is serving on http://{addr}");
            if !app.state().is_set_up() {
                tracing::info!("first run: open http://{addr}/setup to name your community");
            }
            app.run_until(shutdown_signal()).await?;
        }
        Command::Migrate => {
            let store = Store::open_unmigrated(&url).await?;
            store.migrate().await?;
            for name in store.applied_migrations().await? {
                println!("applied: {name}");
            }
        }
        Command::Admin { action } => {
            let store = Store::open(&url).await?;
            admin::run(&store, action).await?;
        }
        Command::Backup { file } => {
            let store = Store::open(&url).await?;
            store.backup_to(&file).await.with_context(|| format!("backing up to {}", file.display()))?;
            println!("Backed up to {}", file.display());
        }
        Command::Demo => {
            let store = Store::open(&url).await?;
            let summary = demo::seed(&store, &SystemClock).await?;
            println!("{summary}");
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("stopping");
}
