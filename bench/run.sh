#!/usr/bin/env bash
# Runs every benchmark (JMH on the stub driver, end-to-end on embedded MariaDB, memory, start-up) and
# rewrites BENCHMARKS.md at the repository root. 'bench/run.sh quick' is a short smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-full}"
# The application-flows stage forks it-jpa's FlowsBench: build it and write its class path first.
mvn -B -q -ntp -DskipTests install -pl it-jpa -am
mkdir -p bench/target
mvn -B -q -ntp dependency:build-classpath -pl it-jpa -Dmdep.outputFile="$PWD/bench/target/it-jpa.cp"
exec mvn -B -q -ntp -Pbench -DskipTests -Dbench.args="$mode" verify -pl bench -am
