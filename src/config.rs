//! Command-line flags with environment fallbacks, validated once into a `Config`.

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

pub const DEFAULT_DATA_DIR: &str = "../shared/data";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_WEB_DIR: &str = "web";

/// smartspec: England's LEP, region and NUTS boundaries joined with innovation metrics,
/// served as OGC API Features and on a Leaflet map.
#[derive(Debug, Clone, Parser)]
#[command(name = "smartspec", version)]
pub struct Cli {
    /// Directory holding `boundaries/` and `metrics/` (paths in the manifest are relative to it).
    #[arg(long, env = "SMARTSPEC_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,
    /// Address to listen on; port 0 picks a free port (the chosen address is logged).
    #[arg(long, env = "SMARTSPEC_ADDR", default_value = DEFAULT_ADDR)]
    pub addr: SocketAddr,
    /// The manifest of layers and metrics tables.
    #[arg(long, env = "SMARTSPEC_MANIFEST", default_value = crate::load::DEFAULT_MANIFEST)]
    pub manifest: PathBuf,
    /// The map's static files (Leaflet is read from `<web-dir>/node_modules/leaflet/dist`).
    #[arg(long, env = "SMARTSPEC_WEB_DIR", default_value = DEFAULT_WEB_DIR)]
    pub web_dir: PathBuf,
    /// An XYZ tile URL template for a basemap under the map (none by default: works offline).
    #[arg(long, env = "SMARTSPEC_TILE_URL")]
    pub tile_url: Option<String>,
    /// Attribution to show for the basemap tiles.
    #[arg(long, env = "SMARTSPEC_TILE_ATTRIBUTION")]
    pub tile_attribution: Option<String>,
    /// Where derived artefacts (adjacency, zoom bands) are kept between runs, keyed by the
    /// content of the input files and the code; default `$XDG_CACHE_HOME/smartspec` or
    /// `~/.cache/smartspec`.
    #[arg(long, env = "SMARTSPEC_CACHE_DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,
    /// Derive every artefact afresh and keep nothing on disk.
    #[arg(long, env = "SMARTSPEC_NO_CACHE")]
    pub no_cache: bool,
    /// The byte budget of the in-memory cache of encoded responses, in MiB.
    #[arg(long, env = "SMARTSPEC_RESPONSE_CACHE_MB", default_value_t = DEFAULT_RESPONSE_CACHE_MB)]
    pub response_cache_mb: u64,
}

pub const DEFAULT_RESPONSE_CACHE_MB: u64 = 512;

/// Validated settings: directories exist, the manifest is a file.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub addr: SocketAddr,
    pub manifest: PathBuf,
    pub web_dir: PathBuf,
    pub tile_url: Option<String>,
    pub tile_attribution: Option<String>,
    /// `None` when the artefact cache is off (`--no-cache`, or no cache folder can be named).
    pub cache_dir: Option<PathBuf>,
    pub response_cache_bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--data-dir {0}: not a directory (set --data-dir or SMARTSPEC_DATA_DIR to the folder holding boundaries/ and metrics/)")]
    DataDir(PathBuf),
    #[error("--manifest {0}: no such file (set --manifest or SMARTSPEC_MANIFEST)")]
    Manifest(PathBuf),
    #[error("--web-dir {0}: not a directory (set --web-dir or SMARTSPEC_WEB_DIR)")]
    WebDir(PathBuf),
    #[error("--tile-url {0}: expected an http(s) URL template containing {{z}}, {{x}} and {{y}}")]
    TileUrl(String),
}

impl Config {
    pub fn from_cli(cli: Cli) -> Result<Config, ConfigError> {
        if !cli.data_dir.is_dir() {
            return Err(ConfigError::DataDir(cli.data_dir));
        }
        if !cli.manifest.is_file() {
            return Err(ConfigError::Manifest(cli.manifest));
        }
        if !cli.web_dir.is_dir() {
            return Err(ConfigError::WebDir(cli.web_dir));
        }
        if let Some(url) = &cli.tile_url {
            let templated = ["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p));
            if !(url.starts_with("http://") || url.starts_with("https://")) || !templated {
                return Err(ConfigError::TileUrl(url.clone()));
            }
        }
        let cache_dir = if cli.no_cache {
            None
        } else {
            cli.cache_dir.or_else(default_cache_dir)
        };
        Ok(Config {
            cache_dir,
            response_cache_bytes: cli.response_cache_mb.saturating_mul(1 << 20),
            data_dir: cli.data_dir,
            addr: cli.addr,
            manifest: cli.manifest,
            web_dir: cli.web_dir,
            tile_url: cli.tile_url,
            tile_attribution: cli.tile_attribution,
        })
    }

    /// Leaflet's distribution folder, installed from npm.
    pub fn leaflet_dir(&self) -> PathBuf {
        self.web_dir.join("node_modules/leaflet/dist")
    }
}

/// `$XDG_CACHE_HOME/smartspec`, else `$HOME/.cache/smartspec`.
fn default_cache_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|base| base.join("smartspec"))
}
