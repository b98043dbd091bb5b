#!/usr/bin/env bash
# Brings a machine up to what the test suite needs, and does nothing when it is already there.
# Run by `npm test` (its `pretest` script) and by `.ci/run`, so both test the same way.
#
# - Debian packages, installed only when absent (`apt-get update` once, first):
#   kcat + librdkafka-dev + gcc (the Kafka mock cluster the adapter-kafka tests start),
#   chromium (the dashboard's browser test), PostgreSQL and Redis servers when neither a server
#   nor a reachable service is there.
# - PostgreSQL and Redis are started when installed but not running, and the `test` database is
#   created when missing.
#
# One line per thing installed or started; nothing is printed for what is already there except a
# closing "test environment ready" line. Set STOCKROOM_SKIP_SETUP=1 to skip all of it (a
# machine you manage by hand). Without root (or passwordless sudo) or apt-get, it names what is
# missing and goes on: the tests that need it skip with a reason (or fail under CI=true).
set -uo pipefail

if [[ "${STOCKROOM_SKIP_SETUP:-0}" == "1" ]]; then
  echo "test-env: STOCKROOM_SKIP_SETUP=1, leaving the machine as it is"
  exit 0
fi

say() { printf 'test-env: %s\n' "$*"; }

PG_HOST=127.0.0.1
PG_PORT=5432
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
if [[ -n "${REDIS_URL:-}" || -n "${DATABASE_URL:-}" ]]; then
  # Services named by URL are the user's: they are checked by the tests, not started here.
  external=1
else
  external=0
fi

as_root=()
if [[ "$(id -u)" != "0" ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root=(sudo -n); else as_root=(none); fi
fi
run_root() {
  if [[ "${as_root[0]:-}" == "none" ]]; then return 1; fi
  "${as_root[@]}" "$@"
}

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") >/dev/null 2>&1; }

# --- Debian packages, only when absent ------------------------------------------------------
missing=()
has_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if command -v dpkg-query >/dev/null 2>&1; then
  # Debian ships bash 5 (associative arrays); macOS's bash 3 never reaches this branch.
  declare -A why=()
  want() { missing+=("$1"); why[$1]="$2"; }
  command -v kcat >/dev/null 2>&1 || want kcat "Kafka mock cluster for the adapter-kafka tests"
  has_pkg librdkafka-dev || want librdkafka-dev "librdkafka headers for the Kafka mock cluster"
  command -v gcc >/dev/null 2>&1 || { want gcc "C compiler for the Kafka mock cluster"; want libc6-dev "C library headers"; }
  command -v chromium >/dev/null 2>&1 || want chromium "browser for the dashboard test"
  if ((external == 0)); then
    if ! tcp_open "$PG_HOST" "$PG_PORT" && ! command -v pg_ctlcluster >/dev/null 2>&1; then
      want postgresql "PostgreSQL for the store tests"
    fi
    if ! tcp_open "$REDIS_HOST" "$REDIS_PORT" && ! command -v redis-server >/dev/null 2>&1; then
      want redis-server "Redis for the cache tests"
    fi
  fi
  if ((${#missing[@]})); then
    if [[ "${as_root[0]:-}" == "none" ]] || ! command -v apt-get >/dev/null 2>&1; then
      for package in "${missing[@]}"; do
        say "missing $package (${why[$package]}); install it with: apt-get install -y $package"
      done
    else
      say "apt-get update (to install ${missing[*]})"
      run_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 ||
        say "apt-get update failed; trying the install with the lists at hand"
      for package in "${missing[@]}"; do
        if run_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null 2>&1; then
          say "installed $package (${why[$package]})"
        else
          say "could not install $package (${why[$package]}); the tests that need it skip or fail"
        fi
      done
    fi
  fi
else
  command -v kcat >/dev/null 2>&1 || say "no kcat here (not a Debian machine): install kcat and librdkafka, or set KAFKA_BROKERS"
  command -v chromium >/dev/null 2>&1 || [[ -n "${CHROMIUM_PATH:-}" ]] || say "no chromium here: install it or set CHROMIUM_PATH for the dashboard browser test"
fi

# --- services: started when installed but not running ----------------------------------------
if ((external == 0)); then
  if ! tcp_open "$PG_HOST" "$PG_PORT"; then
    if command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d /etc/postgresql ]]; then
      version=$(ls /etc/postgresql | sort -V | tail -n1)
      run_root pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
      for _ in $(seq 1 30); do tcp_open "$PG_HOST" "$PG_PORT" && break; sleep 1; done
      if tcp_open "$PG_HOST" "$PG_PORT"; then
        say "started PostgreSQL $version on $PG_HOST:$PG_PORT"
      else
        say "PostgreSQL $version did not start; the PostgreSQL tests skip or fail"
      fi
    else
      say "no PostgreSQL on $PG_HOST:$PG_PORT and none installed; the PostgreSQL tests skip or fail"
    fi
  fi
  if tcp_open "$PG_HOST" "$PG_PORT" && command -v psql >/dev/null 2>&1; then
    # Trust auth for the local `postgres` user is what the tests expect (as in CI).
    if ! psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -tAc "select 1 from pg_database where datname='test'" postgres 2>/dev/null | grep -q 1; then
      if psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -c 'create database test' postgres >/dev/null 2>&1; then
        say "created the PostgreSQL database test"
      fi
    fi
  fi
  if ! tcp_open "$REDIS_HOST" "$REDIS_PORT"; then
    if command -v redis-server >/dev/null 2>&1; then
      dir="${TMPDIR:-/tmp}/stockroom-redis"
      mkdir -p "$dir"
      redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" \
        --appendonly no --dir "$dir" --logfile "$dir/redis.log" >/dev/null 2>&1 || true
      for _ in $(seq 1 30); do tcp_open "$REDIS_HOST" "$REDIS_PORT" && break; sleep 1; done
      if tcp_open "$REDIS_HOST" "$REDIS_PORT"; then
        say "started Redis on $REDIS_HOST:$REDIS_PORT"
      else
        say "Redis did not start (log: $dir/redis.log); the Redis tests skip or fail"
      fi
    else
      say "no Redis on $REDIS_HOST:$REDIS_PORT and none installed; the Redis tests skip or fail"
    fi
  fi
fi

say "test environment ready"
exit 0
