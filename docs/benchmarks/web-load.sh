#!/bin/sh
# Page-cache load test: one sample-app JVM, three endpoints in one run (wrk, sequential, same settings).
#   /pages/report       @CachePage(60): served from the local-memory page cache
#   /pages/report-live  the same view with @NeverCache: rendered each time (about 5 ms of work)
#   /pages/ping         a trivial @ResponseBody controller
# Usage: docs/benchmarks/web-load.sh [port] [duration]
set -e
PORT=${1:-18080}
DURATION=${2:-15s}
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
for path in /pages/report /pages/report-live /pages/ping; do
	echo "== $path"
	wrk -t2 -c16 -d"$DURATION" --latency "http://127.0.0.1:$PORT$path"
done
