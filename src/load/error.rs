//! Load errors: each names the file and, where there is one, the feature or line.

use std::path::PathBuf;

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
