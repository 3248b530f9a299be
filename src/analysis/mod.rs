//! Pure analysis over per-area values (stage 4): statistics, ranking, comparison, peers,
//! specialisation, spatial statistics of neighbours.
//!
//! Everything here takes plain slices indexed by area position (the order of the layer's
//! features) and returns plain, serialisable structs. No I/O, no HTTP, no geometry.
//! Missing values are `None`; non-finite numbers (NaN, ±∞) are treated as missing.

pub mod compare;
pub mod peers;
pub mod ranking;
pub mod spatial;
pub mod specialisation;
pub mod standing;
pub mod stats;

/// Invalid input to an analysis function.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// An area index does not exist.
    #[error("{what}: area index {index} is out of range (there are {len} areas)")]
    IndexOutOfRange {
        /// Which argument held the index.
        what: &'static str,
        /// The offending index.
        index: usize,
        /// Number of areas.
        len: usize,
    },
    /// Two inputs that must have one entry per area differ in length.
    #[error("{what}: expected one entry per area ({expected}), got {got}")]
    LengthMismatch {
        /// Which argument has the wrong length.
        what: &'static str,
        /// Number of areas.
        expected: usize,
        /// Length received.
        got: usize,
    },
    /// A matrix row has a different number of columns from the first row.
    #[error("matrix row {row} has {len} columns, expected {expected}")]
    RaggedMatrix {
        /// Row (area) position.
        row: usize,
        /// Columns in this row.
        len: usize,
        /// Columns in row 0.
        expected: usize,
    },
    /// A matrix cell that must be finite and non-negative is not.
    #[error(
        "matrix row {row}, column {column}: expected a finite non-negative number, got {value}"
    )]
    InvalidValue {
        /// Row (area) position.
        row: usize,
        /// Column (category) position.
        column: usize,
        /// The value found.
        value: f64,
    },
}

/// Check that every row of `matrix` has as many columns as the first; return that number.
fn matrix_width<T>(matrix: &[Vec<T>]) -> Result<usize, AnalysisError> {
    let expected = matrix.first().map_or(0, Vec::len);
    for (row, cells) in matrix.iter().enumerate() {
        if cells.len() != expected {
            return Err(AnalysisError::RaggedMatrix {
                row,
                len: cells.len(),
                expected,
            });
        }
    }
    Ok(expected)
}
