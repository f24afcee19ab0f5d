//! Process identity that survives PID reuse: a PID together with its start time.

/// The start time of process `pid` (clock ticks after boot, field 22 of
/// `/proc/<pid>/stat`), or `None` if the process does not exist.
///
/// A PID is reused only by a process that starts later, so (pid, start time) names one
/// process for the life of the system.
pub(crate) fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may contain anything, so count the
    // fields after the last ')': field 3 comes first, field 22 is the 20th.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn own_start_time_is_stable_and_missing_pids_have_none() {
        let me = std::process::id();
        let a = super::start_time(me).unwrap();
        assert_eq!(super::start_time(me), Some(a));
        assert_eq!(super::start_time(u32::MAX - 1), None);
    }
}
