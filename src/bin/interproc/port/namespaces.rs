//! Every spelling of Boost.Interprocess's namespace, rewritten to `interproc`:
//! qualified names (`boost::interprocess`, `::boost::interprocess`), C++17 nested
//! namespace definitions, aliases and using-declarations (all of which spell the qualified
//! name), `namespace boost { namespace interprocess { ... } }` blocks (split around
//! anything else the `boost` block holds), and a bare `interprocess::` where `boost` is in
//! scope (inside a `namespace boost` block, or after `using namespace boost;`).

use super::lex::Kind;
use super::source::{Edit, Source};
use std::ops::Range;

/// Rewrites the namespace in `s`; pushes the edits.
pub fn rewrite(s: &Source<'_>, edits: &mut Vec<Edit>) {
    let mut boost_scopes = Vec::new();
    for c in 0..s.code.len() {
        if s.seq(c, &["namespace", "boost", "{"]) {
            if let Some(end) = s.close[c + 2] {
                boost_scopes.push(c + 3..end);
                split_boost_block(s, c, end, edits);
            }
        } else if s.seq(c, &["boost", "::", "interprocess"]) && !s.qualified_by_something(c) {
            edits.push(s.replace(c, c + 2, "interproc"));
        } else if let Some(scope) = using_namespace_boost(s, c) {
            boost_scopes.push(scope);
        }
    }
    for c in 0..s.code.len() {
        if s.is(c, "interprocess")
            && !s.qualified_by_something(c)
            && boost_scopes.iter().any(|r| r.contains(&c))
            && names_the_namespace(s, c)
        {
            edits.push(s.replace(c, c, "interproc"));
        }
    }
}

/// Whether the bare `interprocess` at `c` (with `boost` in scope) names Boost's namespace:
/// `interprocess::x`, `using namespace interprocess;`, `namespace a = interprocess;`.
fn names_the_namespace(s: &Source<'_>, c: usize) -> bool {
    s.is(c + 1, "::")
        || (s.is(c + 1, ";") && c >= 1 && (s.is(c - 1, "=") || s.is(c - 1, "namespace")))
}

/// `using namespace boost;` (or `::boost`) at `c`: the code tokens it reaches, to the end
/// of the enclosing block.
fn using_namespace_boost(s: &Source<'_>, c: usize) -> Option<Range<usize>> {
    let name = if s.seq(c, &["using", "namespace", "boost", ";"]) {
        c + 2
    } else if s.seq(c, &["using", "namespace", "::", "boost", ";"]) {
        c + 3
    } else {
        return None;
    };
    let end = (0..c)
        .filter_map(|o| s.close[o].filter(|&e| e > c))
        .min()
        .unwrap_or(s.code.len());
    Some(name + 2..end)
}

/// One top-level part of a `namespace boost` block's body.
enum Part {
    /// Anything but an `interprocess` block (some code tokens).
    Other,
    /// `namespace interprocess {` at this code index, its `}` at the second.
    Interprocess(usize, usize),
}

/// `namespace boost {` at `open` (its `}` at `close`): each `namespace interprocess`
/// block inside becomes `namespace interproc` outside `boost`; the `boost` block keeps
/// only what else it held, split around the moved blocks.
fn split_boost_block(s: &Source<'_>, open: usize, close: usize, edits: &mut Vec<Edit>) {
    let mut parts = Vec::new();
    let mut c = open + 3;
    while c < close {
        if s.seq(c, &["namespace", "interprocess", "{"]) {
            if let Some(end) = s.close[c + 2].filter(|&e| e < close) {
                parts.push(Part::Interprocess(c, end));
                c = end + 1;
                continue;
            }
        }
        // Preprocessor lines know no namespaces: `#if` around a moved block stays around it.
        if !s.tok(c).directive && !matches!(parts.last(), Some(Part::Other)) {
            parts.push(Part::Other);
        }
        c = match s.close[c] {
            Some(end) if s.is(c, "{") => end + 1,
            _ => c + 1,
        };
    }
    if !parts.iter().any(|p| matches!(p, Part::Interprocess(..))) {
        return;
    }
    if matches!(parts.first(), Some(Part::Interprocess(..))) {
        edits.push(s.delete(open, open + 2));
    }
    if matches!(parts.last(), Some(Part::Interprocess(..))) {
        edits.push(s.delete(close, close));
    }
    for (k, part) in parts.iter().enumerate() {
        let Part::Interprocess(ns, end) = *part else {
            continue;
        };
        edits.push(s.replace(ns + 1, ns + 1, "interproc"));
        edits.extend(closing_comment(s, end));
        if k > 0 && matches!(parts[k - 1], Part::Other) {
            // Close the `boost` block before the moved one.
            let (at, text) = if line_starts_with(s, ns) {
                (s.line_of(s.tok(ns).start).0, "}\n")
            } else {
                (s.tok(ns).start, "} ")
            };
            edits.push(Edit {
                start: at,
                end: at,
                text: text.into(),
            });
        }
        if matches!(parts.get(k + 1), Some(Part::Other)) {
            // Reopen it after the moved one.
            let (_, line_end) = s.line_of(s.tok(end).start);
            let last_on_line = end + 1 >= s.code.len() || s.tok(end + 1).start >= line_end;
            let (at, text) = if last_on_line {
                let cr = line_end > 0 && s.src[line_end - 1] == b'\r';
                (line_end - usize::from(cr), "\nnamespace boost {")
            } else {
                (s.tok(end).end, " namespace boost {")
            };
            edits.push(Edit {
                start: at,
                end: at,
                text: text.into(),
            });
        }
    }
}

/// Whether code token `c` is the first code on its line.
fn line_starts_with(s: &Source<'_>, c: usize) -> bool {
    let (ls, _) = s.line_of(s.tok(c).start);
    c == 0 || s.tok(c - 1).end <= ls
}

/// The comment after a renamed block's `}` on its line, when it names the namespace
/// (`} // namespace interprocess`): renamed with the block, so that it stays true.
fn closing_comment(s: &Source<'_>, close: usize) -> Option<Edit> {
    let t = s.code[close];
    let (_, line_end) = s.line_of(s.toks[t].start);
    let comment = s.toks[t + 1..]
        .iter()
        .take_while(|k| k.start < line_end)
        .find(|k| k.kind != Kind::Space)
        .filter(|k| k.kind == Kind::Comment)?;
    let text = std::str::from_utf8(comment.text(s.src)).ok()?;
    let at = text.find("namespace interprocess")? + "namespace ".len();
    Some(Edit {
        start: comment.start + at,
        end: comment.start + at + "interprocess".len(),
        text: "interproc".into(),
    })
}
