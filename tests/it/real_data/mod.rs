//! Tests on the real data folder: the catalog, joins, audits, topology and zoom bands as users get them.

mod adjacency;
mod analysis;
mod audit;
mod catalog;
mod check_source;
mod data_faults;
mod formats;
mod load;
mod lookup_borders;
mod specialisation;
mod topology;
mod zoom;
