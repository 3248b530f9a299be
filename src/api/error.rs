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

    /// Something the server could not do in time (503).
    pub fn unavailable(description: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "ServiceUnavailable",
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

    /// The documented body, `{"code", "description"}`.
    pub fn body(&self) -> String {
        let body = Body {
            code: self.code,
            description: &self.description,
        };
        serde_json::to_string(&body).unwrap_or_default()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let json = axum::http::HeaderValue::from_static("application/json");
        (
            self.status,
            [(axum::http::header::CONTENT_TYPE, json)],
            self.body(),
        )
            .into_response()
    }
}

pub use crate::views::choices;

/// Makes every error the documented JSON: a 4xx or 5xx without a JSON body (axum's 405, a
/// static file's 404 or 500, a timeout's 503) gets `{"code", "description"}` with its status
/// and headers kept (`Allow`, `Retry-After`).
pub async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path: String = req.uri().path().chars().take(300).collect();
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (code, description) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            "MethodNotAllowed",
            // The method is not echoed: a client may send any token, of any length.
            format!("only GET and HEAD are allowed on {path}"),
        ),
        StatusCode::NOT_FOUND => ("NotFound", format!("no resource at {path}")),
        StatusCode::SERVICE_UNAVAILABLE => (
            "ServiceUnavailable",
            format!("{path} took too long or the server is busy; retry later"),
        ),
        s if s.is_server_error() => ("ServerError", "internal server error".to_string()),
        s => (
            "InvalidRequest",
            format!(
                "{} for {path}",
                s.canonical_reason().unwrap_or("bad request")
            ),
        ),
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    let body = ApiError {
        status,
        code,
        description,
    }
    .into_response();
    let (body_parts, body) = body.into_parts();
    parts.headers.insert(
        axum::http::header::CONTENT_TYPE,
        body_parts
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .cloned()
            .unwrap_or(axum::http::HeaderValue::from_static("application/json")),
    );
    Response::from_parts(parts, body)
}

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
