//! The seed corpus of the fuzz targets: images of segments and queues made by the library,
//! operation scripts over them, and a few images broken on purpose (see `targets.rs`, which
//! includes this file, for the input format).

use super::{
    AlignedBuf, QUEUE_CREATOR, QUEUE_LOCK, SEGMENT_CREATOR, SEGMENT_LOCK, heap_start_of, join,
    queue_lock_template, segment_lock_template, touch, unique_name,
};
use interproc::{
    InstanceKind, ManagedExternalBuffer, MappedRegion, MessageQueue, Mode, Permissions,
    SharedMemoryObject,
};

/// A small deterministic generator (xorshift64), for seeds and mutations.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// A segment image made by the library, with its creator pid and lock made
/// deterministic (both are pinned when the image is used anyway).
pub fn segment_image(size: usize, build: impl FnOnce(&ManagedExternalBuffer<'_>)) -> Vec<u8> {
    let mut buf = AlignedBuf::new(size);
    {
        let seg = ManagedExternalBuffer::create(buf.bytes()).expect("seed segment");
        build(&seg);
    }
    let mut image = buf.bytes().to_vec();
    image[SEGMENT_CREATOR].fill(0);
    image[SEGMENT_LOCK].copy_from_slice(segment_lock_template());
    image
}

pub fn construct_named(seg: &ManagedExternalBuffer<'_>, kind: InstanceKind, name: &str, n: usize) {
    seg.construct(kind, name.as_bytes(), 8, 8, n, false, &mut |p, n| {
        touch(p, 8 * n, 0x11);
        Ok(())
    })
    .expect("seed object");
}

/// A queue image made by the library, sent `sends` messages (with priorities cycling
/// through `levels` values, rising, so more than one level puts the queue in locked mode)
/// and received `receives`.
pub fn queue_image(
    max_msg: usize,
    max_size: usize,
    sends: usize,
    receives: usize,
    levels: usize,
) -> Vec<u8> {
    queue_image_made(max_msg, max_size, |q| {
        for i in 0..sends {
            let len = (i * 7) % (max_size + 1);
            q.try_send(&vec![i as u8; len], (i % levels) as u32)
                .unwrap();
        }
        let mut buf = vec![0u8; max_size];
        for _ in 0..receives {
            q.try_receive(&mut buf).unwrap();
        }
    })
}

/// The image of a new queue after `fill`, with its creator pid and lock made
/// deterministic.
fn queue_image_made(max_msg: usize, max_size: usize, fill: impl FnOnce(&MessageQueue)) -> Vec<u8> {
    let name = unique_name("seed");
    let q =
        MessageQueue::create(&name, max_msg, max_size, Permissions::default()).expect("seed queue");
    fill(&q);
    let shm = SharedMemoryObject::open(&name, Mode::ReadOnly).unwrap();
    let region = MappedRegion::new(&shm, Mode::ReadOnly, 0, 0).unwrap();
    let mut image = vec![0u8; region.len()];
    region.read_at(0, &mut image).unwrap();
    MessageQueue::remove(&name);
    image[QUEUE_CREATOR].fill(0);
    image[QUEUE_LOCK].copy_from_slice(queue_lock_template());
    image
}

/// A queue image made by the library with `sends` messages sent alternately through loans
/// and by copy (priorities cycling through `levels` values), so its slots hold descriptors
/// and its loan pool queued messages.
pub fn queue_image_with_loans(
    max_msg: usize,
    max_size: usize,
    sends: usize,
    levels: usize,
) -> Vec<u8> {
    queue_image_made(max_msg, max_size, |q| {
        for i in 0..sends {
            let len = (i * 5) % (max_size + 1);
            let prio = (i % levels) as u32;
            if i % 2 == 0 {
                let mut loan = q.try_loan(len).unwrap().unwrap();
                loan.fill(i as u8);
                loan.send(prio).unwrap();
            } else {
                q.try_send(&vec![i as u8; len], prio).unwrap();
            }
        }
    })
}

/// Overwrites the 8 bytes at `at` with `value`.
pub fn poke(image: &mut [u8], at: usize, value: u64) {
    image[at..at + 8].copy_from_slice(&value.to_ne_bytes());
}

/// A seed broken on purpose: `(what, image, at, value)`, named `seed-bad-{what}`, is `image`
/// with the 8 bytes at `at` overwritten by `value`.
type Broken<'a> = (&'a str, &'a [u8], usize, u64);

/// The seed `b` of `target`, with the script `ops`.
fn broken_seed(target: &'static str, ops: &[u8], b: Broken) -> (&'static str, String, Vec<u8>) {
    let (what, image, at, value) = b;
    let mut broken = image.to_vec();
    poke(&mut broken, at, value);
    (target, format!("seed-bad-{what}"), join(ops, &broken))
}

/// The seed corpus: valid segments and queues made by the library, each with a few
/// operation scripts, and a few with a field broken on purpose. Returns (target, file
/// name, input). Deterministic: the same library makes the same files.
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut out = segment_seeds();
    out.extend(queue_seeds());
    out
}

/// The seeds of the segment target (they need no shared memory object).
pub fn segment_seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Large enough for the size-class lists (a segment of 8 KiB or more has them).
    let size = 8192;

    let fresh = segment_image(size, |_| {});
    let objects = segment_image(size, |seg| {
        for i in 0..6 {
            construct_named(seg, InstanceKind::Named, &format!("obj{i}"), i + 1);
        }
        construct_named(seg, InstanceKind::Unique, "obj7", 2);
        construct_named(seg, InstanceKind::Anonymous, "", 3);
        seg.destroy(InstanceKind::Named, b"obj2", None, &mut |_, _| {})
            .unwrap();
    });
    let fragmented = segment_image(size * 2, |seg| {
        let blocks: Vec<_> = (0..24)
            .map(|i| seg.allocate(16 + i * 16).unwrap().unwrap())
            .collect();
        for b in blocks.iter().step_by(3) {
            seg.deallocate(b.as_ptr()).unwrap();
        }
        construct_named(seg, InstanceKind::Named, "obj1", 4);
    });
    let full = segment_image(size, |seg| while let Ok(Some(_)) = seg.allocate(100) {});
    let many_names = segment_image(size * 2, |seg| {
        for i in 0..20 {
            construct_named(seg, InstanceKind::Named, &format!("obj{i}"), 1);
        }
    });

    // Operation scripts: random, and one that walks every kind of operation in turn.
    let walk: Vec<u8> = (0..20u8).flat_map(|op| [op, 1, 2, 3, 4, 5, 6, 7]).collect();
    let images = [
        ("fresh", &fresh),
        ("objects", &objects),
        ("fragmented", &fragmented),
        ("full", &full),
        ("many-names", &many_names),
    ];
    for (what, image) in images {
        out.push(("segment", format!("seed-{what}-walk"), join(&walk, image)));
        for k in 0..2 {
            let ops = rng.bytes(64 + 64 * k);
            out.push(("segment", format!("seed-{what}-ops{k}"), join(&ops, image)));
        }
    }
    // Broken on purpose: a wrong free count (the heap's free_bytes), a block size that
    // breaks the chain (the first block's), a name table pointing into the header (its
    // offset), a truncated image.
    let block_size_at = heap_start_of(&fragmented) + 8;
    let broken: [Broken; 3] = [
        ("free-count", &objects, 128 + 8, 12345),
        ("block-size", &fragmented, block_size_at, 0xfff0),
        ("table", &many_names, 80, 48),
    ];
    out.extend(broken.map(|b| broken_seed("segment", &walk, b)));
    out.push((
        "segment",
        "seed-truncated".into(),
        join(&walk, &objects[..objects.len() / 2]),
    ));

    out
}

/// The seeds of the queue target.
pub fn queue_seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let qwalk: Vec<u8> = (0..10u8).flat_map(|op| [op, 3, 1, 0, 2, 5, 0]).collect();
    let queues = [
        ("empty", queue_image(4, 16, 0, 0, 1)),
        ("some", queue_image(8, 40, 6, 2, 3)),
        ("full", queue_image(4, 24, 4, 0, 3)),
        ("wrapped", queue_image(5, 32, 12, 9, 3)),
        ("ring-some", queue_image(8, 40, 6, 2, 1)),
        ("ring-full", queue_image(4, 24, 4, 0, 1)),
        ("ring-wrapped", queue_image(5, 32, 12, 9, 1)),
        ("loans", queue_image_with_loans(6, 40, 5, 3)),
        ("ring-loans", queue_image_with_loans(6, 40, 5, 1)),
    ];
    for (what, image) in &queues {
        out.push(("queue", format!("seed-{what}-walk"), join(&qwalk, image)));
        let ops = rng.bytes(64);
        out.push(("queue", format!("seed-{what}-ops"), join(&ops, image)));
    }
    // Broken: a count that disagrees with the free stack, a free stack pointing past the
    // slots (locked mode); a tail past the head by more than the ring holds (ring mode).
    let broken: [Broken; 3] = [
        ("count", &queues[1].1, 104, 3),
        ("free-top", &queues[2].1, 120, 99),
        ("tail", &queues[4].1, 128, 77),
    ];
    out.extend(broken.map(|b| broken_seed("queue", &qwalk, b)));
    out
}
