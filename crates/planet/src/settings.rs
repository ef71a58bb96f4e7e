//! Settings in layers: defaults, then `planet.toml`, then `PLANET_*` variables, then flags.

use crate::cli::Cli;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use planet_server::ServerConfig;

/// The keys `PLANET_*` variables may set (others, like PLANET_TEST_DATABASE_URL, belong to
/// other tools).
const KEYS: &[&str] = &["listen", "data_dir", "database_url", "public_url", "secure_cookies", "session_days"];

pub fn load(cli: &Cli) -> Result<ServerConfig, Box<figment::Error>> {
    let file = cli.config.clone().unwrap_or_else(|| "planet.toml".into());
    let env = Env::prefixed("PLANET_")
        .filter(|key| KEYS.contains(&key.as_str()) || key.as_str().starts_with("smtp__"))
        .split("__");
    let mut config: ServerConfig =
        Figment::from(Serialized::defaults(ServerConfig::default())).merge(Toml::file(file)).merge(env).extract()?;
    if let Some(dir) = &cli.data_dir {
        config.data_dir = dir.clone();
    }
    if let Some(listen) = cli.listen {
        config.listen = listen;
    }
    if let Some(url) = &cli.database_url {
        config.database_url = Some(url.clone());
    }
    Ok(config)
}
