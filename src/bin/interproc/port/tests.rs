//! The rewrite rules, one shape at a time, each ported twice (the second run must change
//! nothing).

use super::port_source;

/// `src` ported with every Boost header installed; asserts that a second run changes
/// nothing.
fn port(src: &str) -> String {
    port_with(src, true).0
}

fn port_with(src: &str, installed: bool) -> (String, Vec<String>) {
    let once = port_source(src.as_bytes(), &mut |_| installed);
    let twice = port_source(&once.text, &mut |_| installed);
    assert_eq!(
        String::from_utf8_lossy(&twice.text),
        String::from_utf8_lossy(&once.text),
        "not idempotent"
    );
    assert!(twice.changes.is_empty());
    let notes = once
        .findings
        .iter()
        .map(|f| format!("{}: {}", f.line, f.message));
    (String::from_utf8(once.text).unwrap(), notes.collect())
}

#[test]
fn qualified_names_aliases_and_using() {
    assert_eq!(
        port("namespace bip = boost::interprocess;\nusing boost::interprocess::mapped_region;\n"),
        "namespace bip = interproc;\nusing interproc::mapped_region;\n"
    );
    assert_eq!(
        port("using namespace ::boost::interprocess; ::boost :: interprocess::x y;"),
        "using namespace ::interproc; ::interproc::x y;"
    );
    assert_eq!(
        port("std::vector<boost::interprocess::x> v; return boost::interprocess::y();"),
        "std::vector<interproc::x> v; return interproc::y();"
    );
}

#[test]
fn names_that_only_look_alike_stay() {
    let src = "my::boost::interprocess::x a; s.boost; p->interprocess::y; \
               namespace interprocess { int z; }";
    assert_eq!(port(src), src);
}

#[test]
fn comments_strings_and_raw_strings_stay() {
    let src = "// boost::interprocess\n/* namespace boost { namespace interprocess { */\n\
               const char* a = \"boost::interprocess\";\nauto b = R\"(boost::interprocess)\";\n\
               char c = 'b';\n";
    assert_eq!(port(src), src);
}

#[test]
fn a_boost_block_of_only_interprocess_becomes_interproc() {
    assert_eq!(
        port(
            "namespace boost {\nnamespace interprocess {\nclass a;\n}  // namespace interprocess\n}  // namespace boost\nint x;\n"
        ),
        "namespace interproc {\nclass a;\n}  // namespace interproc\nint x;\n"
    );
    assert_eq!(
        port("namespace boost { namespace interprocess { class a; } }"),
        "namespace interproc { class a; }"
    );
}

#[test]
fn a_boost_block_holding_more_is_split() {
    assert_eq!(
        port("namespace boost { class x; namespace interprocess { class a; } class y; }"),
        "namespace boost { class x; } namespace interproc { class a; } namespace boost { class y; }"
    );
    assert_eq!(
        port("namespace boost {\nnamespace interprocess { class a; }\nclass y;\n}\n"),
        "namespace interproc { class a; }\nnamespace boost {\nclass y;\n}\n"
    );
    assert_eq!(
        port(
            "namespace boost {\nclass x;\nnamespace interprocess { class a; }\nnamespace interprocess { class b; }\n}\n"
        ),
        "namespace boost {\nclass x;\n}\nnamespace interproc { class a; }\nnamespace interproc { class b; }\n"
    );
}

#[test]
fn bare_interprocess_is_rewritten_only_where_boost_is_in_scope() {
    assert_eq!(
        port("void f() { using namespace boost; interprocess::a x; }\ninterprocess::b y;"),
        "void f() { using namespace boost; interproc::a x; }\ninterprocess::b y;"
    );
    assert_eq!(
        port("namespace boost { struct s { interprocess::a* p; }; namespace ipc = interprocess; }"),
        "namespace boost { struct s { interproc::a* p; }; namespace ipc = interproc; }"
    );
    assert_eq!(
        port("using namespace boost;\nusing namespace interprocess;\n"),
        "using namespace boost;\nusing namespace interproc;\n"
    );
}

#[test]
fn cxx17_nested_namespaces_and_macros() {
    assert_eq!(
        port(
            "namespace boost::interprocess { class a; }\n#define IPC ::boost::interprocess\n#define NS boost::interprocess::\n"
        ),
        "namespace interproc { class a; }\n#define IPC ::interproc\n#define NS interproc::\n"
    );
}

#[test]
fn includes_are_rewritten_and_internals_reported() {
    let (out, notes) = port_with(
        "#include <boost/interprocess/sync/named_mutex.hpp>\n#  include \"boost/interprocess/offset_ptr.hpp\"\n\
         #include <boost/interprocess/detail/workaround.hpp>\n#include <boost/interprocess/windows_shared_memory.hpp>\n\
         #include <boost/container/vector.hpp>\nint a = boost::interprocess::ipcdetail::x;\n\
         #include <boost/interprocess/detail/segment_manager_helper.hpp>\n\
         int p = boost::interprocess::ipcdetail::get_current_process_id();\n",
        true,
    );
    assert_eq!(
        out,
        "#include <interproc/sync/named_mutex.hpp>\n#  include <interproc/offset_ptr.hpp>\n\
         #include <interproc/detail/workaround.hpp>\n#include <boost/interprocess/windows_shared_memory.hpp>\n\
         #include <boost/container/vector.hpp>\nint a = interproc::ipcdetail::x;\n\
         #include <boost/interprocess/detail/segment_manager_helper.hpp>\n\
         int p = interproc::ipcdetail::get_current_process_id();\n"
    );
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(
        notes[0].starts_with("4: <boost/interprocess/windows_shared_memory.hpp> is Windows-only")
    );
    assert!(notes[1].starts_with("6: `ipcdetail` is a Boost.Interprocess internal"));
    assert!(notes[2].starts_with(
        "7: <boost/interprocess/detail/segment_manager_helper.hpp> is a Boost.Interprocess internal"
    ));
}

#[test]
fn internals_and_configuration_macros_are_reported() {
    let (out, notes) = port_with(
        "#define BOOST_INTERPROCESS_SHARED_DIR_PATH \"/run/x\"\n\
         boost::interprocess::detail::y a;\nBOOST_INTERPROCESS_TRY {} BOOST_INTERPROCESS_CATCH(...) {} BOOST_INTERPROCESS_CATCH_END\n",
        true,
    );
    assert!(out.contains("interproc::detail::y"), "{out}");
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].starts_with("1: `BOOST_INTERPROCESS_SHARED_DIR_PATH` configures"));
    assert!(notes[1].starts_with("2: `detail` is a Boost.Interprocess internal"));
}

#[test]
fn headers_boost_brought_in_are_added_when_installed_and_reported_otherwise() {
    let src = "#include <boost/interprocess/sync/named_mutex.hpp>\n#include <boost/move/move.hpp>\n\
               BOOST_STATIC_ASSERT(sizeof(boost::uint32_t) == 4);\nauto b = boost::move(a);\n\
               // BOOST_ASSERT(x) in a comment\n";
    let (out, notes) = port_with(src, true);
    assert_eq!(
        out,
        "#include <interproc/sync/named_mutex.hpp>\n#include <boost/static_assert.hpp>\n\
         #include <boost/cstdint.hpp>\n#include <boost/move/move.hpp>\n\
         BOOST_STATIC_ASSERT(sizeof(boost::uint32_t) == 4);\nauto b = boost::move(a);\n\
         // BOOST_ASSERT(x) in a comment\n"
    );
    assert!(notes.is_empty(), "{notes:?}");
    let (out, notes) = port_with(src, false);
    assert!(!out.contains("static_assert.hpp"), "{out}");
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].starts_with("3: `BOOST_STATIC_ASSERT` came with Boost.Interprocess's headers from <boost/static_assert.hpp>, which is not installed"));
}

#[test]
fn a_file_that_does_not_use_interprocess_is_left_alone() {
    let src =
        "#include <boost/assert.hpp>\nint f() { BOOST_ASSERT(1); return boost::uint32_t(1); }\n";
    assert_eq!(port(src), src);
}

#[test]
fn added_lines_follow_the_files_line_breaks() {
    assert_eq!(
        port(
            "#include <boost/interprocess/mapped_region.hpp>\r\nnamespace boost {\r\nnamespace interprocess {\r\nclass a;\r\n}\r\n}\r\nint f() { BOOST_ASSERT(1); return 0; }\r\n"
        ),
        "#include <interproc/mapped_region.hpp>\r\n#include <boost/assert.hpp>\r\nnamespace interproc {\r\nclass a;\r\n}\r\nint f() { BOOST_ASSERT(1); return 0; }\r\n"
    );
}

#[test]
fn a_split_follows_the_files_line_breaks() {
    assert_eq!(
        port("namespace boost {\r\nnamespace interprocess { class a; }\r\nclass y;\r\n}\r\n"),
        "namespace interproc { class a; }\r\nnamespace boost {\r\nclass y;\r\n}\r\n"
    );
}

#[test]
fn a_block_whose_braces_do_not_balance_is_reported_not_guessed() {
    let src = "namespace boost { namespace interprocess {\n#if A\nstruct x {\n#else\nstruct x : y {\n#endif\n};\n} }\n";
    let (out, notes) = port_with(src, true);
    assert_eq!(out, src);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].starts_with("1: the braces of this `namespace boost` block do not balance"));
}

#[test]
fn preprocessor_lines_in_a_boost_block_stay_with_the_moved_block() {
    assert_eq!(
        port("namespace boost {\n#ifdef X\nnamespace interprocess { class a; }\n#endif\n}\n"),
        "#ifdef X\nnamespace interproc { class a; }\n#endif\n"
    );
}

#[test]
fn provided_internals_exist_and_declare_the_provided_names() {
    let include = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("include/interproc");
    let mut text = String::new();
    for rest in super::includes::PROVIDED_INTERNALS {
        let header = include.join(rest);
        text += &std::fs::read_to_string(&header)
            .unwrap_or_else(|e| panic!("{}: {e}", header.display()));
    }
    for name in super::unportable::PROVIDED_IPCDETAIL {
        assert!(
            [" {name}(", " {name};", " {name}["]
                .iter()
                .any(|p| text.contains(&p.replace("{name}", name))),
            "{name} is not declared by the provided internal headers"
        );
    }
}
