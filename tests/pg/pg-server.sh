#!/usr/bin/env bash
# One PostgreSQL 15 server for a ctest run (fixture "pg"): initdb into a temp dir, started on a
# free loopback port with its unix socket in the same temp dir. Each test makes its own database.
#   pg-server.sh start STATE_DIR   writes STATE_DIR/dsn (libpq key=value) and STATE_DIR/dir
#   pg-server.sh stop STATE_DIR    stops the server and removes its files
# initdb refuses to run as root: as root (CI) the server runs as the `postgres` user of the
# postgresql-15 package. fsync is off: the tests kill gateways, never the database server.
set -euo pipefail
cmd=${1:?start|stop}
state=${2:?state dir}
BIN=${EDUGATE_PG_BIN:-/usr/lib/postgresql/15/bin}
run=()
if [ "$(id -u)" -eq 0 ]; then run=(runuser -u postgres --); fi

stop_server() {
  if [ -f "$state/dir" ]; then
    local dir
    dir=$(cat "$state/dir")
    if [ -d "$dir/data" ]; then "${run[@]}" "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    rm -f "$state/dir" "$state/dsn"
  fi
}

case "$cmd" in
  start)
    [ -x "$BIN/initdb" ] || { echo "pg-server: $BIN/initdb not found (apt-get install postgresql-15)" >&2; exit 1; }
    mkdir -p "$state"
    stop_server  # a server left over by an interrupted run
    dir=$(mktemp -d /tmp/edugate-pg.XXXXXX)
    chmod 700 "$dir"
    if [ ${#run[@]} -gt 0 ]; then chown postgres "$dir"; fi
    echo "$dir" > "$state/dir"
    "${run[@]}" "$BIN/initdb" -D "$dir/data" -A trust -U postgres --encoding=UTF8 --locale=C -N >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${run[@]}" "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500 -c shared_buffers=64MB" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "host=$dir port=$port user=postgres" > "$state/dsn"
    echo "pg-server: PostgreSQL 15 on 127.0.0.1:$port, socket in $dir"
    ;;
  stop)
    stop_server
    echo "pg-server: stopped"
    ;;
  *)
    echo "usage: $0 start|stop STATE_DIR" >&2
    exit 2
    ;;
esac
