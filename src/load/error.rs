//! Load errors: each names the file and, where there is one, the feature or line.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: invalid manifest: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error("{path}: not valid GeoJSON: {message}")]
    GeoJson { path: PathBuf, message: String },
    #[error("{path}: not valid FlatGeobuf: {message}")]
    FlatGeobuf { path: PathBuf, message: String },
    #[error("{path}: feature {index}{code}: {problem}", code = code_suffix(.code))]
    Feature {
        path: PathBuf,
        index: usize,
        code: Option<String>,
        problem: String,
    },
    #[error("{path}: no features")]
    EmptyLayer { path: PathBuf },
    #[error("{path}, line {line}: {problem}")]
    Csv {
        path: PathBuf,
        line: u64,
        problem: String,
    },
    #[error("{path}: {problem}")]
    Table { path: PathBuf, problem: String },
    /// A loader thread panicked while reading `path`: a bug, reported with the panic's message.
    #[error("{path}: the loader panicked: {message}")]
    Panicked { path: PathBuf, message: String },
}

impl LoadError {
    /// The error as the public may see it (in `/health`): what failed and where, with paths
    /// relative to the first of `roots` they lie under (a path under none shown by its file name)
    /// and no file content. Only the first line of a message is kept; a quoted span is kept only
    /// when it is one of `names` (the manifest's own ids), else shown as '…'; a word that starts
    /// with '/' (an absolute path) is shown as '…'; a feature's code only when it looks like one.
    /// The full error belongs in the log.
    pub fn public(&self, roots: &[PathBuf], names: &[String]) -> String {
        let rel = |path: &Path| super::relative_to(path, roots).display().to_string();
        let text = |message: &str| public_text(message, roots, names);
        match self {
            LoadError::Io { path, source } => format!("{}: cannot read: {source}", rel(path)),
            LoadError::Manifest { path, message } => {
                format!("{}: invalid manifest: {}", rel(path), text(message))
            }
            LoadError::GeoJson { path, message } => {
                format!("{}: not valid GeoJSON: {}", rel(path), text(message))
            }
            LoadError::FlatGeobuf { path, message } => {
                format!("{}: not valid FlatGeobuf: {}", rel(path), text(message))
            }
            LoadError::Feature {
                path,
                index,
                code,
                problem,
            } => {
                let code = code.clone().filter(|c| looks_like_a_code(c));
                format!(
                    "{}: feature {index}{}: {}",
                    rel(path),
                    code_suffix(&code),
                    text(problem)
                )
            }
            LoadError::EmptyLayer { path } => format!("{}: no features", rel(path)),
            LoadError::Csv {
                path,
                line,
                problem,
            } => format!("{}, line {line}: {}", rel(path), text(problem)),
            LoadError::Table { path, problem } => format!("{}: {}", rel(path), text(problem)),
            LoadError::Panicked { path, .. } => {
                format!(
                    "{}: the loader panicked (details in the server log)",
                    rel(path)
                )
            }
        }
    }
}

/// An area code as the data write them: short, letters, digits, `-` and `_`.
fn looks_like_a_code(code: &str) -> bool {
    (1..=32).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `message`'s first line with paths under `roots` made relative, quoted spans other than
/// `names` and absolute paths replaced by '…'.
fn public_text(message: &str, roots: &[PathBuf], names: &[String]) -> String {
    let mut line = message.lines().next().unwrap_or("").to_string();
    for root in roots {
        let prefix = format!("{}/", root.display());
        if prefix.len() > 1 {
            line = line.replace(&prefix, "");
        }
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line.as_str();
    while let Some(open) = rest.find(['\'', '"', '`']) {
        let (before, from) = rest.split_at(open);
        out.push_str(before);
        let quote = from.chars().next().unwrap_or('\'');
        let inner = &from[quote.len_utf8()..];
        match inner.find(quote) {
            Some(close) => {
                let quoted = &inner[..close];
                out.push(quote);
                out.push_str(if names.iter().any(|n| n == quoted) {
                    quoted
                } else {
                    "…"
                });
                out.push(quote);
                rest = &inner[close + quote.len_utf8()..];
            }
            None => {
                // An unmatched quote: what follows may be content.
                out.push(quote);
                out.push('…');
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.split(' ')
        .map(|word| {
            let bare = word.trim_start_matches(['(', '[', '{']);
            if bare.starts_with('/') {
                format!("{}…", &word[..word.len() - bare.len()])
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn code_suffix(code: &Option<String>) -> String {
    match code {
        Some(code) => format!(" (code {code})"),
        None => String::new(),
    }
}

/// Runs `f`, turning a panic into [`LoadError::Panicked`] naming `path` and the panic's message.
pub fn catch_panic<T>(
    path: &std::path::Path,
    f: impl FnOnce() -> Result<T, LoadError>,
) -> Result<T, LoadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        Err(LoadError::Panicked {
            path: path.to_path_buf(),
            message: panic_message(payload.as_ref()),
        })
    })
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_public_form_has_relative_paths_and_no_file_content() {
        let roots = [PathBuf::from("/srv/data")];
        let names = ["lep".to_string()];
        let header = LoadError::Csv {
            path: PathBuf::from("/srv/data/metrics/lep.csv"),
            line: 1,
            problem: "header lacks column 'code_vintage' (expected indicator,code_vintage; found 'root:x:0:0:root:/root:/bin/bash')".into(),
        };
        assert_eq!(
            header.public(&roots, &names),
            "metrics/lep.csv, line 1: header lacks column '…' (expected indicator,code_vintage; found '…')"
        );
        let outside = LoadError::Manifest {
            path: PathBuf::from("/srv/data/layers.toml"),
            message: "metrics 'lep': file '/etc/passwd' is an absolute path\nTOML snippet".into(),
        };
        assert_eq!(
            outside.public(&roots, &names),
            "layers.toml: invalid manifest: metrics 'lep': file '…' is an absolute path"
        );
        let io = LoadError::Io {
            path: PathBuf::from("/elsewhere/secret.csv"),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        assert_eq!(
            io.public(&roots, &names),
            "secret.csv: cannot read: entity not found"
        );
        let table = LoadError::Table {
            path: PathBuf::from("/srv/data/x.csv"),
            problem: "used from /srv/data/y.csv and (/etc/z.csv), line 2 \"unclosed".into(),
        };
        assert_eq!(
            table.public(&roots, &names),
            "x.csv: used from y.csv and (… line 2 \"…"
        );
        let feature = LoadError::Feature {
            path: PathBuf::from("/srv/data/b.geojson"),
            index: 3,
            code: Some("root:x:0".into()),
            problem: "bad".into(),
        };
        assert_eq!(feature.public(&roots, &names), "b.geojson: feature 3: bad");
    }

    #[test]
    #[allow(clippy::panic)]
    fn a_panic_becomes_an_error_with_its_message_and_file() {
        let err = catch_panic::<()>(Path::new("b/x.geojson"), || {
            panic!("index 1 out of range for slice of length 1")
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "b/x.geojson: the loader panicked: index 1 out of range for slice of length 1"
        );
        assert_eq!(catch_panic(Path::new("x"), || Ok(3)).unwrap(), 3);
    }
}
