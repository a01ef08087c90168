#!/usr/bin/env bash
# Load test on loopback: gunicorn with the production settings against the benchmark
# database (the city data set of `make bench`), locust headless beside it, adding
# human-paced users step by step until p95 passes 500 ms (tests/bench/locustfile.py).
# Usage: make loadtest [LOAD_STEPS=250,500,750,1000,1500,2000,2500] [LOAD_STEP_SECONDS=90]
#   [LOAD_WORKERS=2 × cores + 1] [LOAD_THREADS=2] (gunicorn processes, threads in each)
# The users start signed in (sessions made by loadtest_sessions.py, as after the morning's
# logins); LOAD_PASSWORD_LOGINS of them log in with their password during the test.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
export LOAD_STEPS=${LOAD_STEPS:-250,500,750,1000,1500,2000,2500}
export LOAD_STEP_SECONDS=${LOAD_STEP_SECONDS:-90}
most=${LOAD_STEPS##*,}
steps=$(( $(tr -cd ',' <<<"$LOAD_STEPS" | wc -c) + 1 ))
PORT=${LOAD_PORT:-8765}
export DATABASE_URL=${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/tracker_bench}
export SECRET_KEY=${SECRET_KEY:-load-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz}
export DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SECURE_COOKIES=0 AXES_ENABLED=0 LOG_LEVEL=WARNING
export CACHE_URL=${LOAD_CACHE_URL:-redis://127.0.0.1:6379/9}
out=var/loadtest
export LOAD_OUT=$out
mkdir -p "$out"
rm -f "$out/steps.json" "$out/sessions.json"

$PY manage.py collectstatic --noinput -v0
LOAD_EXPORT_UNIT=$($PY manage.py shell -c \
  "from accounts.models import OrgUnit; print(OrgUnit.objects.get(code='SZ-C01-01').pk)" 2>/dev/null | tail -n1)
export LOAD_EXPORT_UNIT
# nine secretaries for each office user, as the locustfile's weights
$PY tests/bench/loadtest_sessions.py "$out/sessions.json" "$most" $(( most / 10 + 1 ))

# gunicorn as deployed (config/gunicorn.py), with the usual 2 × cores + 1 workers and two
# threads each; the cache in Redis as deployed
workers=${LOAD_WORKERS:-$(( $(nproc) * 2 + 1 ))}
GUNICORN_BIND="127.0.0.1:$PORT" WEB_CONCURRENCY=$workers .venv/bin/gunicorn -c config/gunicorn.py \
  config.wsgi:application --threads ${LOAD_THREADS:-2} --access-logfile /dev/null --error-logfile "$out/gunicorn.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done

.venv/bin/locust -f tests/bench/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
  --run-time "$(( steps * LOAD_STEP_SECONDS + ${LOAD_WARMUP_SECONDS:-30} + 30 ))s" --only-summary --stop-timeout 5 \
  --csv "$out/stats" || true

$PY tests/bench/loadtest_report.py "$out/steps.json"
