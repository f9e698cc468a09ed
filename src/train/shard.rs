//! A run's training rows spread over the page's workers, and what the workers send each other.
//!
//! The lead worker holds the photos and the run. At the start of a run it cuts the training rows
//! into [`blocks::shards`](crate::train::blocks::shards) (contiguous runs of whole blocks) and sends shard `i ≥ 1` to helper
//! worker `i`, which builds a [`Shard`] from it; the lead computes shard 0 itself. Each step, the
//! lead sends the model ([`model_to_wire`]); every helper answers with its blocks' partials
//! ([`Shard::partials`], [`partials_to_wire`]; the integer kernel's gradient sums added up first,
//! [`exact_to_wire`], as integers add up the same in any order); the lead adds every block's
//! partial in block order (`Plan::finish_step`). A shard starts on a block boundary, so its local block `j` is the
//! run's block `first + j`, holding the same rows and summed by the same code: the model is the
//! same bits whether one worker or eight computed it.
//!
//! Shards travel as bytes ([`ShardRows::to_bytes`]): a little-endian header, the labels, then
//! the rows (bytes for the integer kernel, float64 for the reference). The shapes are checked on
//! arrival, so a wrong message is an error, never a panic.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::model::Model;
use crate::train::blocks::{block_count, Partial};
use crate::train::kernel::FastObjective;
use crate::train::optimize::{F64Objective, Objective};
use crate::{Error, Result};

const MAGIC: &[u8; 8] = b"CDSHARD1";
const BYTES: u8 = 0;
const FLOATS: u8 = 1;
/// Magic, kind, 3 padding bytes, features and rows (u32), scale and offset (f64).
const HEADER: usize = 8 + 4 + 8 + 16;

/// The training rows of one shard, as a helper worker receives them.
#[derive(Debug, Clone, PartialEq)]
pub enum ShardRows {
    /// Rows of `features` bytes, byte `q` meaning `scale * q + offset` (the integer kernel's).
    Bytes { levels: Vec<u8>, labels: Vec<u8>, features: usize, scale: f64, offset: f64 },
    /// Float64 rows with their labels (the reference objective's).
    Floats { x: Array2<f64>, y: Array1<f64> },
}

impl ShardRows {
    /// Float64 rows `x` labelled `y`.
    pub fn floats(x: ArrayView2<f64>, y: ArrayView1<f64>) -> ShardRows {
        ShardRows::Floats { x: x.to_owned(), y: y.to_owned() }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ShardRows::Bytes { labels, .. } => labels.len(),
            ShardRows::Floats { y, .. } => y.len(),
        }
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The message a helper worker is sent.
    pub fn to_bytes(&self) -> Vec<u8> {
        let (kind, features, scale, offset, width) = match self {
            ShardRows::Bytes { features, scale, offset, .. } => (BYTES, *features, *scale, *offset, 1),
            ShardRows::Floats { x, .. } => (FLOATS, x.ncols(), 0.0, 0.0, 8),
        };
        let mut out = header(kind, features, self.len(), (scale, offset), width);
        match self {
            ShardRows::Bytes { levels, labels, .. } => {
                out.extend_from_slice(labels);
                out.extend_from_slice(levels);
            }
            ShardRows::Floats { x, y } => {
                out.extend(y.iter().map(|&l| u8::from(l == 1.0)));
                x.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
            }
        }
        out
    }

    /// Reads a message made by [`Self::to_bytes`], checking its shapes.
    pub fn from_bytes(bytes: &[u8]) -> Result<ShardRows> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(Error::Shard("the rows do not start with a shard's header"));
        }
        let u32_at = |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        let f64_at = |at: usize| f64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]));
        let (kind, features, rows) = (bytes[8], u32_at(12), u32_at(16));
        let (scale, offset) = (f64_at(20), f64_at(28));
        let body = &bytes[HEADER..];
        let width = match kind {
            BYTES => 1,
            FLOATS => 8,
            _ => return Err(Error::Shard("the rows are of an unknown kind")),
        };
        let expected = features.checked_mul(width).and_then(|w| w.checked_add(1)).and_then(|w| w.checked_mul(rows));
        if features == 0 || expected != Some(body.len()) {
            return Err(Error::Shard("the rows are not as long as their header says"));
        }
        let (labels, data) = body.split_at(rows);
        if labels.iter().any(|&l| l > 1) {
            return Err(Error::Shard("a label is neither 0 nor 1"));
        }
        if kind == BYTES {
            let (levels, labels) = (data.to_vec(), labels.to_vec());
            return Ok(ShardRows::Bytes { levels, labels, features, scale, offset });
        }
        let values = data.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect();
        let x = Array2::from_shape_vec((rows, features), values).map_err(|_| Error::Shard("the rows have no shape"))?;
        Ok(ShardRows::Floats { x, y: labels.iter().map(|&l| f64::from(l)).collect() })
    }
}

/// A message's header, in a vector with room for exactly the rest (`width` bytes a value): wasm
/// memory only grows, so room asked for stays taken.
fn header(kind: u8, features: usize, rows: usize, (scale, offset): (f64, f64), width: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + rows * (1 + features * width));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[kind, 0, 0, 0]);
    out.extend_from_slice(&(features as u32).to_le_bytes());
    out.extend_from_slice(&(rows as u32).to_le_bytes());
    out.extend_from_slice(&scale.to_le_bytes());
    out.extend_from_slice(&offset.to_le_bytes());
    out
}

/// The message of byte rows, as `ShardRows::Bytes` sends it, written straight from the rows
/// (the first `features` bytes of each), without a copy of them in between.
pub fn bytes_message<'a>(
    labels: &[u8],
    rows: impl Iterator<Item = &'a [u8]>,
    features: usize,
    scale_offset: (f64, f64),
) -> Vec<u8> {
    let mut out = header(BYTES, features, labels.len(), scale_offset, 1);
    out.extend_from_slice(labels);
    rows.for_each(|row| out.extend_from_slice(&row[..features]));
    out
}

/// A helper worker's part of a run: the objective on its rows alone.
pub struct Shard {
    objective: Box<dyn Objective>,
}

impl Shard {
    /// The objective on `rows`, computed on the caller's thread.
    pub fn new(rows: ShardRows) -> Result<Shard> {
        let objective: Box<dyn Objective> = match rows {
            ShardRows::Bytes { levels, labels, features, scale, offset } => {
                Box::new(FastObjective::from_levels(levels, &labels, features, scale, offset)?)
            }
            ShardRows::Floats { x, y } => Box::new(F64Objective::new(x, y)?),
        };
        Ok(Shard { objective })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.objective.examples()
    }

    /// Always false: a shard has at least one row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The partial of each of the shard's blocks at the model sent (see [`model_from_wire`]),
    /// as [`partials_to_wire`] sends them, or added up by [`exact_to_wire`] when their sums are
    /// exact (the integer kernel's).
    pub fn partials(&self, model: &[f64]) -> Result<Vec<f64>> {
        let model = model_from_wire(model, self.objective.features())?;
        let blocks = 0..block_count(self.objective.examples());
        let partials = self.objective.partials(&model, blocks)?;
        Ok(if self.objective.exact_sums() { exact_to_wire(&partials) } else { partials_to_wire(&partials) })
    }
}

/// The model as sent to the helpers: the bias, then the weights.
pub fn model_to_wire(model: &Model) -> Vec<f64> {
    std::iter::once(model.b).chain(model.w.iter().copied()).collect()
}

/// The model sent by [`model_to_wire`], which must have `features` weights.
pub fn model_from_wire(wire: &[f64], features: usize) -> Result<Model> {
    match wire.split_first() {
        Some((&b, w)) if w.len() == features => Ok(Model { w: Array1::from(w.to_vec()), b }),
        _ => Err(Error::MismatchedShapes {
            what: "weights sent to a worker",
            expected: features + 1,
            actual: wire.len(),
        }),
    }
}

/// Partials one after another, each as its cost, its bias sum, then its weights' sums.
pub fn partials_to_wire(partials: &[Partial]) -> Vec<f64> {
    let mut out = Vec::with_capacity(partials.iter().map(|p| p.dw.len() + 2).sum());
    for p in partials {
        out.extend([p.cost, p.db]);
        out.extend_from_slice(&p.dw);
    }
    out
}

/// The partials sent by [`partials_to_wire`], each of `features` weights.
pub fn partials_from_wire(wire: &[f64], features: usize) -> Result<Vec<Partial>> {
    if !wire.len().is_multiple_of(features + 2) {
        return Err(Error::Shard("the partial sums are not whole blocks"));
    }
    let partial = |c: &[f64]| Partial { cost: c[0], db: c[1], dw: c[2..].to_vec() };
    Ok(wire.chunks_exact(features + 2).map(partial).collect())
}

/// A shard's partials with exact sums (see `Objective::exact_sums`), their gradient's sums added
/// up first, since that changes no bit: the number of blocks, each block's cost (floats, kept
/// apart for the lead to add in block order), then the bias's and the weights' sums. One set of
/// weights' sums crosses instead of one a block.
pub fn exact_to_wire(partials: &[Partial]) -> Vec<f64> {
    let features = partials.first().map_or(0, |p| p.dw.len());
    let mut total = Partial::zeros(features);
    let mut out = vec![partials.len() as f64];
    for p in partials {
        out.push(p.cost);
        total.dw.iter_mut().zip(&p.dw).for_each(|(s, &d)| *s += d);
        total.db += p.db;
    }
    out.push(total.db);
    out.extend_from_slice(&total.dw);
    out
}

/// The partials of one or more shards sent by [`exact_to_wire`], one after another: each
/// shard's first block carries its sums, the others their costs alone ([`Partial::cost_only`]).
pub fn exact_from_wire(mut wire: &[f64], features: usize) -> Result<Vec<Partial>> {
    let mut partials = Vec::new();
    while let Some((&count, rest)) = wire.split_first() {
        let blocks = count as usize;
        let needed = blocks.checked_add(1 + features);
        if count < 1.0 || count.fract() != 0.0 || needed.is_none_or(|n| rest.len() < n) {
            return Err(Error::Shard("the partial sums are not whole shards"));
        }
        let (costs, rest) = rest.split_at(blocks);
        let (db, rest) = (rest[0], &rest[1..]);
        let (dw, rest) = rest.split_at(features);
        partials.push(Partial { dw: dw.to_vec(), db, cost: costs[0] });
        partials.extend(costs[1..].iter().map(|&cost| Partial::cost_only(cost)));
        wire = rest;
    }
    Ok(partials)
}

#[cfg(test)]
mod tests;
