//! Two processes share memory: this program creates a shared memory object, starts a copy
//! of itself that opens the object and writes a greeting, then reads the greeting back.
//!
//! Run with `cargo run --example two_process_demo`.

use interproc::{MappedRegion, Mode, Permissions, SharedMemoryObject};
use std::process::Command;

fn child(name: &str) -> interproc::Result<()> {
    let shm = SharedMemoryObject::open(name, Mode::ReadWrite)?;
    let mut region = MappedRegion::new(&shm, Mode::ReadWrite, 0, 0)?;
    let text = format!("hello from process {}", std::process::id());
    region.write_at(0, &(text.len() as u32).to_le_bytes())?;
    region.write_at(4, text.as_bytes())?;
    println!(
        "child  {}: wrote {text:?} into /dev/shm/{name}",
        std::process::id()
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == "child" {
        return Ok(child(&args[2])?);
    }
    let name = format!("interproc_demo_{}", std::process::id());
    let shm = SharedMemoryObject::create(&name, Mode::ReadWrite, Permissions::default())?;
    shm.truncate(4096)?;
    let region = MappedRegion::new(&shm, Mode::ReadOnly, 0, 0)?;
    println!(
        "parent {}: created /dev/shm/{name}, starting a child",
        std::process::id()
    );

    let status = Command::new(&args[0]).args(["child", &name]).status()?;
    let mut len = [0u8; 4];
    region.read_at(0, &mut len)?;
    let mut text = vec![0u8; u32::from_le_bytes(len) as usize];
    region.read_at(4, &mut text)?;
    println!(
        "parent {}: read {:?}",
        std::process::id(),
        String::from_utf8_lossy(&text)
    );
    SharedMemoryObject::remove(&name);
    if !status.success() || text.is_empty() {
        return Err("the child did not write its greeting".into());
    }
    Ok(())
}
