//! The fixed-order sum both objectives compute their cost and gradient with, so a trained model
//! is the same bits on any number of threads (or, later, page workers).
//!
//! The examples are cut into blocks of [`BLOCK`], whose boundaries depend on the number of
//! examples only. Each block's sums are a [`Partial`], computed by the same code wherever it
//! runs; the partials are then added in block order, starting from zeros, and the objective
//! finishes the total (divides by m, applies its scale). Threads take blocks as they come free.
//! A shard (for a worker holding only some of the photos) is a contiguous run of whole blocks
//! ([`shards`]): whoever holds one computes its blocks' partials ([`partials`]) and whoever
//! combines them adds every block's partial in order ([`combine`]). Float addition is not
//! associative, so it is the per-block partials that are added, never a shard's pre-added ones.
//!
//! With m ≤ [`BLOCK`] there is one block and the sums are the unblocked ones to the bit (the
//! tutorials' 209 photos); more examples change the float64 path's last digits only (see
//! docs/performance.md).

use std::ops::Range;

use crate::model::{Gradients, Model};
use crate::threads::Threads;
use crate::{Error, Result};

/// Examples per block. 256 keeps the integer kernel's per-block `i32` sums from overflowing
/// (see `kernel::BLOCK`) and makes the tutorials' training sets one block.
pub const BLOCK: usize = 256;

/// Number of blocks of `examples` examples.
pub fn block_count(examples: usize) -> usize {
    examples.div_ceil(BLOCK)
}

/// The examples of block `block`.
pub fn block_range(examples: usize, block: usize) -> Range<usize> {
    let start = (block * BLOCK).min(examples);
    start..(start + BLOCK).min(examples)
}

/// The examples of `count` shards: contiguous runs of whole blocks, as even as blocks allow
/// (fewer shards than asked when there are fewer blocks; at least one).
pub fn shards(examples: usize, count: usize) -> Vec<Range<usize>> {
    runs(block_count(examples), count)
        .into_iter()
        .map(|blocks| (blocks.start * BLOCK).min(examples)..(blocks.end * BLOCK).min(examples))
        .collect()
}

/// `0..count` cut into `parts` contiguous runs whose lengths differ by at most one, longer first.
fn runs(count: usize, parts: usize) -> Vec<std::ops::Range<usize>> {
    let parts = parts.clamp(1, count.max(1));
    let (each, longer) = (count / parts, count % parts);
    let mut start = 0;
    (0..parts)
        .map(|p| {
            let end = start + each + usize::from(p < longer);
            let run = start..end;
            start = end;
            run
        })
        .collect()
}

/// The sums over one block (or, once combined, over all of them) before the objective finishes
/// them: the gradient's numerators, the bias's, and the cost's.
#[derive(Debug, Clone, PartialEq)]
pub struct Partial {
    /// Sum over the block of each weight's gradient term.
    pub dw: Vec<f64>,
    /// Sum over the block of the bias's gradient term.
    pub db: f64,
    /// Sum over the block of the examples' costs.
    pub cost: f64,
}

impl Partial {
    /// Nothing summed yet, for `features` weights.
    pub fn zeros(features: usize) -> Partial {
        Partial { dw: vec![0.0; features], db: 0.0, cost: 0.0 }
    }

    /// A block's cost alone: its gradient's sums were added into another block of its shard
    /// (only for exact sums, see `shard::exact_from_wire`).
    pub fn cost_only(cost: f64) -> Partial {
        Partial { dw: Vec::new(), db: 0.0, cost }
    }

    /// Adds the next block's sums into these (a [`Partial::cost_only`] adds its cost alone).
    pub fn add(&mut self, next: &Partial) -> Result<()> {
        if next.dw.is_empty() && next.db == 0.0 {
            self.cost += next.cost;
            return Ok(());
        }
        if next.dw.len() != self.dw.len() {
            return Err(Error::MismatchedShapes {
                what: "weights of a partial sum",
                expected: self.dw.len(),
                actual: next.dw.len(),
            });
        }
        self.dw.iter_mut().zip(&next.dw).for_each(|(s, &d)| *s += d);
        self.db += next.db;
        self.cost += next.cost;
        Ok(())
    }
}

/// Every block's partial added in the order given, which must be block order, from zeros.
pub fn combine<'a>(features: usize, blocks: impl IntoIterator<Item = &'a Partial>) -> Result<Partial> {
    let mut total = Partial::zeros(features);
    for block in blocks {
        total.add(block)?;
    }
    Ok(total)
}

/// An objective computed block by block.
pub trait Blocked: Sync {
    /// What every block needs from the model, computed once per propagate.
    type Prepared: Sync;
    /// Number of examples (of this shard, when it holds one).
    fn examples(&self) -> usize;
    /// Number of weights.
    fn features(&self) -> usize;
    /// Checks `model` against the examples and readies it for the blocks.
    fn prepare(&self, model: &Model) -> Result<Self::Prepared>;
    /// The sums over block `block` of the examples.
    fn block(&self, model: &Model, prepared: &Self::Prepared, block: usize) -> Partial;
    /// Gradients and mean cost from the sums over all of `examples` examples.
    fn finish(&self, total: Partial, examples: usize) -> (Gradients, f64);
}

/// The partial of each block of `objective`'s examples at `model`, in block order, the blocks
/// taken by `threads` as they come free.
pub fn partials<B: Blocked>(objective: &B, model: &Model, threads: Threads) -> Result<Vec<Partial>> {
    partials_of(objective, model, 0..block_count(objective.examples()), threads)
}

/// The partials of blocks `blocks` only (a lead worker's own shard), in block order.
pub fn partials_of<B: Blocked>(
    objective: &B,
    model: &Model,
    blocks: Range<usize>,
    threads: Threads,
) -> Result<Vec<Partial>> {
    let count = block_count(objective.examples());
    if blocks.start > blocks.end || blocks.end > count {
        return Err(Error::MismatchedShapes { what: "blocks of a shard", expected: count, actual: blocks.end });
    }
    let prepared = objective.prepare(model)?;
    Ok(threads.map(blocks.len(), |b| objective.block(model, &prepared, blocks.start + b)))
}

/// Gradients and mean cost from the partial of every block of `objective`'s examples, in block
/// order, wherever each was computed.
pub fn finish_all<B: Blocked>(objective: &B, partials: &[Partial]) -> Result<(Gradients, f64)> {
    let count = block_count(objective.examples());
    if partials.len() != count {
        return Err(Error::MismatchedShapes {
            what: "partial sums of blocks",
            expected: count,
            actual: partials.len(),
        });
    }
    let total = combine(objective.features(), partials)?;
    Ok(objective.finish(total, objective.examples()))
}

/// Cost and gradients of `objective` at `model`: its blocks' partials, combined in order.
pub fn propagate<B: Blocked>(objective: &B, model: &Model, threads: Threads) -> Result<(Gradients, f64)> {
    finish_all(objective, &partials(objective, model, threads)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::rng::Mt19937;

    fn random_partials(rng: &mut Mt19937, blocks: usize, features: usize) -> Vec<Partial> {
        let mut value = || (rng.next_f64() - 0.5) * 10f64.powi(rng.below(12) as i32 - 6);
        (0..blocks)
            .map(|_| Partial { dw: (0..features).map(|_| value()).collect(), db: value(), cost: value().abs() })
            .collect()
    }

    #[test]
    fn blocks_and_shards_depend_on_the_example_count_only() {
        assert_eq!(block_count(0), 0);
        assert_eq!(block_count(256), 1);
        assert_eq!(block_count(257), 2);
        assert_eq!(block_range(600, 2), 512..600);
        assert_eq!(shards(1000, 2), vec![0..512, 512..1000]);
        assert_eq!(shards(1000, 3), vec![0..512, 512..768, 768..1000]);
        assert_eq!(shards(100, 4), vec![0..100]);
        for (m, n) in [(1, 1), (255, 2), (2049, 3), (5000, 8)] {
            let flat: Vec<usize> = shards(m, n).into_iter().flatten().collect();
            assert_eq!(flat, (0..m).collect::<Vec<_>>());
            assert!(shards(m, n).iter().all(|s| s.start % BLOCK == 0));
        }
    }

    #[test]
    fn runs_cover_every_index_once_in_order() {
        for count in 0..40 {
            for parts in 1..9 {
                let runs = runs(count, parts);
                let flat: Vec<usize> = runs.iter().cloned().flatten().collect();
                assert_eq!(flat, (0..count).collect::<Vec<_>>(), "count {count} parts {parts}");
                let lengths: Vec<usize> = runs.iter().map(|r| r.len()).collect();
                assert!(lengths.windows(2).all(|l| l[0] >= l[1] && l[0] - l[1] <= 1), "{lengths:?}");
            }
        }
    }

    #[test]
    fn combining_per_shard_lists_in_order_gives_the_same_bits_for_any_split() {
        // Values of very different sizes, so that any change in the order of the additions
        // would show in the last bits.
        let mut rng = Mt19937::new(5);
        let blocks = random_partials(&mut rng, 23, 7);
        let whole = combine(7, &blocks).unwrap();
        for shards in 1..9 {
            // Each shard hands over its blocks' partials; they are added in block order.
            let handed: Vec<Vec<Partial>> =
                runs(blocks.len(), shards).into_iter().map(|r| blocks[r].to_vec()).collect();
            let again = combine(7, handed.iter().flatten()).unwrap();
            assert_eq!(again, whole, "{shards} shards");
        }
        // And the order does matter, which is why it is fixed: pre-adding a shard differs.
        let mut early = combine(7, &blocks[..11]).unwrap();
        early.add(&combine(7, &blocks[11..]).unwrap()).unwrap();
        assert_ne!(early, whole);
    }

    #[test]
    fn the_first_block_is_added_to_zeros_exactly() {
        let mut rng = Mt19937::new(9);
        let blocks = random_partials(&mut rng, 1, 5);
        assert_eq!(combine(5, &blocks).unwrap(), blocks[0]);
    }

    #[test]
    fn rejects_partials_of_another_size() {
        let err = combine(3, &[Partial::zeros(4)]).unwrap_err();
        assert!(matches!(err, Error::MismatchedShapes { expected: 3, actual: 4, .. }), "{err}");
    }
}
