//! A uniform grid over a layer for point lookups: a cell that no boundary comes near holds the
//! areas covering all of it, so most points are answered by one array read; points in a cell a
//! boundary crosses, or off the grid, take the exact path.

use crate::model::Area;
use geo::{Coord, Point};
use std::collections::HashMap;

/// About this many cells per layer (2 bytes each).
const TARGET_CELLS: f64 = (1 << 20) as f64;
/// A cell's class when a boundary touches it, or when there are more distinct area sets than
/// classes: ask the exact path.
const EDGE: u16 = u16::MAX;

#[derive(Debug, Default)]
pub struct CellGrid {
    origin: Coord<f64>,
    /// Cells per degree, across and up.
    scale: Coord<f64>,
    nx: usize,
    ny: usize,
    /// Each cell's class (row by row from the south-west): an index into `starts`, or `EDGE`.
    cells: Vec<u16>,
    /// Class `k` is the areas `members[starts[k]..starts[k + 1]]` (ascending; none at sea).
    starts: Vec<u32>,
    members: Vec<u32>,
}

impl CellGrid {
    /// The grid over `areas`, each boundary-free cell classed by `exact` (the areas covering a
    /// point, ascending) at its centre.
    pub fn build(areas: &[Area], mut exact: impl FnMut(Point<f64>, &mut Vec<usize>)) -> CellGrid {
        let mut grid = CellGrid::over(areas);
        let edge = grid.edge_cells(areas);
        let mut classes: HashMap<Vec<usize>, u16> = HashMap::new();
        let mut hits = Vec::new();
        grid.cells = vec![EDGE; grid.nx * grid.ny];
        grid.starts = vec![0];
        for iy in 0..grid.ny {
            // Neighbouring boundary-free cells of a row form a region no boundary crosses, so
            // they share one class: one exact query per run.
            let mut run = None;
            for ix in 0..grid.nx {
                let c = iy * grid.nx + ix;
                if edge[c] {
                    run = None;
                    continue;
                }
                let class = match run {
                    Some(class) => class,
                    None => {
                        exact(grid.centre(ix, iy), &mut hits);
                        grid.intern(&mut classes, &hits)
                    }
                };
                grid.cells[c] = class;
                run = Some(class);
            }
        }
        grid
    }

    /// The areas covering `p` if its cell knows them; `None` sends the point the exact way.
    pub fn covering(&self, p: Point<f64>) -> Option<&[u32]> {
        let fx = (p.x() - self.origin.x) * self.scale.x;
        let fy = (p.y() - self.origin.y) * self.scale.y;
        // Also false for NaN.
        if !(fx >= 0.0 && fy >= 0.0) {
            return None;
        }
        let (ix, iy) = (fx as usize, fy as usize);
        if ix >= self.nx || iy >= self.ny {
            return None;
        }
        let class = *self.cells.get(iy * self.nx + ix)?;
        if class == EDGE {
            return None;
        }
        let class = usize::from(class);
        let (start, end) = (*self.starts.get(class)?, *self.starts.get(class + 1)?);
        self.members.get(start as usize..end as usize)
    }

    /// An empty grid of about `TARGET_CELLS` square-ish cells over the areas' envelopes.
    fn over(areas: &[Area]) -> CellGrid {
        let mut lo = Coord {
            x: f64::INFINITY,
            y: f64::INFINITY,
        };
        let mut hi = Coord {
            x: f64::NEG_INFINITY,
            y: f64::NEG_INFINITY,
        };
        for r in areas.iter().filter_map(Area::bbox) {
            lo = Coord {
                x: lo.x.min(r.min().x),
                y: lo.y.min(r.min().y),
            };
            hi = Coord {
                x: hi.x.max(r.max().x),
                y: hi.y.max(r.max().y),
            };
        }
        let (w, h) = (hi.x - lo.x, hi.y - lo.y);
        let (nx, ny) = if w > 0.0 && h > 0.0 {
            let nx = (TARGET_CELLS * w / h).sqrt().ceil().clamp(1.0, 65_536.0);
            let ny = (TARGET_CELLS / nx).ceil().clamp(1.0, 65_536.0);
            (nx as usize, ny as usize)
        } else {
            (0, 0)
        };
        CellGrid {
            origin: lo,
            scale: Coord {
                x: nx as f64 / w,
                y: ny as f64 / h,
            },
            nx,
            ny,
            cells: Vec::new(),
            starts: Vec::new(),
            members: Vec::new(),
        }
    }

    /// Marks every cell a boundary segment comes within a hair of. Each segment is cut into
    /// pieces no longer than a cell each way, and every cell the box of a piece (widened by the
    /// hair, far more than the rounding of a cell's index) meets is marked: conservative, so a
    /// cell left unmarked has no boundary on or near it.
    fn edge_cells(&self, areas: &[Area]) -> Vec<bool> {
        let mut edge = vec![false; self.nx * self.ny];
        if edge.is_empty() {
            return edge;
        }
        let hair = 1e-9 * (self.nx as f64 / self.scale.x).max(self.ny as f64 / self.scale.y);
        let rings = areas
            .iter()
            .flat_map(|a| &a.geometry.0)
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()));
        for ring in rings {
            for w in ring.0.windows(2) {
                let [a, b] = [w[0], w[1]];
                let steps = ((b.x - a.x).abs() * self.scale.x)
                    .max((b.y - a.y).abs() * self.scale.y)
                    .ceil()
                    .clamp(1.0, 1e7) as usize;
                let at = |t: f64| Coord {
                    x: a.x + (b.x - a.x) * t,
                    y: a.y + (b.y - a.y) * t,
                };
                for j in 0..steps {
                    let (p, q) = (
                        at(j as f64 / steps as f64),
                        at((j + 1) as f64 / steps as f64),
                    );
                    let (x0, x1) = (
                        self.column(p.x.min(q.x) - hair),
                        self.column(p.x.max(q.x) + hair),
                    );
                    let (y0, y1) = (self.row(p.y.min(q.y) - hair), self.row(p.y.max(q.y) + hair));
                    for iy in y0..=y1 {
                        for ix in x0..=x1 {
                            edge[iy * self.nx + ix] = true;
                        }
                    }
                }
            }
        }
        edge
    }

    fn column(&self, x: f64) -> usize {
        (((x - self.origin.x) * self.scale.x).floor().max(0.0) as usize).min(self.nx - 1)
    }

    fn row(&self, y: f64) -> usize {
        (((y - self.origin.y) * self.scale.y).floor().max(0.0) as usize).min(self.ny - 1)
    }

    fn centre(&self, ix: usize, iy: usize) -> Point<f64> {
        Point::new(
            self.origin.x + (ix as f64 + 0.5) / self.scale.x,
            self.origin.y + (iy as f64 + 0.5) / self.scale.y,
        )
    }

    /// The class of the area set `hits`, added if new (`EDGE` once every class is taken).
    fn intern(&mut self, classes: &mut HashMap<Vec<usize>, u16>, hits: &[usize]) -> u16 {
        if let Some(&class) = classes.get(hits) {
            return class;
        }
        let Ok(class) = u16::try_from(self.starts.len() - 1) else {
            return EDGE;
        };
        if class == EDGE {
            return EDGE;
        }
        self.members.extend(hits.iter().map(|&i| i as u32));
        self.starts.push(self.members.len() as u32);
        classes.insert(hits.to_vec(), class);
        class
    }
}
