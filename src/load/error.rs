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
}

fn code_suffix(code: &Option<String>) -> String {
    match code {
        Some(code) => format!(" (code {code})"),
        None => String::new(),
    }
}
