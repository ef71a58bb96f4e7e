//! The command line.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// PlaNet: a community-owned platform for local sustainable communities.
#[derive(Parser, Debug)]
#[command(name = "planet", version)]
pub struct Cli {
    /// A settings file (TOML). Default: planet.toml, if it exists.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Where the SQLite database and uploads live [env: PLANET_DATA_DIR] (default ./planet-data).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on [env: PLANET_LISTEN] (default 127.0.0.1:8080).
    #[arg(long, global = true)]
    pub listen: Option<SocketAddr>,
    /// Database URL [env: PLANET_DATABASE_URL] (default: SQLite in the data dir).
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the community (the default).
    Serve,
    /// Bring the database schema up to date, and list the migrations applied.
    Migrate,
    /// Steward tasks from the command line.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Copy the whole database, while it runs, into a new file.
    Backup {
        /// The file to write (must not exist yet).
        file: PathBuf,
    },
    /// Fill an empty database with a sample market town to explore.
    Demo,
}

#[derive(Subcommand, Debug)]
pub enum AdminAction {
    /// Create a steward account (or make an existing member a steward). The password is read
    /// from PLANET_ADMIN_PASSWORD, or asked for.
    CreateSteward {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
    },
    /// Set a new password for a member, and log them out everywhere. The password is read from
    /// PLANET_ADMIN_PASSWORD, or asked for.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// List the members.
    ListMembers,
}
