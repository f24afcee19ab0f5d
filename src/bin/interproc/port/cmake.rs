//! CMake lines that look for Boost only for what Boost.Interprocess needs (its headers):
//! reported with what to use instead, never rewritten (the project may use Boost for more).

use super::source::Finding;

/// Whether `path` is a CMake file.
pub fn is_cmake(path: &std::path::Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == "CMakeLists.txt" || name.ends_with(".cmake")
}

/// `text` without a CMake line comment (a `#` outside quotes).
fn code_of(line: &str) -> &str {
    let mut quoted = false;
    for (i, b) in line.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The arguments of the `find_package(Boost ...)` call starting at line `first`, which may
/// span lines.
fn find_package_args(lines: &[&str], first: usize) -> String {
    let mut args = String::new();
    for line in &lines[first..] {
        let code = code_of(line);
        args.push_str(code);
        args.push(' ');
        if code.contains(')') {
            break;
        }
    }
    let open = args.find('(').map_or(0, |i| i + 1);
    let close = args.find(')').unwrap_or(args.len());
    args[open..close.max(open)].to_owned()
}

/// Whether a `find_package(Boost ...)` asks only for headers: no components, or only the
/// `headers` component.
fn headers_only(args: &str) -> bool {
    let mut in_components = false;
    for word in args.split_whitespace().skip(1) {
        match word {
            "COMPONENTS" | "OPTIONAL_COMPONENTS" => in_components = true,
            "REQUIRED" | "QUIET" | "CONFIG" | "MODULE" | "EXACT" | "NO_MODULE" => {
                in_components = false
            }
            "headers" => {}
            w if !in_components && w.starts_with(|c: char| c.is_ascii_digit()) => {}
            w if !in_components && w.starts_with("${") => {}
            _ => return false,
        }
    }
    true
}

/// The findings for one CMake file's text.
pub fn report(text: &str) -> Vec<Finding> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let code = code_of(line);
        let lower = code.to_ascii_lowercase();
        let find = lower
            .find("find_package")
            .is_some_and(|at| lower[at + 12..].trim_start().starts_with('('));
        if find && headers_only_boost(&find_package_args(&lines, i)) {
            out.push(Finding {
                line: i + 1,
                message: "looks for Boost's headers only: if Boost is used only for \
                          Boost.Interprocess, use `find_package(interproc CONFIG REQUIRED)`"
                    .into(),
            });
        }
        for target in ["Boost::headers", "Boost::boost"] {
            if code.contains(target) {
                out.push(Finding {
                    line: i + 1,
                    message: format!(
                        "links `{target}`: if it is there only for Boost.Interprocess, link \
                         `interproc::interproc` (or `interproc::interproc_static`)"
                    ),
                });
            }
        }
    }
    out
}

fn headers_only_boost(args: &str) -> bool {
    args.split_whitespace().next() == Some("Boost") && headers_only(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_only_boost_is_reported_and_compiled_components_are_not() {
        let text = "find_package(Boost 1.70 REQUIRED)  # for ipc\n\
                    find_package(Boost REQUIRED COMPONENTS filesystem)\n\
                    find_package(Boost\n  COMPONENTS headers)\n\
                    target_link_libraries(app PRIVATE Boost::headers)\n\
                    # find_package(Boost)\n\
                    find_package(Threads)\n";
        let lines: Vec<usize> = report(text).iter().map(|f| f.line).collect();
        assert_eq!(lines, [1, 3, 5]);
    }
}
