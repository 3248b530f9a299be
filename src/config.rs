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
    /// Let manifest paths be absolute or lead out of the data directory (through `..` or a
    /// symbolic link); refused by default.
    #[arg(long, env = "SMARTSPEC_ALLOW_OUTSIDE_DATA_DIR")]
    pub allow_outside_data_dir: bool,
    /// The largest data file read, in MiB; a larger file (or one that grows past it while read)
    /// is refused.
    #[arg(long, env = "SMARTSPEC_MAX_FILE_MB", default_value_t = DEFAULT_MAX_FILE_MB)]
    pub max_file_mb: u64,
    /// The most points one batch lookup (`POST /lookup`) may hold.
    #[arg(long, env = "SMARTSPEC_MAX_LOOKUP_POINTS", default_value_t = crate::api::DEFAULT_MAX_LOOKUP_POINTS)]
    pub max_lookup_points: u64,
    /// The largest batch lookup body, in MiB.
    #[arg(long, env = "SMARTSPEC_MAX_LOOKUP_MB", default_value_t = crate::api::DEFAULT_MAX_LOOKUP_MB)]
    pub max_lookup_mb: u64,
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
    /// Where derived artefacts (adjacency, zoom bands, label points) are kept between runs,
    /// keyed by the content of the input files and the code; default
    /// `$XDG_CACHE_HOME/smartspec` or `~/.cache/smartspec`.
    #[arg(long, env = "SMARTSPEC_CACHE_DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,
    /// Derive every artefact afresh and keep nothing on disk.
    #[arg(long, env = "SMARTSPEC_NO_CACHE")]
    pub no_cache: bool,
    /// The byte budget of the in-memory cache of encoded responses, in MiB.
    #[arg(long, env = "SMARTSPEC_RESPONSE_CACHE_MB", default_value_t = DEFAULT_RESPONSE_CACHE_MB)]
    pub response_cache_mb: u64,
    /// Seconds a request's head may take to arrive; also how long an idle keep-alive
    /// connection waits for its next request.
    #[arg(long, env = "SMARTSPEC_HEADER_READ_TIMEOUT", default_value_t = 10)]
    pub header_read_timeout: u64,
    /// Seconds from a request's arrival until its response is written, body included.
    #[arg(long, env = "SMARTSPEC_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,
    /// Seconds without a byte moving either way before a connection is closed.
    #[arg(long, env = "SMARTSPEC_IDLE_TIMEOUT", default_value_t = 60)]
    pub idle_timeout: u64,
    /// Seconds of silence before TCP keepalive probes find a dead peer.
    #[arg(long, env = "SMARTSPEC_TCP_KEEPALIVE", default_value_t = 60)]
    pub tcp_keepalive: u64,
    /// Open connections beyond this get 503 with Retry-After (default: 3/4 of the open-files limit, at most 10,000).
    #[arg(long, env = "SMARTSPEC_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Expensive misses (layers, rankings, statistics) computed and compressed at once (default: twice the CPUs); others wait their turn. Cheap misses (one feature, one document, one point) have as many permits of their own.
    #[arg(long, env = "SMARTSPEC_MAX_COMPUTING")]
    pub max_computing: Option<usize>,
    /// Seconds requests in flight get to finish after SIGTERM before their connections close.
    #[arg(long, env = "SMARTSPEC_SHUTDOWN_GRACE", default_value_t = 10)]
    pub shutdown_grace: u64,
    /// Watch the manifest and every file it names, checking every this many seconds, and reload
    /// (as SIGHUP does) once a change has settled; 0 (the default) watches nothing.
    #[arg(long, env = "SMARTSPEC_WATCH", default_value_t = 0)]
    pub watch: u64,
    /// The base of every link the server writes (e.g. https://example.org/smartspec), whatever
    /// the request's Host says; set it behind a proxy.
    #[arg(long, env = "SMARTSPEC_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// A Host (name or name:port) answered besides loopback ones when --public-url is not set;
    /// repeat or separate with commas.
    #[arg(
        long = "allowed-host",
        env = "SMARTSPEC_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
    /// A proxy address whose X-Forwarded-Proto is believed; repeat or separate with commas.
    #[arg(
        long = "trusted-proxy",
        env = "SMARTSPEC_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

pub const DEFAULT_RESPONSE_CACHE_MB: u64 = 512;
pub const DEFAULT_MAX_FILE_MB: u64 = crate::load::DEFAULT_MAX_FILE_BYTES >> 20;

/// Validated settings: directories exist, the manifest is a file.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    /// Where the manifest's files may be and how large they may be.
    pub sources: crate::load::SourceRules,
    pub addr: SocketAddr,
    pub manifest: PathBuf,
    pub web_dir: PathBuf,
    pub tile_url: Option<String>,
    pub tile_attribution: Option<String>,
    /// `None` when the artefact cache is off (`--no-cache`, or no cache folder can be named).
    pub cache_dir: Option<PathBuf>,
    pub response_cache_bytes: u64,
    pub limits: crate::serve::Limits,
    pub max_computing: usize,
    pub batch: crate::api::BatchLimits,
    pub public_url: Option<String>,
    pub allowed_hosts: Vec<String>,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How often to look for changed data files; `None`: no watching.
    pub watch: Option<std::time::Duration>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--data-dir {0}: not a directory (set --data-dir or SMARTSPEC_DATA_DIR to the folder holding boundaries/ and metrics/)")]
    DataDir(PathBuf),
    #[error("--manifest {0}: no such file (set --manifest or SMARTSPEC_MANIFEST)")]
    Manifest(PathBuf),
    #[error("--web-dir {0}: not a directory (set --web-dir or SMARTSPEC_WEB_DIR)")]
    WebDir(PathBuf),
    #[error("--public-url {0}: expected an http(s) URL such as https://example.org/smartspec")]
    PublicUrl(String),
    #[error("{0}: must be at least 1")]
    Zero(&'static str),
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
        for (flag, value) in [
            ("--header-read-timeout", cli.header_read_timeout),
            ("--request-timeout", cli.request_timeout),
            ("--idle-timeout", cli.idle_timeout),
            ("--tcp-keepalive", cli.tcp_keepalive),
            ("--max-connections", cli.max_connections.unwrap_or(1) as u64),
            ("--max-computing", cli.max_computing.unwrap_or(1) as u64),
            ("--max-file-mb", cli.max_file_mb),
            ("--max-lookup-points", cli.max_lookup_points),
            ("--max-lookup-mb", cli.max_lookup_mb),
        ] {
            if value == 0 {
                return Err(ConfigError::Zero(flag));
            }
        }
        let secs = std::time::Duration::from_secs;
        let limits = crate::serve::Limits {
            header_read_timeout: secs(cli.header_read_timeout),
            request_timeout: secs(cli.request_timeout),
            idle_timeout: secs(cli.idle_timeout),
            tcp_keepalive: secs(cli.tcp_keepalive),
            max_connections: cli
                .max_connections
                .unwrap_or_else(crate::serve::default_max_connections),
            shutdown_grace: secs(cli.shutdown_grace),
        };
        let max_computing = cli
            .max_computing
            .unwrap_or_else(crate::api::default_computing);
        if let Some(url) = &cli.public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError::PublicUrl(url.clone()));
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
            limits,
            max_computing,
            public_url: cli.public_url.map(|u| u.trim_end_matches('/').to_string()),
            allowed_hosts: cli.allowed_hosts,
            trusted_proxies: cli.trusted_proxies,
            batch: crate::api::BatchLimits {
                max_points: usize::try_from(cli.max_lookup_points).unwrap_or(usize::MAX),
                max_bytes: cli.max_lookup_mb.saturating_mul(1 << 20),
            },
            watch: (cli.watch > 0).then(|| secs(cli.watch)),
            sources: crate::load::SourceRules {
                allow_outside_data_dir: cli.allow_outside_data_dir,
                max_file_bytes: cli.max_file_mb.saturating_mul(1 << 20),
            },
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
