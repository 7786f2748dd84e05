#!/usr/bin/env bash
# Sets up everything and runs every test CI runs. Ends with `tests: N passed, N failed, N skipped`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
# No build servers left running afterwards.
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false
ART=$PWD/artifacts; rm -rf "$ART/test-results"; mkdir -p "$ART/test-results"
export PLEXUS_ARTIFACTS=$ART
# Hundreds of test hosts each watching appsettings for changes exhaust the machine's inotify instances (128 per user,
# shared with every other process of the user); the tests never change those files.
export DOTNET_hostBuilder__reloadConfigOnChange=false
t0=$SECONDS; step() { echo "== [$((SECONDS - t0))s] $*"; }
cleanup() { scripts/pg-stop.sh || true; scripts/redis-stop.sh || true; dotnet build-server shutdown >/dev/null 2>&1 || true; }
trap cleanup EXIT

step "system packages"
scripts/install-system-deps.sh

step "dotnet tool restore + restore (locked)"
dotnet tool restore
dotnet restore Plexus.slnx --locked-mode

step "front end: npm ci, type-check + build into src/Plexus.Server/wwwroot"
scripts/web-build.sh

step "dotnet build (warnings are errors)"
dotnet build Plexus.slnx --no-restore -c Release -nologo

step "EF migrations match the model (both providers)"
for ctx in SqliteAppDbContext PostgresAppDbContext; do
  dotnet ef migrations has-pending-model-changes --no-build --configuration Release \
    --project src/Plexus.Persistence --startup-project src/Plexus.Server --context "$ctx"
done

step "services: PostgreSQL and Redis on 127.0.0.1"
eval "$(scripts/pg-start.sh)"
eval "$(scripts/redis-start.sh)"

rc=0
step "vitest (front-end state logic)"
( cd web && npx --no-install vitest run --reporter=default --reporter=junit --outputFile.junit="$ART/test-results/vitest.junit.xml" ) || rc=$?

step "dotnet test"
# One run per test project, each with its own JUnit file (a shared default name would let one overwrite the other).
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test --project "$project" --no-build -c Release --no-ansi --no-progress \
    --results-directory "$ART/test-results" --report-xunit-junit --report-xunit-junit-filename "$name.junit.xml" \
    --minimum-expected-tests 10 || rc=$?
done

step "summary"
sum() { # add up attribute $1 over every <testsuite> element of the JUnit files
  cat "$ART"/test-results/*.xml 2>/dev/null | grep -o '<testsuite [^>]*' | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' \
    | awk '{t += $1} END {print t + 0}'; }
total=$(sum tests); failed=$(( $(sum failures) + $(sum errors) )); skipped=$(sum skipped)
# CI keeps only the tail of the log: name each failed test and its message here, next to the totals.
for f in "$ART"/test-results/*.xml; do
  [ -e "$f" ] || continue
  grep -o '<testcase [^>]*name="[^"]*"[^>]*>[[:space:]]*<\(failure\|error\)[^>]*' "$f" \
    | sed -E 's/^<testcase ([^>]* )?name="([^"]*)".*<(failure|error)[^>]*message="([^"]{0,600}).*/FAILED \2: \4/; s/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&#xA;/ | /g; s/&amp;/\&/g' || true
done
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; total=$((total + 1)); fi  # runner crashed before reporting
echo "tests: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
exit $rc
