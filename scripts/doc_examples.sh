#!/usr/bin/env bash
# Ports Boost.Interprocess's documented examples by the porting rule and runs each one built
# against interproc and against Boost (libboost-dev), comparing exit status and output.
#
# Usage: scripts/doc_examples.sh <boostorg/interprocess checkout or bare git dir> [name...]
#
# The examples are read from the given copy, never stored in this project. Their test
# helper (`test::get_process_id_name()` from ../test/get_process_id_name.hpp) is replaced by
# a stand-in written here (with `get_argv_2`). The Windows-only example is skipped; an example that does not
# build against the installed Boost either is reported as such, not as a failure.
# Build products go to target/doc_examples (or $OUT). Exits non-zero if any example that
# Boost builds fails to build, run or print the same with interproc.
set -uo pipefail
cd "$(dirname "$0")/.."
src="${1:?path to boostorg/interprocess}"
shift
out="${OUT:-target/doc_examples}"
mkdir -p "$out"
lib="${LIB:-$PWD/target/release}"
if [ ! -e "$lib/libinterproc.so" ]; then
  cargo build --release --lib -q || exit 1
fi
[ -e "$lib/libinterproc.so.0" ] || ln -sf libinterproc.so "$lib/libinterproc.so.0"

# Reads example/<file> from a checkout or a bare repository.
read_example() {
  if [ -d "$src/example" ]; then
    cat "$src/example/$1"
  else
    git --git-dir="$src" show "HEAD:example/$1"
  fi
}
list_examples() {
  if [ -d "$src/example" ]; then
    (cd "$src/example" && ls doc_*.cpp)
  else
    git --git-dir="$src" ls-tree --name-only HEAD example/ | sed 's#^example/##' | grep '^doc_.*\.cpp$'
  fi
}

# The stand-in for Boost's test helper: a name unique to the process. (Boost's lives in
# boost::interprocess::test; the examples call it as test::..., which finds this one.)
cat > "$out/get_process_id_name.hpp" <<'EOF'
#pragma once
#include <string>
#include <unistd.h>
namespace test {
inline const char *get_process_id_name() {
   static const std::string name = "doc_example_" + std::to_string(static_cast<long>(::getpid()));
   return name.c_str();
}
inline const char *add_to_process_id_name(const char *prefix) {
   static std::string name;
   name = std::string(prefix) + std::to_string(static_cast<long>(::getpid()));
   return name.c_str();
}
inline const char *get_argv_2(char *argv[]) { return argv[2]; }
inline const wchar_t *get_process_id_wname() {
   static std::wstring name;
   const std::string n = get_process_id_name();
   name.assign(n.begin(), n.end());
   return name.c_str();
}
} // namespace test
EOF

# Recent examples use the exception macros of recent Boost; Boost 1.74 lacks them
# (interproc's detail/workaround.hpp has them): the Boost build gets them from here.
cat > "$out/boost_scaffold.hpp" <<'EOF'
#pragma once
#include <boost/interprocess/detail/workaround.hpp>
#ifndef BOOST_INTERPROCESS_TRY
#define BOOST_INTERPROCESS_TRY { try
#define BOOST_INTERPROCESS_CATCH(x) catch(x)
#define BOOST_INTERPROCESS_RETHROW throw;
#define BOOST_INTERPROCESS_CATCH_END }
#endif
EOF

# Every header the examples include from beside them (shared-data headers) is fetched too.
for h in $(if [ -d "$src/example" ]; then (cd "$src/example" && ls *.hpp); else
  git --git-dir="$src" ls-tree --name-only HEAD example/ | sed 's#^example/##' | grep '\.hpp$'; fi); do
  read_example "$h" > "$out/boost_$h"
  sed -e 's#<boost/interprocess/#<interproc/#g' -e 's/boost::interprocess/interproc/g' \
    "$out/boost_$h" > "$out/interproc_$h"
done

names=("$@")
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(list_examples)
pass=0 fail=0 skipped=0
for f in "${names[@]}"; do
  n="${f%.cpp}"
  case "$n" in doc_windows_*) continue ;; esac
  for side in boost interproc; do
    read_example "$f" |
      sed -e 's#"\.\./test/get_process_id_name\.hpp"#"get_process_id_name.hpp"#' \
          -e 's#<\.\./test/get_process_id_name\.hpp>#"get_process_id_name.hpp"#' \
          -e "s#\"\\(doc_[a-z_]*_shared_data\\.hpp\\)\"#\"${side}_\\1\"#" > "$out/${n}_$side.cpp"
    if [ "$side" = interproc ]; then
      sed -i -e 's#<boost/interprocess/#<interproc/#g' -e 's/boost::interprocess/interproc/g' "$out/${n}_$side.cpp"
    fi
  done
  if ! g++ -std=c++17 -w -I"$out" -include "$out/boost_scaffold.hpp" "$out/${n}_boost.cpp" \
      -o "$out/${n}_boost" -lrt -lpthread 2> "$out/${n}_boost.log"; then
    # Nothing to compare with; still say whether interproc builds and runs it.
    if g++ -std=c++17 -w -Iinclude -I"$out" "$out/${n}_interproc.cpp" -o "$out/${n}_interproc" \
        -L"$lib" -linterproc -Wl,-rpath,"$lib" -lrt -lpthread 2> "$out/${n}_interproc.log"; then
      (cd "$out" && timeout 60 "./${n}_interproc" > "${n}_interproc.out" 2>&1)
      echo "skip  $n (not built by the installed Boost; interproc builds it, exit $?)"
    else
      echo "skip  $n (built by neither the installed Boost nor interproc)"
    fi
    skipped=$((skipped + 1))
    continue
  fi
  if ! g++ -std=c++17 -w -Iinclude -I"$out" "$out/${n}_interproc.cpp" -o "$out/${n}_interproc" \
      -L"$lib" -linterproc -Wl,-rpath,"$lib" -lrt -lpthread 2> "$out/${n}_interproc.log"; then
    echo "FAIL  $n: does not build against interproc (see $out/${n}_interproc.log)"
    fail=$((fail + 1))
    continue
  fi
  (cd "$out" && timeout 60 "./${n}_boost" > "${n}_boost.out" 2>&1); brc=$?
  (cd "$out" && timeout 60 "./${n}_interproc" > "${n}_interproc.out" 2>&1); irc=$?
  if [ "$brc" != "$irc" ] || ! cmp -s "$out/${n}_boost.out" "$out/${n}_interproc.out"; then
    echo "FAIL  $n: Boost exit $brc, interproc exit $irc (outputs in $out/${n}_*.out)"
    fail=$((fail + 1))
  else
    echo "ok    $n (exit $irc)"
    pass=$((pass + 1))
  fi
done
echo "doc examples: $pass print what Boost prints, $fail differ, $skipped do not build against Boost"
[ "$fail" = 0 ]
