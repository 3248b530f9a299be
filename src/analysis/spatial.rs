//! Spatial statistics of neighbours: spatial lag, gap to neighbours, global and local Moran's I
//! with seeded permutation tests and LISA classes, from a layer's contiguity.
//!
//! # Definitions
//!
//! Input: one value per area (`None` or non-finite = no data) and each area's neighbour list
//! (indices into the same slice). Only the *n* areas with a value take part; their neighbour
//! lists are restricted to neighbours with a value (`k_i` of them).
//!
//! * **Island:** an area with a value and no neighbour with a value (`k_i = 0`). It has no lag,
//!   no local I and class [`Lisa::Island`]; its row of weights is zero (as PySAL's `W` with
//!   islands), so nothing is ever divided by `k_i = 0`. Its value still counts in the mean and
//!   in *n*, and it takes part in the permutations.
//! * **Weights:** row-standardised contiguity: `w_ij = 1 / k_i` for each neighbour `j` of `i`
//!   with a value, else 0. `S0 = Σ_ij w_ij` = the number of non-island areas.
//! * **Spatial lag:** the mean of the neighbours' raw values, `lag_i = Σ_j w_ij x_j`;
//!   **gap to neighbours** = `x_i − lag_i` (units of the indicator).
//! * **Global Moran's I** = `(n / S0) · Σ_i z_i Σ_j w_ij z_j / Σ_i z_i²` with `z = x − mean(x)`
//!   over the *n* areas; expected value under no autocorrelation `E[I] = −1 / (n − 1)`.
//! * **Local Moran's I** (esda 2.9's `Moran_Local`): `I_i = (n − 1) · z_i · Σ_j w_ij z_j / Σ_k z_k²`,
//!   i.e. `z_i · lag(z)_i / m2` with `m2 = Σ z² / (n − 1)`.
//! * **Permutation p-value** (esda's `p_sim`): with `P` permutations and the observed statistic
//!   `obs`, `larger = #(sim ≥ obs)`; if `P − larger < larger` then `larger = P − larger`;
//!   `p = (larger + 1) / (P + 1)`. The smallest possible p is `1 / (P + 1)`. In the local test
//!   `sim ≥ obs` is `z_i · (Σ_drawn x − Σ_observed x) ≥ 0` (the same inequality, the mean and the
//!   positive factors taken out), with the values as written: the difference is computed
//!   exactly and sums equal in decimals tie (within 8 ε of `Σ|x|`), so a draw whose values sum
//!   to the observed neighbours' counts as `≥`, as the rule says. Summed in floats, in area
//!   order, a tie could come out an ulp below and not count.
//! * **Global test:** total randomisation: each permutation is a Fisher–Yates shuffle of the
//!   vector `z` (positions in area order, continuing from the previous permutation's order) and
//!   I is recomputed on it.
//! * **Local test:** conditional randomisation: for area `i` (non-islands, in area order), the
//!   pool is the other `n − 1` areas in area order; each permutation draws `k_i` of them without
//!   replacement by a partial Fisher–Yates shuffle of the pool (continuing from the previous
//!   draw's order), and `I_i` is recomputed with the drawn values as `i`'s neighbours.
//! * **LISA class:** for `p ≤ significance`, the quadrant of `(z_i, lag(z)_i)`: `high-high`
//!   (both > 0), `low-low` (both < 0), `high-low` (z > 0, lag < 0), `low-high` (z < 0, lag > 0);
//!   an area on an axis (z or lag exactly 0) and every `p > significance` is `not-significant`.
//!   `island` and `no-data` as above.
//! * **Constant field** (every z = 0, or a single area): Moran's I is 0/0, so the global and local
//!   I and their p-values are `None` with a note; classes are `not-significant`. The lag and gap
//!   are still defined. The same holds when every area is an island (`S0 = 0`).
//! * **Random numbers:** SplitMix64 (Steele, Lea & Flood 2014) seeded with `seed`; a uniform
//!   integer below `m` is `r % m` for the first draw `r ≥ (2⁶⁴ − m) mod m` (rejection, unbiased).
//!   One stream serves the global permutations first, then each area's, in area order, so a
//!   given seed gives the same answer everywhere (see `tests/clients/esda_check.py`, which
//!   reimplements it).

use super::stats::usable;
use super::AnalysisError;
use serde::Serialize;
use std::cmp::Ordering;

/// The default number of permutations.
pub const DEFAULT_PERMUTATIONS: usize = 999;
/// The default seed of the permutations.
pub const DEFAULT_SEED: u64 = 2026;
/// The default significance level of the LISA classes.
pub const DEFAULT_SIGNIFICANCE: f64 = 0.05;

/// Why Moran's I is not defined.
pub const CONSTANT_FIELD: &str =
    "every area with data has the same value (or there is only one), so Moran's I is 0/0: undefined";
/// Why Moran's I is not defined when no area has a neighbour with data.
pub const ALL_ISLANDS: &str =
    "no area with data has a neighbour with data, so Moran's I is undefined";

/// How the tests are run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub permutations: usize,
    pub seed: u64,
    /// The largest p-value that is significant for a LISA class.
    pub significance: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            permutations: DEFAULT_PERMUTATIONS,
            seed: DEFAULT_SEED,
            significance: DEFAULT_SIGNIFICANCE,
        }
    }
}

/// The LISA class of an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lisa {
    HighHigh,
    LowLow,
    HighLow,
    LowHigh,
    NotSignificant,
    Island,
    NoData,
}

impl Lisa {
    /// The class's name as serialised (`high-high`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Lisa::HighHigh => "high-high",
            Lisa::LowLow => "low-low",
            Lisa::HighLow => "high-low",
            Lisa::LowHigh => "low-high",
            Lisa::NotSignificant => "not-significant",
            Lisa::Island => "island",
            Lisa::NoData => "no-data",
        }
    }
}

/// Global Moran's I of the layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Global {
    /// `None` when undefined (see `note`).
    pub morans_i: Option<f64>,
    /// `−1 / (n − 1)`; `None` for fewer than two areas.
    pub expected_i: Option<f64>,
    /// The permutation p-value; `None` when I is undefined or there are no permutations.
    pub p_value: Option<f64>,
    /// Areas with a value (islands included).
    pub n: usize,
    /// Why `morans_i` is `None`.
    pub note: Option<&'static str>,
}

/// The statistics of one area, in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct Local {
    pub value: Option<f64>,
    /// Mean of the neighbours' values; `None` for islands and areas without data.
    pub spatial_lag: Option<f64>,
    /// `value − spatial_lag`.
    pub gap_to_neighbours: Option<f64>,
    /// Neighbours with a value.
    pub neighbours: usize,
    pub local_i: Option<f64>,
    pub p_value: Option<f64>,
    pub lisa: Lisa,
}

/// Everything computed for one layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Spatial {
    pub global: Global,
    /// One per input area, in input order.
    pub areas: Vec<Local>,
    /// Indices of the islands (areas with a value and no neighbour with one).
    pub islands: Vec<usize>,
}

/// SplitMix64: a 64-bit generator with a 64-bit state, reproducible in any language.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    ///
    /// ```
    /// use smartspec::analysis::spatial::SplitMix64;
    /// // The reference sequence for seed 0 (Vigna's splitmix64.c).
    /// let mut rng = SplitMix64::new(0);
    /// assert_eq!(rng.next_u64(), 0xE220A8397B1DCDAF);
    /// assert_eq!(rng.next_u64(), 0x6E789E6AA1B965F4);
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..m` (`m ≥ 1`) by rejection: the first draw `r ≥ (2⁶⁴ − m) mod m`,
    /// reduced mod `m`.
    pub fn below(&mut self, m: usize) -> usize {
        let m = m.max(1) as u64;
        let threshold = m.wrapping_neg() % m;
        loop {
            let r = self.next_u64();
            if r >= threshold {
                // r % m < m, which came from a usize.
                return usize::try_from(r % m).unwrap_or(0);
            }
        }
    }

    /// Partial Fisher–Yates: for `t` in `0..k`, swaps `pool[t]` with `pool[t + below(len − t)]`;
    /// the first `k` items are then a uniform draw without replacement.
    pub fn draw<T>(&mut self, pool: &mut [T], k: usize) {
        let len = pool.len();
        for t in 0..k.min(len) {
            let j = t + self.below(len - t);
            pool.swap(t, j);
        }
    }
}

/// The esda `p_sim` of `obs` among `sims`: folded count of `sim ≥ obs`.
fn p_sim(obs: f64, sims: impl Iterator<Item = f64>, permutations: usize) -> f64 {
    p_of_count(sims.filter(|s| *s >= obs).count(), permutations)
}

/// The esda `p_sim` of `larger = #(sim ≥ obs)` among `permutations`, folded.
fn p_of_count(larger: usize, permutations: usize) -> f64 {
    let larger = larger.min(permutations - larger.min(permutations));
    (larger as f64 + 1.0) / (permutations as f64 + 1.0)
}

/// Within how many machine epsilons of `Σ|v|` two sums of values count as tied: far above what
/// writing decimal values as floats can move a sum (half an epsilon of each value), far below
/// any real difference of values with up to 14 significant digits.
const TIE_EPSILONS: f64 = 8.0;

/// How `Σ plus` compares with `Σ minus`, the values taken as written: the difference is
/// computed exactly (Shewchuk's expansion sum, as Python's `math.fsum`: error-free two-sums
/// kept as non-overlapping partials) and is a tie within [`TIE_EPSILONS`] of `Σ|v|`, so sums
/// that are equal in decimals (3.9 + 4.6 and 3.8 + 4.7) are equal here, in any order.
fn compare_sums(plus: impl Iterator<Item = f64>, minus: impl Iterator<Item = f64>) -> Ordering {
    let mut partials: Vec<f64> = Vec::new();
    let mut magnitude = 0.0;
    for value in plus.chain(minus.map(|v| -v)) {
        magnitude += value.abs();
        let mut x = value;
        let mut kept = 0;
        for j in 0..partials.len() {
            let Some(&y) = partials.get(j) else { break };
            let hi = x + y;
            let y_part = hi - x;
            let lo = (x - (hi - y_part)) + (y - y_part);
            if lo != 0.0 {
                if let Some(slot) = partials.get_mut(kept) {
                    *slot = lo;
                }
                kept += 1;
            }
            x = hi;
        }
        partials.truncate(kept);
        partials.push(x);
    }
    let difference: f64 = partials.iter().sum();
    if difference.abs() <= TIE_EPSILONS * f64::EPSILON * magnitude {
        Ordering::Equal
    } else {
        difference.total_cmp(&0.0)
    }
}

/// The quadrant class of `(z, lag)`, or `not-significant` on an axis.
fn quadrant(z: f64, lag: f64) -> Lisa {
    match (z > 0.0, z < 0.0, lag > 0.0, lag < 0.0) {
        (true, _, true, _) => Lisa::HighHigh,
        (_, true, _, true) => Lisa::LowLow,
        (true, _, _, true) => Lisa::HighLow,
        (_, true, true, _) => Lisa::LowHigh,
        _ => Lisa::NotSignificant,
    }
}

/// Sum of `z` over `members` (positions into `z`), in the order given.
fn sum_at(z: &[f64], members: &[usize]) -> f64 {
    members.iter().filter_map(|&j| z.get(j)).sum()
}

/// Spatial lag, gap, global and local Moran's I with permutation tests and LISA classes (see
/// the module's definitions).
///
/// ```
/// use smartspec::analysis::spatial::{spatial, Lisa, Settings};
/// // Four areas in a row, rising: positive autocorrelation.
/// let values = [Some(1.0), Some(2.0), Some(3.0), Some(4.0)];
/// let neighbours = vec![vec![1], vec![0, 2], vec![1, 3], vec![2]];
/// let s = spatial(&values, &neighbours, Settings::default()).unwrap();
/// assert!(s.global.morans_i.unwrap() > 0.0);
/// assert_eq!(s.areas[1].spatial_lag, Some(2.0));
/// assert_eq!(s.areas[0].gap_to_neighbours, Some(-1.0));
/// ```
pub fn spatial(
    values: &[Option<f64>],
    neighbours: &[Vec<usize>],
    settings: Settings,
) -> Result<Spatial, AnalysisError> {
    let len = values.len();
    if neighbours.len() != len {
        return Err(AnalysisError::LengthMismatch {
            what: "neighbours",
            expected: len,
            got: neighbours.len(),
        });
    }
    for list in neighbours {
        if let Some(&index) = list.iter().find(|&&j| j >= len) {
            return Err(AnalysisError::IndexOutOfRange {
                what: "neighbours",
                index,
                len,
            });
        }
    }
    let perms = settings.permutations;
    // Areas with a value, and each one's position among them.
    let present: Vec<usize> = (0..len)
        .filter(|&i| usable(values.get(i).copied().flatten()).is_some())
        .collect();
    let mut slot = vec![None; len];
    for (k, &i) in present.iter().enumerate() {
        if let Some(s) = slot.get_mut(i) {
            *s = Some(k);
        }
    }
    let x: Vec<f64> = present
        .iter()
        .filter_map(|&i| values.get(i).copied().flatten())
        .collect();
    let n = x.len();
    // Neighbours with a value, as positions among the present areas, ascending, no repeats, not self.
    let nbrs: Vec<Vec<usize>> = present
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let mut list: Vec<usize> = neighbours
                .get(i)
                .map(|l| {
                    l.iter()
                        .filter_map(|&j| slot.get(j).copied().flatten())
                        .collect()
                })
                .unwrap_or_default();
            list.retain(|&j| j != k);
            list.sort_unstable();
            list.dedup();
            list
        })
        .collect();
    let mean = super::stats::mean_of(&x).unwrap_or(0.0);
    let z: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let ss: f64 = z.iter().map(|v| v * v).sum();
    let s0 = nbrs.iter().filter(|l| !l.is_empty()).count();
    let note = if n < 2 || ss == 0.0 {
        Some(CONSTANT_FIELD)
    } else if s0 == 0 {
        Some(ALL_ISLANDS)
    } else {
        None
    };
    let defined = note.is_none();
    let lag_z: Vec<Option<f64>> = nbrs
        .iter()
        .map(|l| (!l.is_empty()).then(|| sum_at(&z, l) / l.len() as f64))
        .collect();

    let mut rng = SplitMix64::new(settings.seed);
    // Global Moran's I, observed and permuted.
    let global_i = |z: &[f64]| -> f64 {
        let num: f64 = nbrs
            .iter()
            .zip(z)
            .filter(|(l, _)| !l.is_empty())
            .map(|(l, zi)| zi * (sum_at(z, l) / l.len() as f64))
            .sum();
        (n as f64 / s0 as f64) * (num / ss)
    };
    let (morans_i, global_p) = if defined {
        let obs = global_i(&z);
        let p = (perms > 0).then(|| {
            let mut shuffled = z.clone();
            let sims: Vec<f64> = (0..perms)
                .map(|_| {
                    rng.draw(&mut shuffled, n);
                    global_i(&shuffled)
                })
                .collect();
            p_sim(obs, sims.into_iter(), perms)
        });
        (Some(obs), p)
    } else {
        (None, None)
    };

    // Local Moran's I, observed and by conditional randomisation.
    let scale = (n as f64 - 1.0) / ss;
    let mut locals: Vec<(Option<f64>, Option<f64>)> = vec![(None, None); n];
    if defined {
        for (k, (list, lag)) in nbrs.iter().zip(&lag_z).enumerate() {
            let (Some(lag), Some(&zk)) = (lag, z.get(k)) else {
                continue;
            };
            let obs = scale * zk * lag;
            let p = (perms > 0).then(|| {
                let mut pool: Vec<usize> = (0..n).filter(|&j| j != k).collect();
                let ki = list.len();
                let observed = || list.iter().filter_map(|&j| x.get(j).copied());
                // sim ≥ obs ⟺ z_k · (Σ drawn x − Σ observed x) ≥ 0 (scale and 1/k_i are
                // positive, the mean cancels): every draw when z_k = 0, else those whose
                // difference is not of the sign opposite to z_k's.
                let smaller = if zk > 0.0 {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
                let larger = (0..perms)
                    .filter(|_| {
                        rng.draw(&mut pool, ki);
                        let drawn = pool.iter().take(ki).filter_map(|&j| x.get(j).copied());
                        zk == 0.0 || compare_sums(drawn, observed()) != smaller
                    })
                    .count();
                p_of_count(larger, perms)
            });
            if let Some(cell) = locals.get_mut(k) {
                *cell = (Some(obs), p);
            }
        }
    }

    let mut areas: Vec<Local> = (0..len)
        .map(|_| Local {
            value: None,
            spatial_lag: None,
            gap_to_neighbours: None,
            neighbours: 0,
            local_i: None,
            p_value: None,
            lisa: Lisa::NoData,
        })
        .collect();
    let mut islands = Vec::new();
    for (k, &i) in present.iter().enumerate() {
        let (Some(list), Some(&xi), Some(&zi), Some(area)) =
            (nbrs.get(k), x.get(k), z.get(k), areas.get_mut(i))
        else {
            continue;
        };
        area.value = Some(xi);
        area.neighbours = list.len();
        if list.is_empty() {
            area.lisa = Lisa::Island;
            islands.push(i);
            continue;
        }
        let lag = sum_at(&x, list) / list.len() as f64;
        area.spatial_lag = Some(lag);
        area.gap_to_neighbours = Some(xi - lag);
        let (local_i, p) = locals.get(k).copied().unwrap_or((None, None));
        area.local_i = local_i;
        area.p_value = p;
        area.lisa = match (p, lag_z.get(k).copied().flatten()) {
            (Some(p), Some(lz)) if p <= settings.significance => quadrant(zi, lz),
            _ => Lisa::NotSignificant,
        };
    }
    Ok(Spatial {
        global: Global {
            morans_i,
            expected_i: (n >= 2).then(|| -1.0 / (n as f64 - 1.0)),
            p_value: global_p,
            n,
            note,
        },
        areas,
        islands,
    })
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// Neighbours on a `rows × cols` grid (row-major); `queen` adds the diagonals.
    fn grid(rows: usize, cols: usize, queen: bool) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        for r in 0..rows as i64 {
            for c in 0..cols as i64 {
                let mut list = Vec::new();
                for (dr, dc) in [
                    (-1, -1),
                    (-1, 0),
                    (-1, 1),
                    (0, -1),
                    (0, 1),
                    (1, -1),
                    (1, 0),
                    (1, 1),
                ] {
                    if !queen && dr != 0 && dc != 0 {
                        continue;
                    }
                    let (rr, cc) = (r + dr, c + dc);
                    if (0..rows as i64).contains(&rr) && (0..cols as i64).contains(&cc) {
                        list.push((rr * cols as i64 + cc) as usize);
                    }
                }
                out.push(list);
            }
        }
        out
    }

    fn checkerboard(rows: usize, cols: usize) -> Vec<Option<f64>> {
        (0..rows * cols)
            .map(|i| Some(((i / cols + i % cols) % 2) as f64))
            .collect()
    }

    fn settings(seed: u64) -> Settings {
        Settings {
            seed,
            ..Settings::default()
        }
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn a_path_of_four_rising_values_matches_the_hand_computation() {
        // z = -1.5, -0.5, 0.5, 1.5 (Σz² = 5); lag(z) = -0.5, -0.5, 0.5, 0.5;
        // Σ z·lag = 0.75 + 0.25 + 0.25 + 0.75 = 2; I = (4/4)·2/5 = 0.4;
        // I_0 = (n−1)·z_0·lag_0/Σz² = 3·0.75/5 = 0.45, I_1 = 3·0.25/5 = 0.15.
        let values = [Some(1.0), Some(2.0), Some(3.0), Some(4.0)];
        let neighbours = vec![vec![1], vec![0, 2], vec![1, 3], vec![2]];
        let s = spatial(&values, &neighbours, Settings::default()).unwrap();
        assert!(close(s.global.morans_i, 0.4), "{:?}", s.global);
        assert!(close(s.global.expected_i, -1.0 / 3.0));
        assert_eq!(s.global.n, 4);
        assert!(close(s.areas[0].local_i, 0.45));
        assert!(close(s.areas[1].local_i, 0.15));
        assert!(close(s.areas[3].local_i, 0.45));
        assert_eq!(s.areas[1].spatial_lag, Some(2.0));
        assert_eq!(s.areas[1].gap_to_neighbours, Some(0.0));
        assert_eq!(s.areas[3].spatial_lag, Some(3.0));
        assert_eq!(s.areas[3].gap_to_neighbours, Some(1.0));
        assert_eq!(s.areas[0].neighbours, 1);
        assert!(s.islands.is_empty());
    }

    #[test]
    fn a_checkerboard_is_negatively_autocorrelated() {
        // Rook contiguity: every neighbour has the other colour, so lag(z) = −z and I = −1.
        // (No cell is locally significant: four random draws are all of the other colour
        // with probability near 1/16 > 0.05.)
        let rook = spatial(&checkerboard(6, 6), &grid(6, 6, false), settings(7)).unwrap();
        assert!(close(rook.global.morans_i, -1.0), "{:?}", rook.global);
        assert!(rook.global.p_value.unwrap() <= 0.01, "{:?}", rook.global);
        for a in &rook.areas {
            assert!(a.local_i.unwrap() < 0.0);
            assert!(
                matches!(a.lisa, Lisa::HighLow | Lisa::LowHigh | Lisa::NotSignificant),
                "{a:?}"
            );
        }
        // Queen contiguity adds same-coloured diagonals: still negative.
        let queen = spatial(&checkerboard(8, 8), &grid(8, 8, true), settings(7)).unwrap();
        assert!(queen.global.morans_i.unwrap() < 0.0, "{:?}", queen.global);
        assert!(queen.global.morans_i.unwrap() > -1.0);
    }

    #[test]
    fn a_gradient_is_positively_autocorrelated_with_high_high_and_low_low_ends() {
        let values: Vec<Option<f64>> = (0..49).map(|i| Some((i % 7) as f64)).collect();
        let s = spatial(&values, &grid(7, 7, true), settings(11)).unwrap();
        let i = s.global.morans_i.unwrap();
        assert!(i > 0.5, "{:?}", s.global);
        assert!(i > s.global.expected_i.unwrap());
        assert_eq!(s.global.p_value, Some(1.0 / 1000.0), "{:?}", s.global);
        let classes: Vec<Lisa> = s.areas.iter().map(|a| a.lisa).collect();
        assert!(classes.contains(&Lisa::HighHigh) && classes.contains(&Lisa::LowLow));
        assert!(!classes.contains(&Lisa::HighLow) && !classes.contains(&Lisa::LowHigh));
        // The middle column has z = 0: on an axis, never in a quadrant.
        assert_eq!(s.areas[3].lisa, Lisa::NotSignificant);
        assert_eq!(s.areas[3].local_i, Some(0.0));
        // A low end: value 0 next to 0s and 1s.
        assert_eq!(s.areas[7].lisa, Lisa::LowLow);
        assert_eq!(s.areas[13].lisa, Lisa::HighHigh);
    }

    #[test]
    fn a_constant_field_is_defined_without_nan_or_panic() {
        let values = vec![Some(3.0); 9];
        let s = spatial(&values, &grid(3, 3, true), Settings::default()).unwrap();
        assert_eq!(s.global.morans_i, None);
        assert_eq!(s.global.p_value, None);
        assert_eq!(s.global.note, Some(CONSTANT_FIELD));
        assert!(close(s.global.expected_i, -1.0 / 8.0));
        for a in &s.areas {
            assert_eq!((a.local_i, a.p_value), (None, None));
            assert_eq!(a.lisa, Lisa::NotSignificant);
            assert_eq!(a.spatial_lag, Some(3.0));
            assert_eq!(a.gap_to_neighbours, Some(0.0));
        }
        // One area only, and no area at all.
        let one = spatial(&[Some(1.0), None], &[vec![1], vec![0]], Settings::default()).unwrap();
        assert_eq!(one.global.note, Some(CONSTANT_FIELD));
        assert_eq!(one.global.expected_i, None);
        assert_eq!(one.islands, [0]);
        assert_eq!(one.areas[1].lisa, Lisa::NoData);
        let none = spatial(&[], &[], Settings::default()).unwrap();
        assert_eq!((none.global.n, none.global.morans_i), (0, None));
    }

    #[test]
    fn islands_are_reported_take_no_weight_and_are_never_divided_by_zero() {
        // 0-1-2 in a row; 3 alone; 4's only neighbour (5) has no value.
        let values = [Some(1.0), Some(2.0), Some(6.0), Some(10.0), Some(0.0), None];
        let neighbours = vec![vec![1], vec![0, 2], vec![1], vec![], vec![5], vec![4]];
        let s = spatial(&values, &neighbours, Settings::default()).unwrap();
        assert_eq!(s.islands, [3, 4]);
        for i in [3, 4] {
            let a = &s.areas[i];
            assert_eq!(a.lisa, Lisa::Island);
            assert_eq!((a.spatial_lag, a.gap_to_neighbours), (None, None));
            assert_eq!((a.local_i, a.p_value, a.neighbours), (None, None, 0));
            assert!(a.value.is_some());
        }
        assert_eq!(s.areas[5].lisa, Lisa::NoData);
        // n = 5, mean 19/5 = 3.8, z = -2.8, -1.8, 2.2, 6.2, -3.8; Σz² = 68.8;
        // S0 = 3 (rows 0, 1, 2); lag(z) = -1.8, (-2.8+2.2)/2 = -0.3, -1.8;
        // Σ z·lag = 5.04 + 0.54 - 3.96 = 1.62; I = (5/3)·1.62/68.8.
        let expected = 5.0 / 3.0 * 1.62 / 68.8;
        assert!(
            (s.global.morans_i.unwrap() - expected).abs() < 1e-12,
            "{:?}",
            s.global
        );
        assert_eq!(s.global.n, 5);
        // Local I uses n − 1 = 4: I_0 = 4·(-2.8)(-1.8)/68.8.
        assert!((s.areas[0].local_i.unwrap() - 4.0 * 5.04 / 68.8).abs() < 1e-12);
        // All islands: I undefined, with its own note.
        let apart = spatial(
            &[Some(1.0), Some(2.0)],
            &[vec![], vec![]],
            Settings::default(),
        )
        .unwrap();
        assert_eq!(apart.global.note, Some(ALL_ISLANDS));
        assert_eq!(apart.global.morans_i, None);
        assert_eq!(apart.islands, [0, 1]);
    }

    #[test]
    fn the_same_seed_gives_the_same_answer_and_another_seed_other_p_values() {
        let values: Vec<Option<f64>> = (0..36)
            .map(|i| Some(((i * 37) % 11) as f64 + (i / 6) as f64))
            .collect();
        let w = grid(6, 6, true);
        let a = spatial(&values, &w, settings(1)).unwrap();
        let b = spatial(&values, &w, settings(1)).unwrap();
        assert_eq!(a, b);
        let c = spatial(&values, &w, settings(2)).unwrap();
        assert_eq!(a.global.morans_i, c.global.morans_i);
        let local = |s: &Spatial| s.areas.iter().map(|x| x.local_i).collect::<Vec<_>>();
        assert_eq!(local(&a), local(&c));
        let p = |s: &Spatial| {
            std::iter::once(s.global.p_value)
                .chain(s.areas.iter().map(|x| x.p_value))
                .collect::<Vec<_>>()
        };
        assert_ne!(p(&a), p(&c));
        // Every p-value lies in [1/(P+1), 1].
        for v in p(&a).into_iter().flatten() {
            assert!((1.0 / 1000.0..=1.0).contains(&v), "{v}");
        }
    }

    #[test]
    fn missing_values_are_left_out_as_if_the_area_did_not_exist() {
        let full: Vec<Option<f64>> = (0..25)
            .map(|i| Some(((i * 7) % 5 + i / 5) as f64))
            .collect();
        let w = grid(5, 5, true);
        for gap in [Some(f64::NAN), None, Some(f64::INFINITY)] {
            let mut values = full.clone();
            values[12] = gap;
            let with_gap = spatial(&values, &w, settings(5)).unwrap();
            // The same layer without area 12, renumbered.
            let keep: Vec<usize> = (0..25).filter(|&i| i != 12).collect();
            let renumber = |j: usize| keep.iter().position(|&k| k == j);
            let sub_values: Vec<Option<f64>> = keep.iter().map(|&i| full[i]).collect();
            let sub_w: Vec<Vec<usize>> = keep
                .iter()
                .map(|&i| w[i].iter().filter_map(|&j| renumber(j)).collect())
                .collect();
            let without = spatial(&sub_values, &sub_w, settings(5)).unwrap();
            assert_eq!(with_gap.global, without.global);
            assert_eq!(with_gap.areas[12].lisa, Lisa::NoData);
            assert_eq!(with_gap.areas[12].value, None);
            for (k, &i) in keep.iter().enumerate() {
                assert_eq!(with_gap.areas[i], without.areas[k], "area {i}");
            }
            // The centre's neighbours lost one neighbour with data.
            assert_eq!(with_gap.areas[6].neighbours, 7);
        }
    }

    #[test]
    fn p_values_fold_like_esda_and_no_permutations_means_no_p() {
        assert_eq!(p_sim(0.5, [0.1, 0.2, 0.3, 0.6].into_iter(), 4), 2.0 / 5.0);
        assert_eq!(p_sim(0.0, [0.1, 0.2, 0.3, 0.6].into_iter(), 4), 1.0 / 5.0);
        // 0.2: three at least as large, folded to 4 − 3 = 1.
        assert_eq!(p_sim(0.2, [0.1, 0.2, 0.3, 0.6].into_iter(), 4), 2.0 / 5.0);
        assert_eq!(p_sim(0.7, [0.1, 0.2, 0.3, 0.6].into_iter(), 4), 1.0 / 5.0);
        let s = spatial(
            &[Some(1.0), Some(2.0), Some(3.0)],
            &[vec![1], vec![0, 2], vec![1]],
            Settings {
                permutations: 0,
                ..Settings::default()
            },
        )
        .unwrap();
        assert!(s.global.morans_i.is_some());
        assert_eq!(s.global.p_value, None);
        assert!(s
            .areas
            .iter()
            .all(|a| a.p_value.is_none() && a.lisa == Lisa::NotSignificant));
    }

    /// The documented local test recomputed in integers (the fixture's values are tenths, so
    /// sums are exact): `larger` per area under `≥` decided exactly and, for contrast, under
    /// the float sums in area order the server used before (an ulp can split a tie).
    fn local_counts_in_integers(
        tenths: &[i64],
        neighbours: &[Vec<usize>],
        perms: usize,
        seed: u64,
    ) -> Vec<(usize, usize)> {
        let n = tenths.len();
        let total: i64 = tenths.iter().sum();
        let x: Vec<f64> = tenths.iter().map(|&t| t as f64 / 10.0).collect();
        let mean = super::super::stats::mean_of(&x).unwrap();
        let z: Vec<f64> = x.iter().map(|v| v - mean).collect();
        let scale = (n as f64 - 1.0) / z.iter().map(|v| v * v).sum::<f64>();
        let mut rng = SplitMix64::new(seed);
        // The global permutations come first in the stream; what they draw depends on n only.
        let mut shuffled: Vec<usize> = (0..n).collect();
        for _ in 0..perms {
            rng.draw(&mut shuffled, n);
        }
        let mut out = Vec::new();
        for (k, list) in neighbours.iter().enumerate() {
            // The sign of z_k, exactly: 10·x_k·n − Σ 10·x.
            let zk_sign = (tenths[k] * n as i64 - total).signum();
            let observed: i64 = list.iter().map(|&j| tenths[j]).sum();
            let float_obs =
                scale * z[k] * (list.iter().map(|&j| z[j]).sum::<f64>() / list.len() as f64);
            let mut pool: Vec<usize> = (0..n).filter(|&j| j != k).collect();
            let (mut exact, mut float) = (0, 0);
            for _ in 0..perms {
                rng.draw(&mut pool, list.len());
                let mut drawn: Vec<usize> = pool[..list.len()].to_vec();
                drawn.sort_unstable();
                let sum: i64 = drawn.iter().map(|&j| tenths[j]).sum();
                if zk_sign * (sum - observed) >= 0 {
                    exact += 1;
                }
                let sim =
                    scale * z[k] * (drawn.iter().map(|&j| z[j]).sum::<f64>() / list.len() as f64);
                if sim >= float_obs {
                    float += 1;
                }
            }
            out.push((exact, float));
        }
        out
    }

    #[test]
    fn tied_draws_count_as_at_least_the_observed_statistic() {
        // Twelve areas on a ring, each with three neighbours (both sides and the opposite one),
        // whose values repeat 0.1, 0.2, 0.3, 0.7: most draws of three are the observed
        // neighbours' values again, from other areas, in another order.
        let tenths: Vec<i64> = (0..12).map(|i| [1, 2, 3, 7][i % 4]).collect();
        let neighbours: Vec<Vec<usize>> = (0..12)
            .map(|i| {
                let mut l = vec![(i + 11) % 12, (i + 1) % 12, (i + 6) % 12];
                l.sort_unstable();
                l
            })
            .collect();
        let values: Vec<Option<f64>> = tenths.iter().map(|&t| Some(t as f64 / 10.0)).collect();
        let perms = 999;
        let s = spatial(
            &values,
            &neighbours,
            Settings {
                permutations: perms,
                ..settings(7)
            },
        )
        .unwrap();
        let counts = local_counts_in_integers(&tenths, &neighbours, perms, 7);
        let fold = |larger: usize| (larger.min(perms - larger) as f64 + 1.0) / (perms as f64 + 1.0);
        for (area, &(exact, _)) in s.areas.iter().zip(&counts) {
            assert_eq!(area.p_value, Some(fold(exact)), "{counts:?}");
        }
        // The fixture has ties that float sums split: the old rule answers otherwise.
        let split = counts
            .iter()
            .filter(|(exact, float)| exact != float)
            .count();
        assert!(split > 0, "no tie split by floats: {counts:?}");
    }

    #[test]
    fn sums_equal_as_written_are_ties() {
        let c =
            |plus: &[f64], minus: &[f64]| compare_sums(plus.iter().copied(), minus.iter().copied());
        // 0.1 + 0.2 + 0.3 is 0.6000000000000001 in floats, 0.3 + 0.2 + 0.1 is 0.6.
        assert_eq!(c(&[0.1, 0.2, 0.3], &[0.3, 0.2, 0.1]), Ordering::Equal);
        // Equal in decimals, not as binary fractions.
        assert_eq!(c(&[3.9, 4.6], &[3.8, 4.7]), Ordering::Equal);
        assert_eq!(c(&[1.1, 2.2, 3.3], &[6.6]), Ordering::Equal);
        assert_eq!(c(&[0.3, 0.2], &[0.1, 0.3]), Ordering::Greater);
        assert_eq!(c(&[0.1], &[0.100_000_000_1]), Ordering::Less);
        assert_eq!(
            c(&[123_456.789_012_3], &[123_456.789_012_4]),
            Ordering::Less
        );
        assert_eq!(c(&[], &[]), Ordering::Equal);
        assert_eq!(c(&[1e-300], &[]), Ordering::Greater);
    }

    #[test]
    fn draws_are_uniform_without_replacement() {
        let mut rng = SplitMix64::new(42);
        let mut counts = [0usize; 6];
        for _ in 0..60_000 {
            let mut pool = [0usize, 1, 2, 3, 4, 5];
            rng.draw(&mut pool, 2);
            assert_ne!(pool[0], pool[1]);
            counts[pool[0]] += 1;
            counts[pool[1]] += 1;
        }
        // Each item is drawn with probability 1/3: 20 000 expected, sd about 115.
        for c in counts {
            assert!((19_400..=20_600).contains(&c), "{counts:?}");
        }
        assert!((0..1000).all(|_| rng.below(3) < 3));
        assert_eq!(rng.below(1), 0);
    }

    #[test]
    fn bad_neighbour_lists_are_errors() {
        assert!(matches!(
            spatial(&[Some(1.0)], &[], Settings::default()),
            Err(AnalysisError::LengthMismatch { .. })
        ));
        assert!(matches!(
            spatial(
                &[Some(1.0), Some(2.0)],
                &[vec![1], vec![2]],
                Settings::default()
            ),
            Err(AnalysisError::IndexOutOfRange { index: 2, .. })
        ));
    }

    #[test]
    fn lisa_classes_serialise_kebab_case() {
        for class in [
            Lisa::HighHigh,
            Lisa::LowLow,
            Lisa::HighLow,
            Lisa::LowHigh,
            Lisa::NotSignificant,
            Lisa::Island,
            Lisa::NoData,
        ] {
            assert_eq!(
                serde_json::to_value(class).unwrap(),
                serde_json::json!(class.as_str())
            );
        }
    }
}
