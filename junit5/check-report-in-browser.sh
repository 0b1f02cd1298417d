#!/usr/bin/env bash
# Opens a jdbc-guard findings report in a real headless browser (Chromium from Debian's packages) and
# checks what its script rendered: one table per rule, a row per place with its level, table and fix.
#
#   junit5/check-report-in-browser.sh [report.html]
#
# Without an argument it runs the junit5 module's tests first (they write a report of the sample tests
# into junit5/target/browser-check/) and checks that one.
set -euo pipefail
cd "$(dirname "$0")/.."
html="${1:-}"
if [ -z "$html" ]; then
  dir="$PWD/junit5/target/browser-check"
  rm -rf "$dir"
  mvn -B -q -ntp verify -pl junit5 -am -Dtest=JdbcGuardExtensionTest -Dsurefire.failIfNoSpecifiedTests=false \
      -Djdbcguard.report.dir="$dir" >/dev/null
  html="$dir/jdbc-guard-report.html"
fi
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "installing chromium (Debian package)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  browser="$(command -v chromium)"
fi
dom="$("$browser" --headless --no-sandbox --disable-gpu --dump-dom "file://$(realpath "$html")" 2>/dev/null)"
fail() { echo "report check FAILED: $1" >&2; exit 1; }
grep -q '<table class="rule" data-rule="check-then-insert">' <<<"$dom" || fail "no check-then-insert table rendered"
grep -q '<th>check site</th>' <<<"$dom" || fail "no column headings"
grep -q '<tr class="ERROR"><td class="level">ERROR</td><td class="table">jx_' <<<"$dom" || fail "no ERROR row for a sample table"
grep -q '<td class="fix"[^>]*>add a UNIQUE index on (email)' <<<"$dom" || fail "no fix text"
grep -q 'place(s) with findings' <<<"$dom" || fail "no summary"
rows=$(grep -o '<tr class="\(ERROR\|WARN\|INFO\)"' <<<"$dom" | wc -l)
echo "report OK in $("$browser" --version 2>/dev/null | head -1): $rows row(s) rendered from $html"
