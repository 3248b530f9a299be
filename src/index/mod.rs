//! Stage 2: spatial indexes over a layer's areas: envelope R-tree lookups and adjacency.

pub mod adjacency;
mod grid;
mod spatial;

pub use spatial::SpatialIndex;
