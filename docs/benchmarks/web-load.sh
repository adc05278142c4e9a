#!/bin/sh
# Page-cache load test: one sample-app JVM, three endpoints in one run (wrk, sequential, same settings).
#   /pages/report       @CachePage(60): served from the local-memory page cache
#   /pages/report-live  the same view with @NeverCache: rendered each time (about 5 ms of work)
#   /pages/ping         a trivial @ResponseBody controller
# The three are interleaved for ROUNDS rounds (the machine is shared; interleaving spreads other load evenly).
# Usage: docs/benchmarks/web-load.sh [port] [duration] [rounds]
set -e
PORT=${1:-18080}
DURATION=${2:-10s}
ROUNDS=${3:-3}
JAR=cache-spring-boot-sample/target/cache-spring-boot-sample-0.1.0-SNAPSHOT.jar
java -Xmx512m -jar "$JAR" --server.port="$PORT" --logging.level.root=WARN > /tmp/web-load-app.log 2>&1 &
APP=$!
trap 'kill $APP' EXIT
for i in $(seq 1 120); do
	curl -fs "http://127.0.0.1:$PORT/pages/ping" > /dev/null && break
	sleep 1
done
for path in /pages/report /pages/report-live /pages/ping; do
	wrk -t2 -c16 -d5s "http://127.0.0.1:$PORT$path" > /dev/null   # warm-up (JIT, first render)
done
for round in $(seq 1 "$ROUNDS"); do
	for path in /pages/report /pages/report-live /pages/ping; do
		echo "== round $round $path"
		wrk -t2 -c16 -d"$DURATION" --latency "http://127.0.0.1:$PORT$path"
	done
done
