//! Spatial indexes over the loaded boundary layers: envelope R-trees, point lookup and adjacency.

pub mod adjacency;
