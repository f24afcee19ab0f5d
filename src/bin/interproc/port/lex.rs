//! A C/C++ tokenizer that knows exactly enough to tell code from everything else:
//! comments, string and character literals (with encoding prefixes, raw strings and line
//! continuations), numbers with digit separators, and the header name of an `#include`.
//! Every byte of the input belongs to exactly one token, so edits address byte ranges.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Spaces, tabs, newlines and backslash-newline continuations.
    Space,
    /// `// ...` or `/* ... */`.
    Comment,
    /// A string literal, raw or not, with its prefix.
    Str,
    /// A character literal with its prefix.
    Char,
    /// `<...>` after `#include`.
    HeaderName,
    /// An identifier or keyword.
    Ident,
    /// A number (pp-number).
    Number,
    /// `::`, `->`, or any other single byte.
    Punct,
}

/// One token: its kind, byte range, 1-based line, and whether it belongs to a
/// preprocessor directive (from the `#` to the end of its logical line).
#[derive(Clone, Copy, Debug)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub directive: bool,
}

impl Token {
    /// The token's bytes in `src`.
    pub fn text<'a>(&self, src: &'a [u8]) -> &'a [u8] {
        &src[self.start..self.end]
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit()
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.src.get(self.pos + ahead).copied().unwrap_or(0)
    }

    /// Advances one byte, counting lines.
    fn bump(&mut self) {
        if self.peek(0) == b'\n' {
            self.line += 1;
        }
        self.pos += 1;
    }

    fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    /// A backslash-newline (or backslash-CRLF) at the current position: its length.
    fn continuation(&self) -> usize {
        match (self.peek(0), self.peek(1), self.peek(2)) {
            (b'\\', b'\n', _) => 2,
            (b'\\', b'\r', b'\n') => 3,
            _ => 0,
        }
    }

    /// Whitespace and continuations; whether a newline that ends a line was among them.
    fn space(&mut self) -> bool {
        let mut newline = false;
        loop {
            let n = self.continuation();
            if n > 0 {
                (0..n).for_each(|_| self.bump());
            } else if !self.at_end() && self.peek(0).is_ascii_whitespace() {
                newline |= self.peek(0) == b'\n';
                self.bump();
            } else {
                return newline;
            }
        }
    }

    fn line_comment(&mut self) {
        while !self.at_end() && self.peek(0) != b'\n' {
            let n = self.continuation();
            (0..n.max(1)).for_each(|_| self.bump());
        }
    }

    fn block_comment(&mut self) {
        self.pos += 2;
        while !(self.at_end() || self.peek(0) == b'*' && self.peek(1) == b'/') {
            self.bump();
        }
        if !self.at_end() {
            self.pos += 2;
        }
    }

    /// A quoted literal from the opening `quote`: ends at the matching quote, or (left
    /// unterminated) at the end of the line, as a compiler would diagnose it.
    fn quoted(&mut self, quote: u8) {
        self.pos += 1;
        while !self.at_end() {
            match self.peek(0) {
                b'\\' => {
                    self.bump();
                    if !self.at_end() {
                        self.bump();
                    }
                }
                b'\n' => return,
                b if b == quote => {
                    self.pos += 1;
                    return;
                }
                _ => self.bump(),
            }
        }
    }

    /// `R"delim( ... )delim"` from the `"`.
    fn raw_string(&mut self) {
        let open = self.pos + 1;
        let Some(paren) = self.src[open..].iter().position(|&b| b == b'(') else {
            return self.quoted(b'"');
        };
        let delim = &self.src[open..open + paren];
        if delim.len() > 16 || delim.iter().any(|b| b" ()\\\t\n".contains(b)) {
            return self.quoted(b'"');
        }
        let mut close = b")".to_vec();
        close.extend_from_slice(delim);
        close.push(b'"');
        let body = open + paren + 1;
        let end = self.src[body..]
            .windows(close.len())
            .position(|w| w == close.as_slice())
            .map_or(self.src.len(), |i| body + i + close.len());
        while self.pos < end {
            self.bump();
        }
    }

    fn number(&mut self) {
        self.pos += 1;
        loop {
            let b = self.peek(0);
            let exponent =
                matches!(b, b'e' | b'E' | b'p' | b'P') && matches!(self.peek(1), b'+' | b'-');
            let separator = b == b'\'' && is_ident(self.peek(1));
            if exponent || separator {
                self.pos += 2;
            } else if is_ident(b) || b == b'.' {
                self.pos += 1;
            } else {
                return;
            }
        }
    }

    /// An identifier, or an encoding prefix that begins a string or character literal.
    fn word(&mut self) -> Kind {
        let start = self.pos;
        while is_ident(self.peek(0)) {
            self.pos += 1;
        }
        let word = &self.src[start..self.pos];
        let prefix = matches!(word, b"u8" | b"u" | b"U" | b"L");
        let raw_prefix = matches!(word, b"R" | b"u8R" | b"uR" | b"UR" | b"LR");
        match self.peek(0) {
            b'"' if raw_prefix => {
                self.raw_string();
                Kind::Str
            }
            b'"' if prefix => {
                self.quoted(b'"');
                Kind::Str
            }
            b'\'' if prefix => {
                self.quoted(b'\'');
                Kind::Char
            }
            _ => Kind::Ident,
        }
    }

    fn header_name(&mut self) {
        let end = self.src[self.pos..]
            .iter()
            .position(|&b| b == b'>' || b == b'\n')
            .map_or(self.src.len(), |i| self.pos + i);
        if self.src.get(end) == Some(&b'>') {
            self.pos = end + 1;
        } else {
            self.pos += 1;
        }
    }
}

/// Splits `src` into tokens covering every byte.
pub fn tokenize(src: &[u8]) -> Vec<Token> {
    let mut lx = Lexer {
        src,
        pos: 0,
        line: 1,
    };
    let mut out: Vec<Token> = Vec::new();
    // Where we are in a directive: 0 outside, 1 after `#` at a line's start, 2 after
    // `#include` (a `<` now opens a header name).
    let mut directive = 0;
    let mut line_start = true;
    if src.starts_with(b"\xEF\xBB\xBF") {
        // A byte order mark is not code: the line it starts is still at its start.
        lx.pos = 3;
        out.push(Token {
            kind: Kind::Space,
            start: 0,
            end: 3,
            line: 1,
            directive: false,
        });
    }
    while !lx.at_end() {
        let (start, line) = (lx.pos, lx.line);
        let b = lx.peek(0);
        let kind = if b.is_ascii_whitespace() || lx.continuation() > 0 {
            if lx.space() {
                directive = 0;
                line_start = true;
            }
            Kind::Space
        } else if b == b'/' && lx.peek(1) == b'/' {
            lx.line_comment();
            Kind::Comment
        } else if b == b'/' && lx.peek(1) == b'*' {
            lx.block_comment();
            Kind::Comment
        } else if b == b'"' {
            lx.quoted(b'"');
            Kind::Str
        } else if b == b'\'' {
            lx.quoted(b'\'');
            Kind::Char
        } else if b == b'<' && directive == 2 {
            lx.header_name();
            Kind::HeaderName
        } else if b.is_ascii_digit() || (b == b'.' && lx.peek(1).is_ascii_digit()) {
            lx.number();
            Kind::Number
        } else if is_ident_start(b) {
            lx.word()
        } else if (b == b':' && lx.peek(1) == b':') || (b == b'-' && lx.peek(1) == b'>') {
            lx.pos += 2;
            Kind::Punct
        } else {
            lx.pos += 1;
            Kind::Punct
        };
        let text = &src[start..lx.pos];
        if !matches!(kind, Kind::Space | Kind::Comment) {
            directive = match (directive, kind) {
                (0, Kind::Punct) if line_start && text == b"#" => 1,
                (1, Kind::Ident) if matches!(text, b"include" | b"include_next" | b"import") => 2,
                (0, _) => 0,
                _ => 3,
            };
            line_start = false;
        }
        out.push(Token {
            kind,
            start,
            end: lx.pos,
            line,
            directive: directive != 0,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, String)> {
        tokenize(src.as_bytes())
            .into_iter()
            .filter(|t| t.kind != Kind::Space)
            .map(|t| {
                (
                    t.kind,
                    String::from_utf8_lossy(t.text(src.as_bytes())).into(),
                )
            })
            .collect()
    }

    #[test]
    fn literals_and_comments_are_single_tokens() {
        let src = "a = R\"x(boost::interprocess)\" )x\"; // boost::interprocess\n\
                   b = u8\"q\\\"\" L'x' 1'000 /* c */ ::";
        let k = kinds(src);
        assert_eq!(k[2], (Kind::Str, "R\"x(boost::interprocess)\" )x\"".into()));
        assert_eq!(k[4], (Kind::Comment, "// boost::interprocess".into()));
        assert_eq!(k[7], (Kind::Str, "u8\"q\\\"\"".into()));
        assert_eq!(k[8], (Kind::Char, "L'x'".into()));
        assert_eq!(k[9], (Kind::Number, "1'000".into()));
        assert_eq!(k[10], (Kind::Comment, "/* c */".into()));
        assert_eq!(k[11], (Kind::Punct, "::".into()));
    }

    #[test]
    fn header_names_only_after_include() {
        let k = kinds("#include <boost/interprocess/a.hpp>\nx < y > z;\n  # include <b>");
        assert_eq!(
            k[2],
            (Kind::HeaderName, "<boost/interprocess/a.hpp>".into())
        );
        assert_eq!(k[4], (Kind::Punct, "<".into()));
        assert_eq!(k[11], (Kind::HeaderName, "<b>".into()));
    }

    #[test]
    fn lines_are_counted_and_every_byte_is_covered() {
        let src = "a\n/* x\ny */ b\n\"s\" c";
        let toks = tokenize(src.as_bytes());
        let b = toks
            .iter()
            .find(|t| t.text(src.as_bytes()) == b"b")
            .unwrap();
        assert_eq!(b.line, 3);
        let c = toks
            .iter()
            .find(|t| t.text(src.as_bytes()) == b"c")
            .unwrap();
        assert_eq!(c.line, 4);
        assert_eq!(
            toks.iter().map(|t| t.end - t.start).sum::<usize>(),
            src.len()
        );
    }

    #[test]
    fn directives_run_to_the_end_of_their_logical_line() {
        let src = "#if A \\\n  && B\nint x;";
        let toks = tokenize(src.as_bytes());
        let flags: Vec<(String, bool)> = toks
            .iter()
            .filter(|t| t.kind != Kind::Space)
            .map(|t| {
                (
                    String::from_utf8_lossy(t.text(src.as_bytes())).into(),
                    t.directive,
                )
            })
            .collect();
        let want = [
            ("#", true),
            ("if", true),
            ("A", true),
            ("&", true),
            ("&", true),
            ("B", true),
            ("int", false),
            ("x", false),
            (";", false),
        ];
        let want: Vec<(String, bool)> = want.iter().map(|(w, d)| (w.to_string(), *d)).collect();
        assert_eq!(flags, want);
    }

    #[test]
    fn a_byte_order_mark_does_not_hide_the_first_include() {
        let k = kinds("\u{feff}#include <a.hpp>\n");
        assert_eq!(k[2], (Kind::HeaderName, "<a.hpp>".into()));
    }

    #[test]
    fn an_unterminated_quote_stops_at_the_line_end() {
        let k = kinds("#error don't\nint boost;");
        assert_eq!(k[4], (Kind::Ident, "int".into()));
    }
}
