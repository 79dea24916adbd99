#!/usr/bin/env bash
# Renders tools/parxz.1 with man-db and groff and fails on any warning, then
# checks that every option `parxz --help` prints (-x, --long-option and the
# filter sub-options such as dict=) appears in the rendered page.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }

# Under Bazel the files are runfiles; by hand, run it from the source root
# after `bazel build //tools:parxz`.
root="${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-parxz}"
parxz=$root/tools/parxz
if [[ ! -f $root/tools/parxz.1 ]]; then
  root=. parxz=bazel-bin/tools/parxz
fi
page=$root/tools/parxz.1
work=${TEST_TMPDIR:-$(mktemp -d)}
for tool in man groff; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (tools/setup.sh)"
done

# groff itself, every warning category on (-ww), no output (-z).
groff -man -Tutf8 -ww -z "$page" 2> "$work/groff.err" || fail "groff failed"
[[ ! -s $work/groff.err ]] || { cat "$work/groff.err" >&2; fail "groff warnings"; }

# man-db as a reader runs it: fixed width, plain text, all warnings shown.
export MANWIDTH=80 LC_ALL=C.UTF-8 MANPAGER=cat PAGER=cat
unset MAN_KEEP_FORMATTING MANOPT
man --warnings=all -E UTF-8 -l "$page" > "$work/page.txt" 2> "$work/man.err" ||
  { cat "$work/man.err" >&2; fail "man -l failed"; }
[[ ! -s $work/man.err ]] || { cat "$work/man.err" >&2; fail "man warnings"; }
grep -q '^NAME' "$work/page.txt" || fail "no NAME section in the rendered page"
for section in SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' ENVIRONMENT \
               EXAMPLES 'SEE ALSO'; do
  grep -q "^$section\$" "$work/page.txt" || fail "no $section section"
done
grep -q 'xz(1)' "$work/page.txt" || fail "SEE ALSO does not name xz(1)"

"$parxz" --help > "$work/help.txt" || fail "parxz --help failed"
python3 - "$work/help.txt" "$work/page.txt" <<'PY'
import re, sys
help_text = open(sys.argv[1], encoding="utf-8").read()
# man renders hyphens in running text as U+2010 where groff may break lines;
# options are set with \- (ASCII), but compare hyphen-blind to be safe.
page = open(sys.argv[2], encoding="utf-8").read().replace("\u2010", "-")
page_tokens = set(re.findall(r"(?<![\w-])-{1,2}[\w-]*\w", page))
opts = set(re.findall(r"(?<![\w-])--[a-z0-9][a-z0-9-]*", help_text))
opts |= set(re.findall(r"(?<![\w-])-[A-Za-z0-9](?![\w-])", help_text))
subopts = set(re.findall(r"(?<![\w=-])([a-z]+)=", help_text))
missing = sorted(o for o in opts if o not in page_tokens)
missing += sorted(s + "=" for s in subopts
                  if not re.search(r"(?<![\w-])" + s + "=", page))
if len(opts) < 30:
    sys.exit(f"FAIL: only {len(opts)} options found in parxz --help")
if missing:
    sys.exit("FAIL: not in tools/parxz.1: " + " ".join(missing))
print(f"man page test: OK ({len(opts)} options, {len(subopts)} sub-options)")
PY
