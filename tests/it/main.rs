//! The integration tests, one binary, grouped by what each group needs to run:
//! `fixtures` the hand-made fixtures only; `real_data` the data folder (`SMARTSPEC_DATA_DIR`, else
//! the server's default `../shared/data`); `process` the real `smartspec` binary on a socket;
//! `clients` real GIS clients and validators (GDAL, QGIS, OWSLib, GEOS, PySAL). The browser tests
//! live in `tests/browser/` and run under Node.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod clients;
mod fixtures;
mod process;
mod real_data;
