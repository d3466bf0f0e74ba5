#!/usr/bin/env bash
# Runs the same etcd-API load tests on a 3-member etcd 3.4 cluster and a 3-member StateStore cluster,
# on loopback, alternately, and prints one table (medians of ROUNDS runs, with the spread).
# Usage: bench/compare-etcd.sh [--rounds 3] [--only "put seq"]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v etcd >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server etcd-client >/dev/null
fi
dotnet build -c Release -nologo -v quiet src/StateStore.Cli
dotnet build -c Release -nologo -v quiet bench/StateStore.LoadGen
exec dotnet bench/StateStore.LoadGen/bin/Release/net10.0/loadgen.dll compare \
  --statestore src/StateStore.Cli/bin/Release/net10.0/statestore.dll "$@"
