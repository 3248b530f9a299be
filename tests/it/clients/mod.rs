//! Real GIS clients and independent engines against the served API: GDAL, QGIS, OWSLib, GEOS, PySAL, the OpenAPI validator.

mod cql2;
mod crs;
mod gdal;
mod gdal_formats;
mod gis;
mod labels;
mod openapi;
mod spatial_esda;
