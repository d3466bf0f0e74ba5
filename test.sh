#!/usr/bin/env bash
# The one command that runs every test. Installs what the tests need, builds, runs all test
# projects, and prints one summary line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")"

# Everything the tests need is installed here, never assumed (CI starts from a clean clone).
if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required (dotnet not on PATH)." >&2
  exit 1
fi

# etcdctl (3.4, Debian's etcd-client) for the tests that run it against real servers; they are reported
# skipped where it is missing and this is not root.
if ! command -v etcdctl >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq etcd-client >/dev/null \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq etcd-client >/dev/null; } \
    || echo "Could not install etcd-client; the etcdctl tests will be skipped." >&2
fi

# kubectl 1.20 (Debian's kubernetes-client) for the tests that drive the oldest client the API serves. It is
# extracted, not installed: the package clashes with the machine's own kubectl. Skipped (saying so) where missing.
if [ ! -x .tools/kubectl-1.20/usr/bin/kubectl ] && command -v apt-get >/dev/null 2>&1; then
  mkdir -p .tools/kubectl-1.20
  ( download=$(mktemp -d) && cd "$download" \
    && { apt-get download kubernetes-client >/dev/null 2>&1 \
         || { apt-get update -qq >/dev/null 2>&1 && apt-get download kubernetes-client >/dev/null 2>&1; }; } \
    && dpkg-deb -x kubernetes-client_*.deb "$OLDPWD/.tools/kubectl-1.20" && rm -rf "$download" ) \
    || echo "Could not extract kubectl 1.20; its tests will be skipped." >&2
fi

configuration="${CONFIGURATION:-Release}"
dotnet build StateStore.sln -c "$configuration" -warnaserror -nologo -v quiet

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# A hung test fails the run (with a dump) instead of hanging CI.
dotnet test StateStore.sln -c "$configuration" --no-build -nologo \
  --blame-hang-timeout 10m "$@" 2>&1 | tee "$log" || status=$?

# dotnet test prints one "Passed!/Failed!  - Failed: F, Passed: P, Skipped: S, ..." line per test assembly.
read -r passed failed skipped < <(grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Failed: *([0-9]+), *Passed: *([0-9]+), *Skipped: *([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
  exit 1
fi
if [ "$passed" -eq 0 ]; then
  echo "No test ran." >&2
  exit 1
fi
