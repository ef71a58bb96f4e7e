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
        .filter(|key| {
            let key = key.as_str().to_ascii_lowercase();
            KEYS.contains(&key.as_str()) || key.starts_with("smtp__")
        })
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

#[cfg(test)]
// figment's Jail fixes the closures' error type; its size is not ours to choose.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn layers_apply_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "planet.toml",
                "listen = \"0.0.0.0:9000\"\nsession_days = 7\npublic_url = \"https://diss.example\"\n",
            )?;
            jail.set_env("PLANET_SESSION_DAYS", "3");
            jail.set_env("PLANET_SMTP__HOST", "mail.diss.example");
            jail.set_env("PLANET_SMTP__FROM", "PlaNet <planet@diss.example>");
            // Variables of other tools are not settings, and do not upset the parser.
            jail.set_env("PLANET_TEST_DATABASE_URL", "postgres://elsewhere");
            let cli = Cli::parse_from(["planet", "--data-dir", "/srv/planet"]);
            let config = load(&cli).map_err(|e| e.to_string())?;
            assert_eq!(config.listen.to_string(), "0.0.0.0:9000", "from the file");
            assert_eq!(config.session_days, 3, "the environment beats the file");
            assert_eq!(config.data_dir, std::path::PathBuf::from("/srv/planet"), "flags beat everything");
            assert_eq!(config.public_url.as_deref(), Some("https://diss.example"));
            let smtp = config.smtp.expect("smtp from the environment");
            assert_eq!((smtp.host.as_str(), smtp.port), ("mail.diss.example", 25));
            assert_eq!(config.database_url, None);
            Ok(())
        });
    }

    #[test]
    fn defaults_serve_locally_from_planet_data() {
        figment::Jail::expect_with(|_jail| {
            let config = load(&Cli::parse_from(["planet"])).map_err(|e| e.to_string())?;
            assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
            assert_eq!(config.data_dir, std::path::PathBuf::from("planet-data"));
            Ok(())
        });
    }

    #[test]
    fn a_typo_in_the_file_is_an_error() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("planet.toml", "lisen = \"0.0.0.0:9000\"\n")?;
            assert!(load(&Cli::parse_from(["planet"])).is_err());
            Ok(())
        });
    }
}
