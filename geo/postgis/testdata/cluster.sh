#!/usr/bin/env bash
# A throwaway PostgreSQL cluster with PostGIS for the geo/postgis tests
# (and end-to-end runs of plancheck against a database source).
#
#   eval "$(bash geo/postgis/testdata/cluster.sh start)"   # prints export lines
#   bash geo/postgis/testdata/cluster.sh stop "$PLANCHECK_PG_DIR"
#
# start creates a cluster in a new temporary directory, listening on
# 127.0.0.1 only (no other address) on the first free port from
# ${PLANCHECK_PG_PORT:-54329}, with password (SCRAM) authentication over
# TCP, a login role "plan" that is not a superuser, and a database "gis"
# owned by it with the postgis extension. It prints
#
#   export PLANCHECK_TEST_POSTGRES=postgresql://plan@127.0.0.1:PORT/gis
#   export PGPASSWORD=…                 (random, made for this cluster)
#   export PLANCHECK_PG_DIR=/tmp/…       (what stop takes)
#
# The password is never in the URL: the code under test gets it from
# PGPASSWORD, as a user's manifest would. The Unix socket is in the
# cluster's own directory (mode 0700), where only its owner reaches it.
# Run as root (as .ci/run is), the cluster belongs to the postgres user
# (initdb refuses root); otherwise to the user running this.
# Needs Debian's postgresql and postgresql-NN-postgis-3 packages.
set -euo pipefail

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

bindir() { # the newest installed server that has PostGIS
  local d v
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    v=$(basename "$(dirname "$d")")
    if [ -f "/usr/share/postgresql/$v/extension/postgis.control" ]; then
      echo "$d"; return 0
    fi
  done
  echo "cluster.sh: no PostgreSQL server with PostGIS under /usr/lib/postgresql (apt-get install postgresql postgresql-15-postgis-3)" >&2
  return 1
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local bin dir port pw
  bin=$(bindir)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/plancheck-pg.XXXXXX")
  chmod 0755 "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
  port=${PLANCHECK_PG_PORT:-54329}
  while ! port_free "$port"; do
    port=$((port + 1))
    if [ "$port" -gt "$(( ${PLANCHECK_PG_PORT:-54329} + 50 ))" ]; then
      echo "cluster.sh: no free port from ${PLANCHECK_PG_PORT:-54329}" >&2; return 1
    fi
  done
  pw=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (umask 077 && printf '%s\n' "$pw" >"$dir/pw") # for initdb; removed right after
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir/pw"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pw" \
    --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  rm -f "$dir/pw"
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir/data -c fsync=off" start >/dev/null \
    || { cat "$dir/server.log" >&2; return 1; }
  local psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/data" -p "$port" -U postgres)
  as_owner "${psql[@]}" -d postgres >/dev/null <<SQL
CREATE ROLE plan LOGIN PASSWORD '$pw';
CREATE DATABASE gis OWNER plan;
SQL
  as_owner "${psql[@]}" -d gis -c 'CREATE EXTENSION postgis' >/dev/null
  echo "export PLANCHECK_TEST_POSTGRES=postgresql://plan@127.0.0.1:$port/gis"
  echo "export PGPASSWORD=$pw"
  echo "export PLANCHECK_PG_DIR=$dir"
}

stop() {
  local dir=${1:-${PLANCHECK_PG_DIR:-}} bin
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
    echo "cluster.sh stop: give the directory start printed (PLANCHECK_PG_DIR)" >&2; return 1
  fi
  case "$dir" in */plancheck-pg.*) ;; *) echo "cluster.sh stop: $dir is not a cluster.sh directory" >&2; return 1 ;; esac
  bin=$(bindir)
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
stop) stop "${2:-}" ;;
*) echo "usage: cluster.sh start | stop DIR" >&2; exit 2 ;;
esac
