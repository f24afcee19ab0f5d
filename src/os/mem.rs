//! Reading this process's own memory at an address that data from another process named,
//! without any risk of a fault.

/// The native-endian `u32` at `addr`, or `None` if it is not mapped readable (or the
/// kernel refuses the read): `process_vm_readv` on this very process, which reports an
/// unmapped address as an error where a load would fault.
pub(crate) fn read_u32(addr: usize) -> Option<u32> {
    let mut v = 0u32;
    let local = libc::iovec {
        iov_base: (&raw mut v).cast(),
        iov_len: 4,
    };
    let remote = libc::iovec {
        iov_base: addr as *mut libc::c_void,
        iov_len: 4,
    };
    // SAFETY: `local` describes `v`, writable for 4 bytes; the kernel checks `remote`
    // itself and writes nothing but `v`.
    let n = unsafe { libc::process_vm_readv(libc::getpid(), &local, 1, &remote, 1, 0) };
    (n == 4).then_some(v)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_mapped_memory_and_refuses_the_rest() {
        let x: u32 = 0xdead_beef;
        assert_eq!(super::read_u32(&raw const x as usize), Some(0xdead_beef));
        assert_eq!(super::read_u32(0), None);
        assert_eq!(super::read_u32(8), None);
        assert_eq!(super::read_u32(usize::MAX - 2), None);
    }
}
