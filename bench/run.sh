#!/usr/bin/env bash
# Runs every benchmark (JMH on the stub driver, end-to-end on embedded MariaDB, memory, start-up) and
# rewrites BENCHMARKS.md at the repository root. 'bench/run.sh quick' is a short smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-full}"
exec mvn -B -q -ntp -Pbench -DskipTests -Dbench.args="$mode" verify -pl bench -am
