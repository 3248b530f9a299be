//! Stage 5a: typed representations (`Serialize` structs) computed from the catalog and the
//! analysis for typed requests: the one place each response's shape is defined. No HTTP here.

pub mod areas;
mod error;
pub mod indicators;
pub mod lookup;
pub mod map_config;
pub mod rankings;
pub mod resolve;
pub mod specialisation;

pub use error::{choices, ViewError};
