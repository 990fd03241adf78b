#!/usr/bin/env bash
# Isolate benchmarks: spawn-to-running per isolate beside a bare posix_spawn; pause-to-serving for
# sandbox and container beside a bare freezer write. Needs root; the container rows need a Docker
# API (e.g. `podman system service --time=0 unix:///tmp/steward-podman.sock`), given as $1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./steward --version >/dev/null   # builds the project when needed
[ -d bench/target/lib ] || mvn -B -q -DskipTests -pl bench -am package
jdk="$(cut -d' ' -f1 cli/target/.jdk)"
exec "$jdk/bin/java" --enable-native-access=ALL-UNNAMED -Dsteward.root="$root" \
  -cp "bench/target/classes:bench/target/lib/*" dev.steward.agent.isolate.IsolateBench "$@"
