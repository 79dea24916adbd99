# Test cases for the scripts that tools/test.sh runs outside Bazel (they
# call Bazel themselves): tests/cmake and tests/pip. Sourced, not run.
#
#   source tests/script_cases.sh
#   cases_init SUITE_NAME "$@"          # parses [--junit FILE]
#   case_ NAME COMMAND...               # runs it; log in $work/NAME.log
#   case_skip NAME WHY                  # counted as skipped
#   case_result NAME pass|fail|skip TEXT  # records an outcome found otherwise
#   cases_finish                        # prints 'N passed, N failed[, N skipped]',
#                                       # writes the JUnit file, returns 1 on a failure
# $work is a fresh directory removed on exit.

cases_init() {
  suite=$1
  shift
  junit=
  if [[ ${1:-} == --junit && $# -eq 2 ]]; then
    junit=$2
  elif [[ $# -ne 0 ]]; then
    echo "usage: $0 [--junit FILE]" >&2
    exit 2
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  names=() results=() messages=()
}

case_result() {
  names+=("$1") results+=("$2") messages+=("$3")
  echo "${2^^}: $1"
  if [[ $2 == fail && -n $3 ]]; then
    printf '%s\n' "$3" | sed "s/^/  $1: /" >&2
  fi
}

# case_ NAME COMMAND...: runs COMMAND, output in $work/NAME.log; a failure
# prints the log's tail.
case_() {
  local name=$1
  shift
  if "$@" > "$work/$name.log" 2>&1; then
    case_result "$name" pass ""
  else
    case_result "$name" fail "$(tail -20 "$work/$name.log")"
  fi
}

case_skip() { case_result "$1" skip "$2"; }

cases_finish() {
  local passed=0 failed=0 skipped=0 r
  for r in "${results[@]}"; do
    case $r in
      pass) ((++passed)) ;;
      fail) ((++failed)) ;;
      *) ((++skipped)) ;;
    esac
  done
  if [[ -n $junit ]]; then
    mkdir -p "$(dirname "$junit")"
    python3 - "$junit" "$suite" "${#names[@]}" "${names[@]}" "${results[@]}" \
        "${messages[@]}" <<'PY'
import sys
import xml.etree.ElementTree as ET
path, suite_name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
names, results, messages = (sys.argv[4:4 + n], sys.argv[4 + n:4 + 2 * n],
                            sys.argv[4 + 2 * n:4 + 3 * n])
suites = ET.Element("testsuites")
suite = ET.SubElement(suites, "testsuite", name=suite_name, tests=str(n),
                      failures=str(results.count("fail")),
                      skipped=str(results.count("skip")))
for name, result, message in zip(names, results, messages):
    case = ET.SubElement(suite, "testcase", name=name, classname=suite_name)
    if result == "fail":
        ET.SubElement(case, "failure", message=name).text = message
    elif result == "skip":
        ET.SubElement(case, "skipped", message=message)
ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
PY
  fi
  echo "$passed passed, $failed failed, $skipped skipped"
  ((failed == 0))
}
