//! How many threads work may spread over, and the one way it spreads: each thread takes the next
//! item not yet taken, and the results come back in item order. Whatever is computed per item is
//! computed the same way on any thread, so no result depends on the count, nor on which thread
//! took which item. wasm32 has no threads: there everything runs on the caller's.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

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

    /// `f(0), f(1), …, f(count - 1)`, returned in that order. Up to this many threads (the
    /// caller's among them) each take the next index not yet taken until none is left, so a
    /// thread slowed by other work on its core takes fewer; where an index ran does not change
    /// what `f` gives for it.
    pub fn map<R: Send>(self, count: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
        let threads = self.get().min(count);
        if cfg!(target_arch = "wasm32") || threads < 2 {
            return (0..count).map(f).collect();
        }
        let next = AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return done;
                }
                done.push((i, f(i)));
            }
        };
        let mut results = std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
            let mut results = work();
            for helper in helpers {
                results.extend(helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
            }
            results
        });
        results.sort_unstable_by_key(|&(i, _)| i);
        results.into_iter().map(|(_, r)| r).collect()
    }

    /// `f(i, chunk)` for each `size`-long chunk `i` of `out` (the last may be shorter), in place,
    /// the chunks taken by up to this many threads as [`Threads::map`] takes its indices.
    pub fn for_each_chunk<T: Send>(self, out: &mut [T], size: usize, f: impl Fn(usize, &mut [T]) + Sync) {
        let size = size.max(1);
        let threads = self.get().min(out.len().div_ceil(size));
        if cfg!(target_arch = "wasm32") || threads < 2 {
            out.chunks_mut(size).enumerate().for_each(|(i, chunk)| f(i, chunk));
            return;
        }
        let chunks = Mutex::new(out.chunks_mut(size).enumerate());
        let work = || loop {
            // A poisoned lock means another thread panicked; that panic is resumed below.
            let taken = chunks.lock().unwrap_or_else(PoisonError::into_inner).next();
            match taken {
                Some((i, chunk)) => f(i, chunk),
                None => return,
            }
        };
        std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
            work();
            for helper in helpers {
                helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
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

#[cfg(test)]
mod tests {
    use super::*;

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
