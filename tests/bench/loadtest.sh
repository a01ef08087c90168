#!/usr/bin/env bash
# Load test on loopback: gunicorn with the production settings against the benchmark
# database (the city data set of `make bench`), locust headless on the other core.
# Usage: make loadtest [USERS=50] [DURATION=60s]
# Statistics are reset once every user has logged in (--reset-stats): the figures are the
# steady mix of pages; logins (a deliberate password hash each) are ramped in first.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
USERS=${USERS:-50}
DURATION=${DURATION:-60s}
PORT=${LOAD_PORT:-8765}
export DATABASE_URL=${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/tracker_bench}
export SECRET_KEY=${SECRET_KEY:-load-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz}
export DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SECURE_COOKIES=0 AXES_ENABLED=0 LOG_LEVEL=WARNING
out=var/loadtest
mkdir -p "$out"

$PY manage.py collectstatic --noinput -v0
LOAD_EXPORT_UNIT=$($PY manage.py shell -c \
  "from accounts.models import OrgUnit; print(OrgUnit.objects.get(code='SZ-C01-01').pk)" 2>/dev/null | tail -n1)
export LOAD_EXPORT_UNIT
# gunicorn on core 0, locust on core 1
taskset -c 0 .venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" \
  --workers 3 --threads 2 --access-logfile /dev/null --error-logfile "$out/gunicorn.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done

taskset -c 1 .venv/bin/locust -f tests/bench/locustfile.py --headless -u "$USERS" -r 10 \
  --run-time "$DURATION" --host "http://127.0.0.1:$PORT" --csv "$out/stats" --only-summary \
  --stop-timeout 5 --reset-stats || true

$PY tests/bench/loadtest_report.py "$out/stats_stats.csv" "$USERS" "$DURATION"
