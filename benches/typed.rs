//! The typed Rust API against the byte-level one it is built on, in one process, in
//! alternating rounds: named construct + find + destroy, find alone (of a plain `u64`, and
//! of a `SharedMutex<u64>`, whose find also asks whether the mapping is read-only), and
//! queue send + receive of a 32-byte value. Prints "case raw_ns typed_ns typed/raw" lines.
//!
//! Run with `cargo bench --bench typed`.

use interproc::prelude::*;
use interproc::{InstanceKind, ManagedHeapMemory, MessageQueue, Permissions};
use std::hint::black_box;
use std::time::Instant;

interproc::shareable! {
    /// A 32-byte message.
    pub struct Sample {
        pub seq: u64,
        pub values: [f64; 3],
    }
}

const ROUNDS: usize = 7;

fn ns_per(n: u64, f: &mut dyn FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed().as_nanos() as f64 / n as f64
}

/// The median over alternating rounds of `raw` and `typed`.
fn compare(name: &str, n: u64, raw: &mut dyn FnMut(), typed: &mut dyn FnMut()) {
    let (mut r, mut t) = (Vec::new(), Vec::new());
    for i in 0..ROUNDS {
        if i % 2 == 0 {
            r.push(ns_per(n, raw));
            t.push(ns_per(n, typed));
        } else {
            t.push(ns_per(n, typed));
            r.push(ns_per(n, raw));
        }
    }
    r.sort_by(f64::total_cmp);
    t.sort_by(f64::total_cmp);
    let (r, t) = (r[ROUNDS / 2], t[ROUNDS / 2]);
    println!("{name} {r:.1} {t:.1} {:.2}", t / r);
}

fn main() -> interproc::Result<()> {
    // Both arms borrow the segment through the cell (the typed destroy needs `&mut`), so
    // they pay the same for it.
    let seg = std::cell::RefCell::new(ManagedHeapMemory::new(1 << 20)?);
    let size = std::mem::size_of::<u64>();
    compare(
        "construct_find_destroy",
        20_000,
        &mut || {
            let s = seg.borrow_mut();
            let m: &interproc::SegmentManager = &s;
            m.construct(
                InstanceKind::Named,
                b"k",
                size,
                size,
                1,
                false,
                &mut |p, _| {
                    // SAFETY: the segment hands out one aligned u64 at `p`.
                    unsafe { p.cast::<u64>().write(7) };
                    Ok(())
                },
            )
            .unwrap();
            black_box(m.find(InstanceKind::Named, b"k", Some(size)).unwrap());
            m.destroy(InstanceKind::Named, b"k", Some(size), &mut |_, _| {})
                .unwrap();
        },
        &mut || {
            let mut s = seg.borrow_mut();
            s.construct("k", 7u64).unwrap();
            black_box(s.find::<u64>("k").unwrap());
            assert!(s.destroy::<u64>("k").unwrap());
        },
    );
    seg.borrow().construct("here", 1u64)?;
    compare(
        "find",
        200_000,
        &mut || {
            let s = seg.borrow();
            let m: &interproc::SegmentManager = &s;
            black_box(m.find(InstanceKind::Named, b"here", Some(size)).unwrap());
        },
        &mut || {
            black_box(seg.borrow().find::<u64>("here").unwrap());
        },
    );
    seg.borrow()
        .construct("locked", interproc::SharedMutex::new(1u64))?;
    let lsize = std::mem::size_of::<interproc::SharedMutex<u64>>();
    compare(
        "find_shared_mutex",
        200_000,
        &mut || {
            let s = seg.borrow();
            let m: &interproc::SegmentManager = &s;
            black_box(m.find(InstanceKind::Named, b"locked", Some(lsize)).unwrap());
        },
        &mut || {
            black_box(
                seg.borrow()
                    .find::<interproc::SharedMutex<u64>>("locked")
                    .unwrap(),
            );
        },
    );
    let name = format!("interproc_bench_typed_{}", std::process::id());
    MessageQueue::remove(&name);
    let q = MessageQueue::create(
        &name,
        64,
        std::mem::size_of::<Sample>(),
        Permissions::default(),
    )?;
    let sample = Sample {
        seq: 1,
        values: [1.0, 2.0, 3.0],
    };
    let mut buf = [0u8; 32];
    compare(
        "queue_send_receive_32B",
        200_000,
        &mut || {
            let bytes = [7u8; 32];
            q.send(&bytes, 0).unwrap();
            black_box(q.receive(&mut buf).unwrap());
        },
        &mut || {
            q.send_value(&sample, 0).unwrap();
            black_box(q.receive_value::<Sample>().unwrap());
        },
    );
    drop(q);
    MessageQueue::remove(&name);
    Ok(())
}
