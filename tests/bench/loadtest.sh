#!/usr/bin/env bash
# Load test on loopback: gunicorn with the production settings against the benchmark
# database (the city data set of `make bench`), locust headless beside it.
# Usage: make loadtest [USERS=50] [DURATION=60s] [SPAWN_RATE=2]
# Users log in as they arrive (SPAWN_RATE a second, as people do in the morning, each
# login a deliberate password hash); statistics are reset once every user is in
# (by the locustfile) and the steady mix of pages then runs for DURATION.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
USERS=${USERS:-50}
DURATION=${DURATION:-60s}
SPAWN_RATE=${SPAWN_RATE:-2}
seconds=${DURATION%s}
ramp=$(( (USERS + SPAWN_RATE - 1) / SPAWN_RATE + 5 ))
PORT=${LOAD_PORT:-8765}
export DATABASE_URL=${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/tracker_bench}
export SECRET_KEY=${SECRET_KEY:-load-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz}
export DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SECURE_COOKIES=0 AXES_ENABLED=0 LOG_LEVEL=WARNING
export CACHE_URL=${LOAD_CACHE_URL:-redis://127.0.0.1:6379/9}
out=var/loadtest
export LOAD_OUT=$out
mkdir -p "$out"
rm -f "$out/logins.json"

$PY manage.py collectstatic --noinput -v0
LOAD_EXPORT_UNIT=$($PY manage.py shell -c \
  "from accounts.models import OrgUnit; print(OrgUnit.objects.get(code='SZ-C01-01').pk)" 2>/dev/null | tail -n1)
export LOAD_EXPORT_UNIT
# gunicorn with the usual 2 × cores + 1 workers, two threads each; the cache in Redis as deployed
workers=$(( $(nproc) * 2 + 1 ))
.venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" \
  --workers "$workers" --threads 2 --access-logfile /dev/null --error-logfile "$out/gunicorn.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done

.venv/bin/locust -f tests/bench/locustfile.py --headless -u "$USERS" -r "$SPAWN_RATE" \
  --run-time "$(( seconds + ramp ))s" --host "http://127.0.0.1:$PORT" --csv "$out/stats" --only-summary \
  --stop-timeout 5 || true

$PY tests/bench/loadtest_report.py "$out/stats_stats.csv" "$USERS" "$DURATION" "$out/logins.json"
