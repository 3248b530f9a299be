//! The one error type of the HTTP edge: status, OGC exception code and a precise description.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub description: String,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    description: &'a str,
}

impl ApiError {
    /// A parameter with a malformed or out-of-range value (400).
    pub fn invalid(description: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "InvalidParameterValue",
            description: description.into(),
        }
    }

    /// A parameter the endpoint does not know (400).
    pub fn unknown_parameter(description: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "UnknownParameter",
            description: description.into(),
        }
    }

    /// A resource (collection, feature, indicator, area) that does not exist (404).
    pub fn not_found(description: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "NotFound",
            description: description.into(),
        }
    }

    /// A server fault: logged with its detail, answered without it (500).
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!(%detail, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "ServerError",
            description: "internal server error".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            code: self.code,
            description: &self.description,
        };
        (self.status, axum::Json(body)).into_response()
    }
}

pub use crate::views::choices;

impl From<crate::views::ViewError> for ApiError {
    fn from(e: crate::views::ViewError) -> ApiError {
        match e {
            crate::views::ViewError::NotFound(d) => ApiError::not_found(d),
            crate::views::ViewError::Invalid(d) => ApiError::invalid(d),
            crate::views::ViewError::Internal(d) => ApiError::internal(d),
        }
    }
}

impl From<crate::ogc::CrsError> for ApiError {
    /// An unsupported `crs`/`bbox-crs` is the client's (400); a geometry that cannot be
    /// reprojected is the server's (500).
    fn from(e: crate::ogc::CrsError) -> ApiError {
        match e {
            crate::ogc::CrsError::Unsupported { .. } => ApiError::invalid(e.to_string()),
            other => ApiError::internal(other),
        }
    }
}
