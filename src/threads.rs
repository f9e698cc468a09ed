//! How many threads work may spread over, and the one way it spreads: items are cut into
//! contiguous runs, one per thread, and the results come back in item order. Whatever is
//! computed per item is computed the same way on any thread, so no result depends on the count.
//! wasm32 has no threads: there everything runs on the caller's.

use std::num::NonZeroUsize;

use crate::{Error, Result};

/// A number of threads, at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threads(NonZeroUsize);

impl Threads {
    /// The caller's thread alone.
    pub const ONE: Threads = Threads(NonZeroUsize::MIN);

    /// `count` threads; 0 is refused.
    pub fn new(count: usize) -> Result<Threads> {
        NonZeroUsize::new(count)
            .map(Threads)
            .ok_or_else(|| Error::Setting("the number of threads must be at least 1, got 0".into()))
    }

    /// One per core this process may use (`std::thread::available_parallelism`), at least 1;
    /// 1 on wasm32.
    pub fn available() -> Threads {
        if cfg!(target_arch = "wasm32") {
            return Threads::ONE;
        }
        std::thread::available_parallelism().map_or(Threads::ONE, Threads)
    }

    /// How many.
    pub fn get(self) -> usize {
        self.0.get()
    }

    /// `f(0), f(1), …, f(count - 1)`, in that order, the indices cut into at most this many
    /// contiguous runs, each run on its own thread (the first on the caller's).
    pub fn map<R: Send>(self, count: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
        let threads = self.get().min(count);
        if cfg!(target_arch = "wasm32") || threads < 2 {
            return (0..count).map(f).collect();
        }
        let runs = runs(count, threads);
        let f = &f;
        std::thread::scope(|scope| {
            let handles: Vec<_> = runs[1..]
                .iter()
                .map(|run| {
                    let run = run.clone();
                    scope.spawn(move || run.map(f).collect::<Vec<R>>())
                })
                .collect();
            let mut results: Vec<R> = runs[0].clone().map(f).collect();
            results.reserve(count - results.len());
            for handle in handles {
                results.extend(handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
            }
            results
        })
    }

    /// `f(i, chunk)` for each `size`-long chunk of `out` (the last may be shorter), in place,
    /// the chunks cut into at most this many contiguous runs as [`Threads::map`] cuts its indices.
    pub fn for_each_chunk<T: Send>(self, out: &mut [T], size: usize, f: impl Fn(usize, &mut [T]) + Sync) {
        let size = size.max(1);
        let count = out.len().div_ceil(size);
        let threads = self.get().min(count);
        if cfg!(target_arch = "wasm32") || threads < 2 {
            out.chunks_mut(size).enumerate().for_each(|(i, chunk)| f(i, chunk));
            return;
        }
        let f = &f;
        std::thread::scope(|scope| {
            let mut rest = out;
            let mut handles = Vec::new();
            for run in runs(count, threads) {
                let (mine, after) = rest.split_at_mut((run.len() * size).min(rest.len()));
                rest = after;
                let work = move || mine.chunks_mut(size).zip(run).for_each(|(chunk, i)| f(i, chunk));
                handles.push(scope.spawn(work));
            }
            for handle in handles {
                handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            }
        })
    }
}

impl Default for Threads {
    /// [`Threads::available`].
    fn default() -> Self {
        Threads::available()
    }
}

/// `0..count` cut into `parts` contiguous runs whose lengths differ by at most one, longer first.
pub fn runs(count: usize, parts: usize) -> Vec<std::ops::Range<usize>> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn map_gives_the_items_in_order_on_any_number_of_threads() {
        let one = Threads::ONE.map(37, |i| i * i);
        for n in 1..6 {
            assert_eq!(Threads::new(n).unwrap().map(37, |i| i * i), one, "{n} threads");
        }
        assert!(Threads::new(3).unwrap().map(0, |i| i).is_empty());
    }

    #[test]
    fn for_each_chunk_fills_every_chunk_on_any_number_of_threads() {
        let fill = |threads: usize| {
            let mut out = vec![0usize; 23];
            Threads::new(threads).unwrap().for_each_chunk(&mut out, 4, |i, chunk| {
                chunk.iter_mut().enumerate().for_each(|(j, v)| *v = 100 * i + j)
            });
            out
        };
        let one = fill(1);
        assert_eq!(&one[20..], &[500, 501, 502]);
        (2..8).for_each(|n| assert_eq!(fill(n), one, "{n} threads"));
    }

    #[test]
    fn rejects_zero_threads() {
        assert!(matches!(Threads::new(0), Err(Error::Setting(_))));
        assert!(Threads::available().get() >= 1);
    }
}
