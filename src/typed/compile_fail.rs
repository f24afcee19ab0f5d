//! What the typed API refuses at compile time, one doctest each (run by `cargo test --doc`).
//! Each case is the working program below with one thing changed, and names the error it
//! must fail with, so a case cannot pass by failing for another reason.
//!
//! The working program:
//!
//! ```
//! use interproc::prelude::*;
//! use interproc::{ManagedHeapMemory, SharedMutex};
//! let mut seg = ManagedHeapMemory::new(65536).unwrap();
//! let n = seg.construct("n", 1u64).unwrap();
//! let m = seg.construct("m", SharedMutex::new(2u64)).unwrap();
//! *m.lock().unwrap() += *n;
//! assert_eq!(*seg.read_only_view().find::<u64>("n").unwrap().unwrap(), 1);
//! interproc::shareable! {
//!     pub struct Limits {
//!         pub low: u32,
//!         pub high: [f64; 2],
//!     }
//! }
//! seg.construct("limits", Limits { low: 1, high: [2.0, 3.0] }).unwrap();
//! let limits = seg.read_only_view().find::<Limits>("limits").unwrap().unwrap();
//! assert_eq!((limits.low, limits.high), (1, [2.0, 3.0]));
//! std::thread::scope(|s| {
//!     s.spawn(|| *m.lock().unwrap() += 1);
//! });
//! assert!(seg.destroy::<u64>("n").unwrap());
//! ```
//!
//! Types that own memory elsewhere, point, have invalid bit patterns, or change without
//! synchronisation are not `Shareable`:
//!
//! ```compile_fail,E0277
//! # use interproc::prelude::*;
//! let seg = interproc::ManagedHeapMemory::new(65536).unwrap();
//! seg.construct("s", String::from("heap")).unwrap();
//! ```
//!
//! ```compile_fail,E0277
//! # use interproc::prelude::*;
//! let seg = interproc::ManagedHeapMemory::new(65536).unwrap();
//! seg.construct("b", Box::new(1u64)).unwrap();
//! ```
//!
//! ```compile_fail,E0277
//! # use interproc::prelude::*;
//! static N: u64 = 1;
//! let seg = interproc::ManagedHeapMemory::new(65536).unwrap();
//! seg.construct("r", &N).unwrap();
//! ```
//!
//! ```compile_fail,E0277
//! # use interproc::prelude::*;
//! let seg = interproc::ManagedHeapMemory::new(65536).unwrap();
//! seg.find::<*const u8>("p").unwrap();
//! ```
//!
//! ```compile_fail,E0277
//! # use interproc::prelude::*;
//! let seg = interproc::ManagedHeapMemory::new(65536).unwrap();
//! seg.construct("flag", true).unwrap();
//! ```
//!
//! ```compile_fail,E0277
//! # use interproc::prelude::*;
//! let seg = interproc::ManagedHeapMemory::new(65536).unwrap();
//! seg.construct("c", std::cell::Cell::new(1u64)).unwrap();
//! ```
//!
//! ```compile_fail,E0277
//! # use interproc::prelude::*;
//! let seg = interproc::ManagedHeapMemory::new(65536).unwrap();
//! seg.construct("o", Some(1u64)).unwrap();
//! ```
//!
//! ```compile_fail,E0277
//! # use interproc::prelude::*;
//! let seg = interproc::ManagedHeapMemory::new(65536).unwrap();
//! seg.construct("rc", std::rc::Rc::new(1u64)).unwrap();
//! ```
//!
//! A struct not declared with `shareable!` (its layout and fields unchecked), and a field
//! of a type that is not `Shareable`:
//!
//! ```compile_fail,E0277
//! # use interproc::prelude::*;
//! #[repr(C)]
//! struct Plain {
//!     n: u64,
//! }
//! let seg = interproc::ManagedHeapMemory::new(65536).unwrap();
//! seg.construct("p", Plain { n: 1 }).unwrap();
//! ```
//!
//! ```compile_fail,E0277
//! interproc::shareable! {
//!     pub struct Named {
//!         pub name: String,
//!     }
//! }
//! ```
//!
//! A `Drop` impl (destroying an object in shared memory never runs one), refused by
//! `cargo check`:
//!
//! ```compile_fail,E0119
//! interproc::shareable! {
//!     pub struct Closes {
//!         pub fd: i32,
//!     }
//! }
//! impl Drop for Closes {
//!     fn drop(&mut self) {}
//! }
//! ```
//!
//! A reference or a guard outliving its segment:
//!
//! ```compile_fail,E0597
//! # use interproc::prelude::*;
//! let n;
//! {
//!     let seg = interproc::ManagedHeapMemory::new(65536).unwrap();
//!     n = seg.construct("n", 1u64).unwrap();
//! }
//! println!("{n}");
//! ```
//!
//! ```compile_fail,E0597
//! # use interproc::prelude::*;
//! let g;
//! {
//!     let seg = interproc::ManagedHeapMemory::new(65536).unwrap();
//!     let m = seg.construct("m", interproc::SharedMutex::new(2u64)).unwrap();
//!     g = m.lock().unwrap();
//! }
//! println!("{}", *g);
//! ```
//!
//! Destroying an object while a reference to it is alive:
//!
//! ```compile_fail,E0502
//! # use interproc::prelude::*;
//! let mut seg = interproc::ManagedHeapMemory::new(65536).unwrap();
//! let n = seg.construct("n", 1u64).unwrap();
//! seg.destroy::<u64>("n").unwrap();
//! println!("{n}");
//! ```
//!
//! A guard sent to another thread (only the locking thread can unlock):
//!
//! ```compile_fail,E0277
//! # use interproc::prelude::*;
//! let seg = interproc::ManagedHeapMemory::new(65536).unwrap();
//! let m = seg.construct("m", interproc::SharedMutex::new(2u64)).unwrap();
//! let g = m.lock().unwrap();
//! std::thread::scope(|s| {
//!     s.spawn(move || drop(g));
//! });
//! ```
//!
//! Interior mutability through the read-only view (an atomic, a lock, a struct holding
//! one):
//!
//! ```compile_fail,E0277
//! # use interproc::prelude::*;
//! let seg = interproc::ManagedHeapMemory::new(65536).unwrap();
//! let m = seg.read_only_view().find::<interproc::SharedMutex<u64>>("m");
//! ```
//!
//! ```compile_fail,E0277
//! # use interproc::prelude::*;
//! interproc::shareable! {
//!     pub struct Stats {
//!         pub hits: std::sync::atomic::AtomicU64,
//!         pub limit: u64,
//!     }
//! }
//! let seg = interproc::ManagedHeapMemory::new(65536).unwrap();
//! let s = seg.read_only_view().find::<Stats>("stats");
//! ```
