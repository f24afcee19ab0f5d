//! What the tool cannot port, reported with its line: Windows-only classes, Boost's
//! internals (`ipcdetail`, `interprocess::detail`), Boost.Interprocess's configuration
//! macros, which interproc does not read, and `namespace boost` blocks whose braces do not
//! balance.

use super::lex::Kind;
use super::source::{Finding, Source};

/// Windows-only classes of Boost.Interprocess, which interproc does not provide.
const WINDOWS_ONLY: &[&str] = &[
    "windows_shared_memory",
    "managed_windows_shared_memory",
    "wmanaged_windows_shared_memory",
    "basic_managed_windows_shared_memory",
    "windows_named_mutex",
    "windows_named_recursive_mutex",
    "windows_named_semaphore",
    "windows_named_condition",
    "windows_named_condition_any",
    "winapi_shared_memory",
];

/// `BOOST_INTERPROCESS_*` macros that interproc's headers define too.
const DEFINED_BY_INTERPROC: &[&str] = &[
    "BOOST_INTERPROCESS_MAPPED_FILES",
    "BOOST_INTERPROCESS_XSI_SHARED_MEMORY_OBJECTS",
    "BOOST_INTERPROCESS_TRY",
    "BOOST_INTERPROCESS_CATCH",
    "BOOST_INTERPROCESS_RETHROW",
    "BOOST_INTERPROCESS_CATCH_END",
];

/// The names of `ipcdetail` that interproc declares too, in the headers that
/// `includes::PROVIDED_INTERNALS` lists: code that uses only these ports as it is.
pub const PROVIDED_IPCDETAIL: &[&str] = &[
    "OS_process_id_t",
    "get_current_process_id",
    "get_invalid_process_id",
    "get_num_cores",
    "get_pid_str",
    "get_temporary_path",
    "pid_str_t",
    "thread_sleep",
    "thread_yield",
];

/// The findings for the code of `s`.
pub fn report(s: &Source<'_>, findings: &mut Vec<Finding>) {
    for c in 0..s.code.len() {
        if s.tok(c).kind != Kind::Ident {
            continue;
        }
        let word = std::str::from_utf8(s.text(c)).unwrap_or("");
        let unbalanced = matches!(word, "boost" | "interprocess")
            && c >= 1
            && s.is(c - 1, "namespace")
            && s.is(c + 1, "{")
            && s.close[c + 1].is_none();
        let message = if unbalanced {
            format!(
                "the braces of this `namespace {word}` block do not balance (preprocessor \
                 conditionals?): port it by hand"
            )
        } else if WINDOWS_ONLY.contains(&word) {
            format!("`{word}` is Windows-only: interproc has no equivalent")
        } else if (word == "ipcdetail" && !provided_ipcdetail(s, c))
            || (word == "detail" && c >= 2 && s.is(c - 1, "::") && is_interprocess(s, c - 2))
        {
            format!("`{word}` is a Boost.Interprocess internal: rewrite it against the public API")
        } else if word.starts_with("BOOST_INTERPROCESS_") && !DEFINED_BY_INTERPROC.contains(&word) {
            format!("`{word}` configures Boost.Interprocess: interproc does not read it")
        } else {
            continue;
        };
        findings.push(Finding {
            line: s.line(c),
            message,
        });
    }
}

/// Whether `ipcdetail` at code token `c` is followed by `::` and a name interproc declares.
fn provided_ipcdetail(s: &Source<'_>, c: usize) -> bool {
    c + 2 < s.code.len()
        && s.is(c + 1, "::")
        && PROVIDED_IPCDETAIL.iter().any(|name| s.is(c + 2, name))
}

/// Whether code token `c` names Boost.Interprocess's namespace (before or after the port).
fn is_interprocess(s: &Source<'_>, c: usize) -> bool {
    s.is(c, "interprocess") || s.is(c, "interproc")
}
