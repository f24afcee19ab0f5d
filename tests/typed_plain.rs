//! The field's plain-data types in the typed API (features `zerocopy` and `bytemuck`):
//! shareable through `Zerocopy<T>` and `Bytemuck<T>` with no declaration, everywhere a
//! `Shareable` goes, and told apart from interproc's tagged types.
//!
//! Run with `cargo test --features zerocopy,bytemuck --test typed_plain`.

use interproc::prelude::*;
use interproc::{Bytemuck, ErrorKind, ManagedHeapMemory, MessageQueue, Permissions};
use interproc::{SharedMutex, Zerocopy};

/// A bytemuck type as its crate declares one (`#[derive(Pod, Zeroable)]` writes these two
/// impls; the derive feature is not needed for the test).
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C)]
struct Point {
    x: f32,
    y: f32,
}
// SAFETY: bytemuck's contract: `repr(C)`, two f32 with no padding, any bit pattern valid,
// no interior mutability.
unsafe impl bytemuck::Zeroable for Point {}
// SAFETY: as above.
unsafe impl bytemuck::Pod for Point {}

mod common;

#[test]
fn plain_types_go_wherever_shareable_goes() {
    let mut seg = ManagedHeapMemory::new(1 << 16).unwrap();
    // Named objects and the read-only view.
    seg.construct("limits", Zerocopy([10u32, 20, 30])).unwrap();
    let view = seg.read_only_view();
    assert_eq!(
        view.find::<Zerocopy<[u32; 3]>>("limits")
            .unwrap()
            .unwrap()
            .0,
        [10, 20, 30]
    );
    let p = seg
        .construct("p", Bytemuck(Point { x: 1.0, y: 2.0 }))
        .unwrap();
    assert_eq!(p.x, 1.0, "the wrapper dereferences to the value");
    // Inside a SharedMutex, as slices, in arrays.
    let m = seg
        .construct("m", SharedMutex::new(Bytemuck(Point { x: 0.0, y: 0.0 })))
        .unwrap();
    m.lock().unwrap().x = 4.5;
    assert_eq!(m.lock().unwrap().0, Point { x: 4.5, y: 0.0 });
    let s = seg
        .construct_slice("s", 3, |i| Zerocopy(i as u64 * 7))
        .unwrap();
    assert_eq!(s.iter().map(|v| v.0).collect::<Vec<_>>(), [0, 7, 14]);
    seg.construct("arr", [Zerocopy(1u16); 4]).unwrap();
    // One layout, the same tag: a `Zerocopy<[f32; 2]>` reads a bytemuck `Point` (both are
    // valid for every bit pattern), but a tagged type of the same size does not.
    assert_eq!(
        view.find::<Zerocopy<[f32; 2]>>("p").unwrap().unwrap().0,
        [1.0, 2.0]
    );
    let e = seg.find::<u64>("p").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    let e = seg.find::<Zerocopy<[u32; 3]>>("p").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    let e = seg.destroy::<SharedMutex<Zerocopy<u64>>>("m").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert!(seg.destroy::<SharedMutex<Bytemuck<Point>>>("m").unwrap());
    assert!(seg.destroy::<Zerocopy<u64>>("s").unwrap());
}

#[test]
fn plain_types_travel_through_queues() {
    let name = common::unique("ipt_plain", "mq");
    let q = MessageQueue::create(&name, 4, 8, Permissions::default()).unwrap();
    q.send_value(&Bytemuck(Point { x: 1.0, y: -1.0 }), 0)
        .unwrap();
    let (got, _) = q.receive_value::<Bytemuck<Point>>().unwrap();
    assert_eq!(got.0, Point { x: 1.0, y: -1.0 });
    drop(q);
    MessageQueue::remove(&name);
}
