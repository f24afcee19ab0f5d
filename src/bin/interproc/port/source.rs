//! One source file seen as code tokens: the tokenizer's output without spaces and
//! comments, with matching braces, and the edits and findings the passes produce.

use super::lex::{Kind, Token, tokenize};

/// Replace the bytes `start..end` of the original file by `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Something the tool reports on a line without changing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub line: usize,
    pub message: String,
}

/// A tokenized file.
pub struct Source<'a> {
    pub src: &'a [u8],
    pub toks: Vec<Token>,
    /// Indices into `toks` of the code tokens (everything but spaces and comments).
    pub code: Vec<usize>,
    /// For each code token that is a `{`, the code index of its `}`.
    pub close: Vec<Option<usize>>,
}

impl<'a> Source<'a> {
    pub fn new(src: &'a [u8]) -> Source<'a> {
        let toks = tokenize(src);
        let code: Vec<usize> = (0..toks.len())
            .filter(|&i| !matches!(toks[i].kind, Kind::Space | Kind::Comment))
            .collect();
        let mut close = vec![None; code.len()];
        let mut open = Vec::new();
        for (c, &t) in code.iter().enumerate() {
            match toks[t].text(src) {
                b"{" => open.push(c),
                b"}" => {
                    if let Some(o) = open.pop() {
                        close[o] = Some(c);
                    }
                }
                _ => {}
            }
        }
        Source {
            src,
            toks,
            code,
            close,
        }
    }

    /// Code token `c`.
    pub fn tok(&self, c: usize) -> &Token {
        &self.toks[self.code[c]]
    }

    /// The text of code token `c` (empty past either end).
    pub fn text(&self, c: usize) -> &'a [u8] {
        self.code
            .get(c)
            .map_or(b"", |&t| self.toks[t].text(self.src))
    }

    /// Whether code token `c` exists and reads `s`.
    pub fn is(&self, c: usize, s: &str) -> bool {
        c < self.code.len() && self.text(c) == s.as_bytes()
    }

    /// Whether code tokens from `c` read `words` in order.
    pub fn seq(&self, c: usize, words: &[&str]) -> bool {
        words.iter().enumerate().all(|(k, w)| self.is(c + k, w))
    }

    /// Whether the code token before `c` makes `c` a member or a nested name of something
    /// else (`x.c`, `p->c`, `a::c`): then `c` is not the namespace it spells.
    pub fn qualified_by_something(&self, c: usize) -> bool {
        if c == 0 {
            return false;
        }
        match self.text(c - 1) {
            b"." | b"->" => true,
            b"::" => c >= 2 && self.continues_a_name(c - 2) && !self.defines(c - 2),
            _ => false,
        }
    }

    /// Whether code token `c` is the name a `#define` defines (`#define IPC ::boost::x`).
    fn defines(&self, c: usize) -> bool {
        c >= 2 && self.is(c - 1, "define") && self.is(c - 2, "#")
    }

    /// Whether code token `c` ends a name that a following `::` would qualify (an
    /// identifier or a template's `>`), rather than starting a global `::name`.
    fn continues_a_name(&self, c: usize) -> bool {
        let t = self.tok(c);
        (t.kind == Kind::Ident && !is_keyword(self.text(c))) || self.text(c) == b">"
    }

    /// The byte range of the line holding byte `pos`, without its line break.
    pub fn line_of(&self, pos: usize) -> (usize, usize) {
        let start = self.src[..pos]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let end = self.src[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.src.len(), |i| pos + i);
        (start, end)
    }

    /// Whether the code tokens `first..=last` are the only code on their line(s).
    pub fn alone_on_line(&self, first: usize, last: usize) -> bool {
        let (ls, _) = self.line_of(self.tok(first).start);
        let (_, le) = self.line_of(self.tok(last).end.saturating_sub(1).max(ls));
        let before = first == 0 || self.tok(first - 1).end <= ls;
        let after = last + 1 >= self.code.len() || self.tok(last + 1).start >= le;
        before && after
    }

    /// An edit deleting code tokens `first..=last`: the whole line (with its comments)
    /// when they are alone on it, else the tokens and the blanks before them.
    pub fn delete(&self, first: usize, last: usize) -> Edit {
        if self.alone_on_line(first, last) {
            let (ls, _) = self.line_of(self.tok(first).start);
            let (_, le) = self.line_of(self.tok(last).start);
            let end = if le < self.src.len() { le + 1 } else { le };
            return Edit {
                start: ls,
                end,
                text: String::new(),
            };
        }
        let (ls, _) = self.line_of(self.tok(first).start);
        let (mut start, mut end) = (self.tok(first).start, self.tok(last).end);
        if first == 0 || self.tok(first - 1).end <= ls {
            // First on its line: take the blanks after, keeping the indentation.
            while matches!(self.src.get(end), Some(b' ' | b'\t')) {
                end += 1;
            }
        } else {
            while start > 0 && matches!(self.src[start - 1], b' ' | b'\t') {
                start -= 1;
            }
        }
        Edit {
            start,
            end,
            text: String::new(),
        }
    }

    /// An edit replacing code tokens `first..=last` by `text`.
    pub fn replace(&self, first: usize, last: usize, text: &str) -> Edit {
        Edit {
            start: self.tok(first).start,
            end: self.tok(last).end,
            text: text.to_owned(),
        }
    }

    /// The 1-based line of code token `c`.
    pub fn line(&self, c: usize) -> usize {
        self.tok(c).line
    }
}

/// Keywords after which `::name` is a global name, not a nested one.
fn is_keyword(w: &[u8]) -> bool {
    const KEYWORDS: &[&str] = &[
        "alignof",
        "auto",
        "case",
        "class",
        "co_return",
        "const",
        "constexpr",
        "decltype",
        "delete",
        "do",
        "else",
        "enum",
        "explicit",
        "extern",
        "friend",
        "if",
        "inline",
        "mutable",
        "namespace",
        "new",
        "noexcept",
        "private",
        "protected",
        "public",
        "register",
        "return",
        "sizeof",
        "static",
        "struct",
        "switch",
        "thread_local",
        "throw",
        "typedef",
        "typename",
        "union",
        "using",
        "virtual",
        "volatile",
        "while",
    ];
    KEYWORDS.iter().any(|k| k.as_bytes() == w)
}
