//! Stage 3: metric tables joined to the boundary layer of their vintage, with a join report.

pub mod audit;
mod coverage;
mod join;
mod matrix;
pub mod quality;
mod store;

pub use coverage::{Coverage, TableCoverage, TableLoss};
pub use join::{join_metrics, match_rate, JoinInput, JoinSources, LayerCodes};
pub use matrix::{Matrix, MatrixSummary};

pub use store::{
    IndicatorInfo, IndicatorJoin, IndicatorLevel, JoinReport, JoinTotals, MetricsStore, Series,
    TableReport, VintageReport,
};
