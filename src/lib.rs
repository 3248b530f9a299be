//! smartspec: boundaries joined with innovation metrics, served as OGC API Features and a Leaflet map.

pub mod analysis;
pub mod index;
