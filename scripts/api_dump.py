#!/usr/bin/env python3
"""Compares the public C++ API of Boost.Interprocess (its installed headers) with
interproc's wrapper, declaration by declaration.

Both header trees are parsed by clang++ (-Xclang -ast-dump=json). From each, the script
takes what a program can name in the namespace (boost::interprocess, or interproc), leaving
out the implementation namespaces (ipcdetail, detail):

  class NAME<kinds>            a class or class template (template parameter kinds)
  NAME::NAME(params)           a public constructor, with `explicit` and `noexcept`
  NAME::f(params) const        a public member function or operator
  NAME::operator T             a public conversion operator
  NAME::type T                 a public nested type (typedef, alias, class, enum)
  NAME::member M               a public data member
  function f(params)           a free function, or a friend function of a class
  typedef T / enum E / enumerator V / variable V   at namespace scope

Parameter types are compared after normalisation: namespaces and template arguments are
dropped, typedefs that clang resolves are resolved, and template parameters are numbered
by position, so `scoped_lock(Mutex &)` and `scoped_lock(MutexType &)` are one declaration.

A Boost declaration is matched when interproc has the same key, with the same `explicit`
and `noexcept` for constructors and conversion operators. Every other Boost declaration is
a difference; a difference is allowed when a line of the allow-list (default
tests/api_allowlist.txt) names it: `PATTERN<TAB>reason`, where PATTERN is the key, `*`
matching any run of characters. interproc's extra declarations are not differences.

Usage:
  api_dump.py [--allowlist FILE] [--boost-include DIR] [--ours-include DIR]
              [--list boost|ours] [--unlisted-only] [--write-allowlist FILE]

Prints "N declarations matched of M in Boost", the differences not allowed, and the
allow-list lines that match nothing; exits 1 when a difference is not allowed, 2 when
clang++ or Boost is missing.
"""

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Header paths left out of the comparison (as in tests/api_conformance.rs): Boost's
# internals, Windows-only headers, and the implementation directories of the sync classes.
LEFT_OUT = (
    "detail/",
    "windows_shared_memory.hpp",
    "managed_windows_shared_memory.hpp",
    "sync/windows/",
    "sync/posix/",
    "sync/spin/",
    "sync/shm/",
)

IMPL_NAMESPACES = {"ipcdetail", "detail", "bi"}


def public_headers(boost_dir):
    out = []
    for d, _, files in os.walk(boost_dir):
        for f in files:
            if f.endswith(".hpp"):
                rel = os.path.relpath(os.path.join(d, f), boost_dir)
                if "/detail/" in "/" + rel or rel.startswith(LEFT_OUT):
                    continue
                out.append(rel)
    return sorted(out)


def ast_of(includes, include_dirs, namespace):
    """The top-level JSON objects clang dumps for declarations named like `namespace`."""
    with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as tu:
        tu.write("".join("#include <%s>\n" % h for h in includes))
        path = tu.name
    try:
        cmd = ["clang++", "-std=c++17", "-fsyntax-only", "-Xclang", "-ast-dump=json",
               "-Xclang", "-ast-dump-filter=" + namespace]
        for d in include_dirs:
            cmd += ["-I", d]
        res = subprocess.run(cmd + [path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, check=False)
    finally:
        os.unlink(path)
    if res.returncode != 0:
        sys.exit("clang++ failed on the %s headers:\n%s" % (namespace, res.stderr[:4000]))
    text, objs, i = res.stdout, [], 0
    dec = json.JSONDecoder()
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        obj, i = dec.raw_decode(text, i)
        objs.append(obj)
    return objs


def strip_template_args(s):
    out, depth = [], 0
    for ch in s:
        if ch == "<":
            depth += 1
        elif ch == ">" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


NAMESPACE_RE = re.compile(r"(?:\b[A-Za-z_]\w*::|\$\d+\.\d+::)+")
# Spellings of one integer type that the two APIs use interchangeably.
SAME_TYPE = {
    "size_type": "size_t", "unsigned long": "size_t", "make_unsigned::type": "size_t",
    "difference_type": "ptrdiff_t", "long": "ptrdiff_t", "offset_t": "ptrdiff_t",
}


def norm_type(t, tparams):
    t = re.sub(r"\b(?:struct|class|enum|typename|template)\s+", "", t)
    t = strip_template_args(t)
    t = re.sub(r"\btype-parameter-(\d+)-(\d+)\b", r"$\1.\2", t)
    for name, pos in tparams.items():
        t = re.sub(r"(?<![\w:])%s\b" % re.escape(name), pos, t)
    t = t.replace("make_unsigned::type", "make_unsigned_type")
    t = NAMESPACE_RE.sub("", t)  # keep a qualified name's last part only
    t = t.replace("make_unsigned_type", "size_t")
    t = re.sub(r"\s+", " ", t).strip()
    for spelled, same in SAME_TYPE.items():
        t = re.sub(r"(?<![\w$])%s(?!\w)" % re.escape(spelled), same, t)
    return t.replace(" &", "&").replace(" *", "*")


def param_types(fn, tparams, cls=None):
    """The normalised parameter types of a function. A defaulted `enable_if<...>::type *`
    parameter (a constraint, not an argument) is left out, and a class's name for itself
    (`this_type`, `self_t`) becomes the class name."""
    out = []
    for p in fn.get("inner", []):
        if p.get("kind") == "ParmVarDecl":
            ty = norm_type(p["type"].get("desugaredQualType", p["type"]["qualType"]), tparams)
            if ty == "type*" and "init" in p:
                continue
            if cls:
                ty = re.sub(r"\b(?:this_type|self_t|self_type)\b", cls, ty)
            out.append(ty)
    return tuple(out)


def required_params(fn):
    """How many parameters a call must give (those before the first default argument)."""
    n = 0
    for p in fn.get("inner", []):
        if p.get("kind") == "ParmVarDecl":
            if "init" in p:
                break
            n += 1
    return n


def fn_quals(fn):
    """`const` and `noexcept` of a member function, from its type."""
    qt = fn["type"]["qualType"]
    tail = qt[qt.rfind(")") + 1:]
    return ("const" in tail.split()), ("noexcept" in tail or "throw()" in tail)


def template_params(decl, into):
    d = dict(into)
    for p in decl.get("inner", []):
        if p.get("kind") in ("TemplateTypeParmDecl", "NonTypeTemplateParmDecl",
                             "TemplateTemplateParmDecl") and p.get("name"):
            d[p["name"]] = "$%d.%d" % (p.get("depth", 0), p.get("index", 0))
    return d


def template_kinds(decl):
    kinds = {"TemplateTypeParmDecl": "T", "NonTypeTemplateParmDecl": "N",
             "TemplateTemplateParmDecl": "TT"}
    return [kinds[p["kind"]] for p in decl.get("inner", []) if p.get("kind") in kinds]


class Decl:
    """One declaration: `kind` is class, ctor, method, conv, type, member, function,
    typedef, using, enum, enumerator or variable; `scope` the class of a member."""

    def __init__(self, kind, name, scope="", params=None, const=False, static=False,
                 attrs=(), required=None):
        self.kind, self.name, self.scope = kind, name, scope
        self.params, self.const, self.static = params, const, static
        self.attrs = set(attrs)
        self.required = len(params or ()) if required is None else required

    def ident(self):
        return (self.kind, self.scope, self.name, self.params, self.const, self.static)

    def __str__(self):
        ps = "(%s)" % ",".join(self.params) if self.params is not None else ""
        if self.kind == "class":
            return "class %s%s" % (self.name, self.scope)
        if self.kind in ("ctor", "method"):
            static = "static " if self.static else ""
            const = " const" if self.const else ""
            return "%s::%s%s%s%s" % (self.scope, static, self.name, ps, const)
        if self.kind == "conv":
            return "%s::operator %s" % (self.scope, self.name)
        if self.kind in ("type", "member"):
            return "%s::%s %s" % (self.scope, self.kind, self.name)
        return "%s %s%s" % (self.kind, self.name, ps)


class Api:
    """The declarations of one side, and what each class inherits from."""

    def __init__(self):
        self.decls = {}    # ident -> Decl, namespace-level public API only
        self.members = {}  # class name -> {ident: Decl}, every class seen (detail too)
        self.bases = {}    # class name -> [base class names]
        self.names = set()

    def add(self, d, public):
        if d.scope and d.kind != "class":
            self.members.setdefault(d.scope, {}).setdefault(d.ident(), d).attrs |= d.attrs
        if public:
            self.decls.setdefault(d.ident(), d).attrs |= d.attrs
            if not d.scope or d.kind == "class":
                self.names.add(d.name)


# What the standard stream classes give the streams derived from them.
STD_STREAM_TYPES = ("char_type", "int_type", "pos_type", "off_type", "traits_type")


def record_members(api, cls, rec, tparams, public_api):
    bases = []
    for b in rec.get("bases", []):
        if b.get("access") == "public":
            spelled = b["type"]["qualType"]
            bname = norm_type(spelled, {})
            # A base's template arguments may be what it derives from (`pool<Base>`
            # deriving from `Base`): every class named in the base counts as a base.
            bases += [bname] + re.findall(r"[A-Za-z_]\w*", spelled)
            if re.match(r"basic_(i|o|io)?stream(buf)?$", bname):
                for t in STD_STREAM_TYPES:
                    api.add(Decl("type", t, cls), False)
    api.bases.setdefault(cls, []).extend(bases)
    public = rec.get("tagUsed") != "class"
    for m in rec.get("inner", []):
        kind = m.get("kind")
        if kind == "AccessSpecDecl":
            public = m.get("access") == "public"
            continue
        if kind == "FriendDecl":
            for f in m.get("inner", []):
                free_function(api, f, tparams, public_api, cls)
            continue
        if not public or m.get("isImplicit"):
            continue
        member(api, cls, m, tparams, public_api)


def member(api, cls, m, tparams, public_api):
    kind = m.get("kind")
    if kind == "FunctionTemplateDecl":
        tp = template_params(m, tparams)
        for f in m.get("inner", []):
            if f.get("kind") in ("CXXMethodDecl", "CXXConstructorDecl", "CXXConversionDecl"):
                member(api, cls, f, tp, public_api)
        return
    if kind in ("CXXMethodDecl", "CXXConstructorDecl", "CXXConversionDecl"):
        if m.get("explicitlyDeleted"):
            return
        const, noexcept = fn_quals(m)
        attrs = {"explicit"} if m.get("explicit") else set()
        if noexcept:
            attrs.add("noexcept")
        if kind == "CXXConstructorDecl":
            api.add(Decl("ctor", cls, cls, param_types(m, tparams, cls), attrs=attrs,
                         required=required_params(m)), public_api)
        elif kind == "CXXConversionDecl":
            target = norm_type(m["type"]["qualType"].split("(")[0], tparams)
            api.add(Decl("conv", target, cls, attrs=attrs & {"explicit"}), public_api)
        else:
            api.add(Decl("method", m["name"], cls, param_types(m, tparams, cls), const,
                         m.get("storageClass") == "static", required=required_params(m)),
                    public_api)
        return
    if kind in ("TypedefDecl", "TypeAliasDecl", "TypeAliasTemplateDecl", "CXXRecordDecl",
                "ClassTemplateDecl", "EnumDecl"):
        if m.get("name"):
            api.add(Decl("type", m["name"], cls), public_api)
        return
    if kind in ("FieldDecl", "VarDecl") and m.get("name"):
        api.add(Decl("member", m["name"], cls), public_api)


def free_function(api, f, tparams, public_api, cls=None):
    kind = f.get("kind")
    if kind == "FunctionTemplateDecl":
        tp = template_params(f, tparams)
        for g in f.get("inner", []):
            if g.get("kind") == "FunctionDecl":
                free_function(api, g, tp, public_api, cls)
        return
    if kind == "FunctionDecl" and not f.get("explicitlyDeleted"):
        api.add(Decl("function", f["name"], params=param_types(f, tparams, cls),
                     required=required_params(f)), public_api)


def class_decl(api, d, public):
    name = d["name"]
    if d["kind"] == "ClassTemplateDecl":
        api.add(Decl("class", name, "<%s>" % ",".join(template_kinds(d))), public)
        tp = template_params(d, {})
        for r in d.get("inner", []):
            if r.get("kind") == "CXXRecordDecl" and r.get("completeDefinition"):
                record_members(api, name, r, tp, public)
    else:
        api.add(Decl("class", name), public)
        if d.get("completeDefinition"):
            record_members(api, name, d, {}, public)


def namespace_decls(api, ns, public):
    for d in ns.get("inner", []):
        kind = d.get("kind")
        name = d.get("name")
        if "parentDeclContextId" in d:
            continue  # an out-of-line definition of a member
        if kind == "NamespaceDecl":
            namespace_decls(api, d, public and name not in IMPL_NAMESPACES)
        elif kind in ("ClassTemplateDecl", "CXXRecordDecl") and name:
            class_decl(api, d, public)
        elif not public:
            continue
        elif kind in ("FunctionDecl", "FunctionTemplateDecl"):
            free_function(api, d, {}, True)
        elif kind in ("TypedefDecl", "TypeAliasDecl", "TypeAliasTemplateDecl") and name:
            api.add(Decl("typedef", name), True)
        elif kind == "EnumDecl":
            if name:
                api.add(Decl("enum", name), True)
            for e in d.get("inner", []):
                if e.get("kind") == "EnumConstantDecl":
                    api.add(Decl("enumerator", e["name"]), True)
        elif kind == "VarDecl" and name:
            api.add(Decl("variable", name), True)
        elif kind == "UsingDecl" and name:
            api.add(Decl("using", name.split("::")[-1]), True)


def api_of(objs, namespace):
    api = Api()
    for top in objs:
        if top.get("kind") == "NamespaceDecl" and top.get("name") == namespace:
            namespace_decls(api, top, True)
    return api


def read_allowlist(path):
    entries = []
    if not os.path.exists(path):
        return entries
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            if "\t" not in line:
                sys.exit("%s:%d: no reason (PATTERN<TAB>reason)" % (path, n))
            pattern, reason = line.split("\t", 1)
            if not reason.strip():
                sys.exit("%s:%d: empty reason" % (path, n))
            entries.append((pattern, reason.strip()))
    return entries


def generic(param):
    """Whether a parameter of interproc's takes any argument: a template parameter, by value,
    `const T &` or `T &&`."""
    return re.fullmatch(r"(const )?\$\d+\.\d+(&|&&)?", param) is not None


def computed(param):
    """Whether a parameter type of Boost's is computed by metaprogramming
    (`typename X<...>::type`, normalised to `type`): not compared."""
    return re.search(r"(?<![\w$])type(?!\w)", param) is not None


def accepts(ours, boost):
    """Whether interproc's member or function `ours` takes every call Boost's `boost` takes:
    the same parameters, where a template parameter of interproc's stands for any one, a
    trailing parameter pack for any number, and a const member function for a non-const
    one."""
    if ours.kind != boost.kind or ours.name != boost.name or ours.static != boost.static:
        return False
    if boost.const and not ours.const:
        return False
    ops, bps = list(ours.params), list(boost.params)
    required = ours.required
    if ops and ops[-1].endswith("..."):
        ops.pop()
        required = min(required, len(ops))
        if len(bps) < len(ops):
            return False
        bps = bps[:len(ops)]
    # Every arity Boost's accepts (its defaults included) must be one interproc's accepts.
    if required > boost.required or len(bps) > len(ops):
        return False
    return all(same_param(o, b) for o, b in zip(ops, bps))


def same_param(o, b):
    """Whether interproc's parameter `o` takes every argument Boost's `b` takes."""
    return o == b or o == "const %s&" % b or generic(o) or computed(b)


def candidates(ours, d):
    """interproc's declarations that could stand for Boost's `d`: in the same class or a
    public base of it."""
    if not d.scope or d.kind == "class":
        return [x for x in ours.decls.values() if x.kind == d.kind and x.name == d.name]
    out, seen, todo = [], set(), [d.scope]
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        out += [x for x in ours.members.get(cls, {}).values() if x.name == d.name]
        todo += ours.bases.get(cls, [])
    return out


def find_match(ours, d):
    """interproc's declaration matching Boost's `d`, or None."""
    if d.kind == "using":
        return d if d.name in ours.names else None
    if d.kind == "typedef" and d.name in ours.names:
        return d  # a class or alias of the name serves as Boost's typedef
    cands = candidates(ours, d)
    for x in cands:
        if x.ident()[:1] + x.ident()[2:] == d.ident()[:1] + d.ident()[2:]:
            return x
    if d.kind in ("ctor", "method", "function"):
        for x in cands:
            if accepts(x, d):
                return x
    return None


def compare(boost, ours):
    """(matched, differences as (Decl, what)) over Boost's declarations. interproc may
    promise more: a constructor noexcept where Boost's is not is a match."""
    matched, diffs = [], []
    for d in sorted(boost.decls.values(), key=str):
        x = find_match(ours, d)
        if x is None:
            diffs.append((d, "missing"))
            continue
        problems = []
        if ("explicit" in d.attrs) != ("explicit" in x.attrs):
            problems.append("%sexplicit in Boost" % ("" if "explicit" in d.attrs else "not "))
        if d.kind == "ctor" and "noexcept" in d.attrs and "noexcept" not in x.attrs:
            problems.append("noexcept in Boost")
        if problems:
            diffs.append((d, ", ".join(problems)))
        else:
            matched.append(d)
    return matched, diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--allowlist", default=os.path.join(ROOT, "tests", "api_allowlist.txt"))
    ap.add_argument("--boost-include", default="/usr/include")
    ap.add_argument("--ours-include", default=os.path.join(ROOT, "include"))
    ap.add_argument("--list", choices=("boost", "ours"))
    ap.add_argument("--write-allowlist", metavar="FILE",
                    help="write every difference not yet allowed to FILE, reason TODO")
    args = ap.parse_args()

    boost_dir = os.path.join(args.boost_include, "boost", "interprocess")
    if shutil.which("clang++") is None or not os.path.isdir(boost_dir):
        print("clang++ or Boost.Interprocess is not installed; nothing compared")
        return 2
    headers = public_headers(boost_dir)
    boost = api_of(ast_of(["boost/interprocess/" + h for h in headers], [args.boost_include],
                          "interprocess"), "interprocess")
    ours = api_of(ast_of(["interproc/" + h for h in headers], [args.ours_include],
                         "interproc"), "interproc")
    if args.list:
        for d in sorted(map(str, (boost if args.list == "boost" else ours).decls.values())):
            print(d)
        return 0

    matched, diffs = compare(boost, ours)
    allow = read_allowlist(args.allowlist)
    used = set()
    unlisted = []
    for d, what in diffs:
        key = str(d)
        hit = next((p for p, _ in allow if fnmatch.fnmatchcase(key, p)), None)
        if hit is None:
            unlisted.append((key, what))
        else:
            used.add(hit)
    print("%d declarations matched of %d in Boost (%d differences allowed, %d not)"
          % (len(matched), len(boost.decls), len(diffs) - len(unlisted), len(unlisted)))
    for key, what in unlisted:
        print("DIFFERENCE\t%s\t%s" % (key, what))
    for pattern, _ in allow:
        if pattern not in used:
            print("STALE ALLOW-LIST LINE\t%s" % pattern)
    if args.write_allowlist:
        with open(args.write_allowlist, "w", encoding="utf-8") as f:
            for key, what in unlisted:
                f.write("%s\tTODO (%s)\n" % (key, what))
    return 1 if unlisted or len(used) < len(allow) else 0


if __name__ == "__main__":
    sys.exit(main())
