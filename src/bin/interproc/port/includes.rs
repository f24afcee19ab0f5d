//! Includes: `<boost/interprocess/...>` and `"boost/interprocess/..."` become
//! `<interproc/...>`; and the Boost headers that Boost.Interprocess's headers brought in
//! for free (Boost.Move, Boost.DateTime's `posix_time`, `boost/assert.hpp`,
//! `boost/static_assert.hpp`, `boost/cstdint.hpp`) are included where a ported file uses
//! their names without including them, when they are installed.

use super::lex::Kind;
use super::source::{Edit, Finding, Source};

const BOOST_IPC: &str = "boost/interprocess/";

/// An `#include` of the file: the code index of its header token and the header's path.
struct Include<'a> {
    at: usize,
    path: &'a str,
}

fn includes<'a>(s: &Source<'a>) -> Vec<Include<'a>> {
    let mut out = Vec::new();
    for c in 2..s.code.len() {
        let directive =
            s.is(c - 2, "#") && matches!(s.text(c - 1), b"include" | b"include_next" | b"import");
        let t = s.tok(c);
        let quoted = t.kind == Kind::Str && s.text(c).first() == Some(&b'"');
        if directive && (t.kind == Kind::HeaderName || quoted) {
            let text = s.text(c);
            if let Ok(path) = std::str::from_utf8(&text[1..text.len().saturating_sub(1)]) {
                out.push(Include { at: c, path });
            }
        }
    }
    out
}

/// Windows-only headers of Boost.Interprocess (paths after `boost/interprocess/`).
fn windows_only(rest: &str) -> bool {
    rest.starts_with("windows_shared_memory.hpp")
        || rest.starts_with("managed_windows_shared_memory.hpp")
        || rest.starts_with("sync/windows/")
}

/// Internal headers of Boost.Interprocess (paths after `boost/interprocess/`) that
/// interproc provides under the same path, with what Boost's documented examples and tests
/// use of them: configuration switches that do nothing, and the process and temporary-path
/// helpers of `ipcdetail` (see `unportable::PROVIDED_IPCDETAIL`).
pub const PROVIDED_INTERNALS: &[&str] = &[
    "detail/config_begin.hpp",
    "detail/config_end.hpp",
    "detail/os_file_functions.hpp",
    "detail/os_thread_functions.hpp",
    "detail/workaround.hpp",
];

/// Boost.Interprocess's internal headers (paths after `boost/interprocess/`) that interproc
/// does not provide.
fn is_internal(rest: &str) -> bool {
    (rest.starts_with("detail/") || rest.contains("/detail/"))
        && !PROVIDED_INTERNALS.contains(&rest)
}

/// A header of Boost.Interprocess (path after `boost/interprocess/`) that has an interproc
/// counterpart.
fn public(rest: &str) -> bool {
    !is_internal(rest) && !windows_only(rest)
}

/// Rewrites the includes of Boost.Interprocess's public headers; reports the others.
pub fn rewrite(s: &Source<'_>, edits: &mut Vec<Edit>, findings: &mut Vec<Finding>) {
    for inc in includes(s) {
        let Some(rest) = inc.path.strip_prefix(BOOST_IPC) else {
            continue;
        };
        let line = s.line(inc.at);
        if is_internal(rest) {
            findings.push(Finding {
                line,
                message: format!(
                    "<{}> is a Boost.Interprocess internal: rewrite against the public API",
                    inc.path
                ),
            });
        } else if windows_only(rest) {
            findings.push(Finding {
                line,
                message: format!(
                    "<{}> is Windows-only: interproc has no equivalent",
                    inc.path
                ),
            });
        } else {
            edits.push(s.replace(inc.at, inc.at, &format!("<interproc/{rest}>")));
        }
    }
}

/// A name that Boost.Interprocess's headers declared through another Boost header.
struct Provided {
    /// The header to include.
    header: &'static str,
    /// Includes (prefixes of paths) that already provide the name.
    provided_by: &'static [&'static str],
    /// Names under `boost::` that need it.
    qualified: &'static [&'static str],
    /// Macros that need it.
    macros: &'static [&'static str],
}

const PROVIDED: &[Provided] = &[
    Provided {
        header: "boost/move/utility_core.hpp",
        provided_by: &[
            "boost/move/utility_core.hpp",
            "boost/move/utility.hpp",
            "boost/move/move.hpp",
        ],
        qualified: &[
            "move",
            "forward",
            "move_if_noexcept",
            "move_if_not_lvalue_reference",
        ],
        macros: &[],
    },
    Provided {
        header: "boost/move/core.hpp",
        provided_by: &["boost/move/"],
        qualified: &[],
        macros: &[
            "BOOST_RV_REF",
            "BOOST_RV_REF_BEG",
            "BOOST_RV_REF_END",
            "BOOST_RV_REF_2_TEMPL_ARGS",
            "BOOST_RV_REF_3_TEMPL_ARGS",
            "BOOST_FWD_REF",
            "BOOST_COPY_ASSIGN_REF",
            "BOOST_MOVABLE_BUT_NOT_COPYABLE",
            "BOOST_COPYABLE_AND_MOVABLE",
            "BOOST_COPYABLE_AND_MOVABLE_ALT",
            "BOOST_MOVE_RET",
            "BOOST_MOVE_BASE",
        ],
    },
    Provided {
        header: "boost/date_time/posix_time/posix_time_types.hpp",
        provided_by: &["boost/date_time"],
        qualified: &["posix_time", "gregorian"],
        macros: &[],
    },
    Provided {
        header: "boost/assert.hpp",
        provided_by: &["boost/assert.hpp"],
        qualified: &[],
        macros: &[
            "BOOST_ASSERT",
            "BOOST_ASSERT_MSG",
            "BOOST_VERIFY",
            "BOOST_VERIFY_MSG",
        ],
    },
    Provided {
        header: "boost/static_assert.hpp",
        provided_by: &["boost/static_assert.hpp"],
        qualified: &[],
        macros: &["BOOST_STATIC_ASSERT", "BOOST_STATIC_ASSERT_MSG"],
    },
    Provided {
        header: "boost/cstdint.hpp",
        provided_by: &["boost/cstdint.hpp", "boost/integer.hpp"],
        qualified: &[
            "int8_t",
            "int16_t",
            "int32_t",
            "int64_t",
            "uint8_t",
            "uint16_t",
            "uint32_t",
            "uint64_t",
            "intmax_t",
            "uintmax_t",
            "intptr_t",
            "uintptr_t",
            "int_least8_t",
            "int_least16_t",
            "int_least32_t",
            "int_least64_t",
            "uint_least8_t",
            "uint_least16_t",
            "uint_least32_t",
            "uint_least64_t",
            "int_fast8_t",
            "int_fast16_t",
            "int_fast32_t",
            "int_fast64_t",
            "uint_fast8_t",
            "uint_fast16_t",
            "uint_fast32_t",
            "uint_fast64_t",
        ],
        macros: &[],
    },
];

/// The first use in `s` of a name that `p` provides: its code index and spelling.
fn first_use(s: &Source<'_>, p: &Provided) -> Option<(usize, String)> {
    (0..s.code.len()).find_map(|c| {
        let word = std::str::from_utf8(s.text(c)).ok()?;
        if s.tok(c).kind != Kind::Ident {
            return None;
        }
        if p.macros.contains(&word) {
            return Some((c, word.to_owned()));
        }
        let qualified = c >= 2
            && s.is(c - 1, "::")
            && s.is(c - 2, "boost")
            && !s.qualified_by_something(c - 2)
            && p.qualified.contains(&word);
        qualified.then(|| (c, format!("boost::{word}")))
    })
}

/// Whether the file, once ported, is an interproc user: only such a file lost what
/// Boost.Interprocess's headers gave it.
fn is_ported(s: &Source<'_>, edits: &[Edit]) -> bool {
    !edits.is_empty()
        || includes(s).iter().any(|i| i.path.starts_with("interproc/"))
        || (0..s.code.len()).any(|c| s.is(c, "interproc"))
}

/// Adds the includes a ported file needs (see the module's comment); `installed` says
/// whether a header is on the include path. Names whose header is missing are reported.
pub fn add_provided(
    s: &Source<'_>,
    installed: &mut dyn FnMut(&str) -> bool,
    edits: &mut Vec<Edit>,
    findings: &mut Vec<Finding>,
) {
    if !is_ported(s, edits) {
        return;
    }
    let incs = includes(s);
    let ours = incs
        .iter()
        .rfind(|i| {
            let rest = i.path.strip_prefix(BOOST_IPC);
            i.path.starts_with("interproc/") || rest.is_some_and(public)
        })
        .or(incs.last());
    let mut added: Vec<&str> = Vec::new();
    for p in PROVIDED {
        let already = |path: &str| p.provided_by.iter().any(|pre| path.starts_with(pre));
        if incs.iter().any(|i| already(i.path)) || added.iter().any(|h| already(h)) {
            continue;
        }
        let Some((c, name)) = first_use(s, p) else {
            continue;
        };
        let line = s.line(c);
        match ours {
            Some(inc) if installed(p.header) => {
                let (_, end) = s.line_of(s.tok(inc.at).start);
                let at = (end + 1).min(s.src.len());
                let newline = if at == end { "\n" } else { "" };
                edits.push(Edit {
                    start: at,
                    end: at,
                    text: format!("{newline}#include <{}>\n", p.header),
                });
                added.push(p.header);
            }
            Some(_) => findings.push(Finding {
                line,
                message: format!(
                    "`{name}` came with Boost.Interprocess's headers from <{}>, which is not \
                     installed: install it or replace `{name}`",
                    p.header
                ),
            }),
            None => findings.push(Finding {
                line,
                message: format!(
                    "`{name}` came with Boost.Interprocess's headers: include <{}>",
                    p.header
                ),
            }),
        }
    }
}
