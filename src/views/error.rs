//! Why a representation cannot be made: an unknown resource or a request that does not fit the
//! data, with a description that names what was wrong and lists what exists.

/// A request the data cannot answer; the HTTP edge maps it to 404, 400 or (internal) 500.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViewError {
    /// A collection, feature, indicator, year or area that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A parameter value that does not fit (wrong geography, a year on another layer, ...).
    #[error("{0}")]
    Invalid(String),
    /// A broken invariant of the catalog (a series whose layer is missing, ...); the detail is
    /// for the log, never for the client.
    #[error("{0}")]
    Internal(String),
}

impl ViewError {
    pub fn not_found(description: impl Into<String>) -> ViewError {
        ViewError::NotFound(description.into())
    }

    pub fn invalid(description: impl Into<String>) -> ViewError {
        ViewError::Invalid(description.into())
    }

    pub fn internal(detail: impl std::fmt::Display) -> ViewError {
        ViewError::Internal(detail.to_string())
    }
}

/// Lists choices for an error message: `a, b, c`.
pub fn choices<I, S>(items: I) -> String
where
    I: IntoIterator<Item = S>,
    S: std::fmt::Display,
{
    items
        .into_iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
