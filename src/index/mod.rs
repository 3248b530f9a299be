//! Stage 2: spatial indexes over a layer's areas.

mod spatial;

pub use spatial::SpatialIndex;
