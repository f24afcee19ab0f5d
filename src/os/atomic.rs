//! The atomic words the lock-free algorithms work on, as one trait: the standard library's
//! atomics in the library, loom's in the models (`--cfg loom`, see `docs/lock-free.md`).
//!
//! Each lock-free algorithm (the size-class lists, the index's sequence lock, the robust
//! lock's hand-off) is written once, generic over the words it reads and writes. The
//! library instantiates it over words in mapped shared memory; a loom model instantiates
//! the very same functions over loom's atomics, which explore the interleavings and the
//! stale values the C11 memory model lets a load return (as far as loom models them).
//! Every method is `#[inline(always)]` and the calls are monomorphised: the library's
//! code is the same instructions as when it named `std::sync::atomic` directly.

use std::sync::atomic::Ordering;

/// An atomic integer word, with the operations the lock-free algorithms use.
pub(crate) trait Atomic {
    /// The integer the word holds.
    type Int: Copy + Eq;

    fn load(&self, order: Ordering) -> Self::Int;
    fn store(&self, value: Self::Int, order: Ordering);
    fn swap(&self, value: Self::Int, order: Ordering) -> Self::Int;
    fn compare_exchange(
        &self,
        current: Self::Int,
        new: Self::Int,
        success: Ordering,
        failure: Ordering,
    ) -> Result<Self::Int, Self::Int>;
    fn compare_exchange_weak(
        &self,
        current: Self::Int,
        new: Self::Int,
        success: Ordering,
        failure: Ordering,
    ) -> Result<Self::Int, Self::Int>;
    /// A memory fence of the same world as the word (std's, or the model's).
    fn fence(order: Ordering);
}

macro_rules! atomic {
    ($atomic:ty, $int:ty, $fence:path) => {
        impl Atomic for $atomic {
            type Int = $int;
            #[inline(always)]
            fn load(&self, order: Ordering) -> $int {
                <$atomic>::load(self, order)
            }
            #[inline(always)]
            fn store(&self, value: $int, order: Ordering) {
                <$atomic>::store(self, value, order)
            }
            #[inline(always)]
            fn swap(&self, value: $int, order: Ordering) -> $int {
                <$atomic>::swap(self, value, order)
            }
            #[inline(always)]
            fn compare_exchange(
                &self,
                current: $int,
                new: $int,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$int, $int> {
                <$atomic>::compare_exchange(self, current, new, success, failure)
            }
            #[inline(always)]
            fn compare_exchange_weak(
                &self,
                current: $int,
                new: $int,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$int, $int> {
                <$atomic>::compare_exchange_weak(self, current, new, success, failure)
            }
            #[inline(always)]
            fn fence(order: Ordering) {
                $fence(order)
            }
        }
    };
}

atomic!(std::sync::atomic::AtomicU64, u64, std::sync::atomic::fence);
atomic!(std::sync::atomic::AtomicU32, u32, std::sync::atomic::fence);
#[cfg(all(loom, test))]
atomic!(
    loom::sync::atomic::AtomicU64,
    u64,
    loom::sync::atomic::fence
);
#[cfg(all(loom, test))]
atomic!(
    loom::sync::atomic::AtomicU32,
    u32,
    loom::sync::atomic::fence
);
