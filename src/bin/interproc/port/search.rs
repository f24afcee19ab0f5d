//! Where Boost headers would be found: `-I` directories, the C++ compiler's own search
//! path, `/usr/local/include` and `/usr/include`.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The include search path, asked of the compiler once, when first needed.
pub struct Headers {
    extra: Vec<PathBuf>,
    dirs: Option<Vec<PathBuf>>,
}

impl Headers {
    pub fn new(extra: Vec<PathBuf>) -> Headers {
        Headers { extra, dirs: None }
    }

    /// Whether `header` (as written in `#include <...>`) exists in a search directory.
    pub fn installed(&mut self, header: &str) -> bool {
        let extra = &self.extra;
        let dirs = self.dirs.get_or_insert_with(|| {
            let mut dirs = extra.clone();
            dirs.extend(compiler_dirs());
            dirs.push("/usr/local/include".into());
            dirs.push("/usr/include".into());
            dirs
        });
        dirs.iter().any(|d| d.join(header).is_file())
    }
}

/// The `#include <...>` search directories `c++ -v` prints (none without a compiler).
fn compiler_dirs() -> Vec<PathBuf> {
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let Ok(out) = Command::new(cxx)
        .args(["-x", "c++", "-E", "-v", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
    else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&out.stderr);
    text.lines()
        .skip_while(|l| !l.starts_with("#include <...> search starts here"))
        .skip(1)
        .take_while(|l| !l.starts_with("End of search list"))
        .map(|l| PathBuf::from(l.trim().trim_end_matches(" (framework directory)")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_include_dir_is_searched_first_and_a_missing_header_is_not_found() {
        let dir = std::env::temp_dir().join(format!("ipt_port_search_{}", std::process::id()));
        std::fs::create_dir_all(dir.join("corpus_only")).unwrap();
        std::fs::write(dir.join("corpus_only/here.hpp"), "").unwrap();
        let mut headers = Headers::new(vec![dir.clone()]);
        assert!(headers.installed("corpus_only/here.hpp"));
        assert!(!headers.installed("corpus_only/nowhere.hpp"));
        assert!(
            !headers.installed("corpus_only"),
            "a directory is not a header"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
