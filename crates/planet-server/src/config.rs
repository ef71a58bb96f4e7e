//! The server's settings, passed in as a value (no global statics). The binary fills it from
//! defaults, `planet.toml` and `PLANET_*` variables.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Where to listen, like `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// Where the SQLite file and uploads live.
    pub data_dir: PathBuf,
    /// Overrides the SQLite file in the data dir, e.g. `postgres://planet@localhost/planet`.
    pub database_url: Option<String>,
    /// The address members use, like `https://diss.planet.example`, for links in emails. When
    /// unset, links are made from the address the request came to.
    pub public_url: Option<String>,
    /// Mark cookies `Secure` (set when served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Days a session lasts without use.
    pub session_days: i64,
    /// Outgoing mail; without it, mail waits in the outbox for stewards to read.
    pub smtp: Option<SmtpConfig>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("planet-data"),
            database_url: None,
            public_url: None,
            secure_cookies: false,
            session_days: 30,
            smtp: None,
        }
    }
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// `none` (a relay on this machine), `starttls` or `tls`.
    #[serde(default)]
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, like `PlaNet Diss <planet@diss.example>`.
    pub from: String,
}

fn default_smtp_port() -> u16 {
    25
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .finish()
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    #[default]
    None,
    Starttls,
    Tls,
}
