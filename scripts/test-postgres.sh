#!/usr/bin/env bash
# Throw-away PostgreSQL (>= 15) server for tests and CI.
#
#   scripts/test-postgres.sh start [PORT]   # prints postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/test-postgres.sh stop  [PORT]   # stops it and deletes its data
#
# Listens on 127.0.0.1:PORT only (default 55432), trust auth, superuser "postgres",
# data (and unix socket) in ${TMPDIR:-/tmp}/bounded-pg-PORT. Durability is switched
# off for speed: never put data you care about in it.
set -euo pipefail

cmd=${1:-}
PORT=${2:-55432}
DATA="${TMPDIR:-/tmp}/bounded-pg-$PORT"
PG_USER=bounded-pg
URL="postgres://postgres@127.0.0.1:$PORT/postgres"

# The URL is the only thing on stdout (callers do URL=$(... start)); all else goes to stderr.
exec 3>&1 1>&2
cd /   # any cwd works, and the postgres user may not be able to read the caller's

[[ $cmd == start || $cmd == stop ]] || { echo "usage: $0 start|stop [PORT]"; exit 2; }
[[ $PORT =~ ^[0-9]+$ ]] || { echo "bad port: $PORT"; exit 2; }

# Highest installed PostgreSQL >= 15 (Debian layout: /usr/lib/postgresql/<major>/bin).
find_pgbin() {
  local d v best=''
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x $d/initdb && -x $d/pg_ctl ]] || continue
    v=${d#/usr/lib/postgresql/}; v=${v%%/*}
    [[ ${v%%.*} =~ ^[0-9]+$ ]] && (( ${v%%.*} >= 15 )) || continue
    best=$(printf '%s\n%s\n' "$best" "$v" | sed '/^$/d' | sort -V | tail -n1)
  done
  [[ -n $best ]] && echo "/usr/lib/postgresql/$best/bin"
}

# PostgreSQL refuses to run as root: as root, run its tools as a dedicated system user.
# fd 3 (our real stdout) is closed for them: a server holding it open would make
# URL=$(... start) wait forever.
as_pg() {
  if (( EUID == 0 )); then runuser -u "$PG_USER" -- "$@" 3>&-; else "$@" 3>&-; fi
}

# A postmaster killed with -9 stays a zombie where PID 1 reaps nothing (some containers):
# pg_ctl would still call that "running", so rule zombies out first.
running() {
  local pid
  pid=$(head -n1 "$DATA/postmaster.pid" 2>/dev/null) || return 1
  [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] &&
    as_pg "$PGBIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

PGBIN=$(find_pgbin || true)

if [[ $cmd == stop ]]; then
  if [[ -n $PGBIN ]] && running; then
    as_pg "$PGBIN/pg_ctl" stop -D "$DATA" -m fast -w
  fi
  rm -rf "$DATA"
  echo "PostgreSQL on port $PORT stopped, $DATA removed"
  exit 0
fi

# ---- start ----
if [[ -z $PGBIN ]]; then
  echo "PostgreSQL >= 15 not found, installing it with apt-get"
  (( EUID == 0 )) || { echo "not root: install the 'postgresql' package first"; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q postgresql
  # The Debian package may create and start a "main" cluster on 5432. We never use it:
  # stop it so it holds no port or memory (ignore any failure, it is not ours).
  if command -v pg_lsclusters >/dev/null; then
    pg_lsclusters -h 2>/dev/null | while read -r ver name _port status _rest; do
      [[ $status == online* ]] && { pg_ctlcluster "$ver" "$name" stop || true; }
    done || true
  fi
  PGBIN=$(find_pgbin) || { echo "PostgreSQL >= 15 still not found after install"; exit 1; }
fi

if (( EUID == 0 )) && ! id "$PG_USER" >/dev/null 2>&1; then
  # "|| id": another run may have created it at the same moment
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$PG_USER" || id "$PG_USER" >/dev/null
fi

if running; then
  echo "PostgreSQL already running on port $PORT ($DATA)"
else
  # A leftover folder (crash, reboot, failed init) is throw-away too: start clean.
  rm -rf "$DATA"
  mkdir -m 700 "$DATA"
  (( EUID == 0 )) && chown "$PG_USER:" "$DATA"
  as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C \
    --no-instructions >"$DATA.initdb.log" 2>&1 \
    || { cat "$DATA.initdb.log"; rm -f "$DATA.initdb.log"; exit 1; }
  rm -f "$DATA.initdb.log"
  cat >>"$DATA/postgresql.conf" <<CONF

# --- bounded test server (scripts/test-postgres.sh) ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  echo "starting PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT ($DATA)"
  as_pg "$PGBIN/pg_ctl" start -D "$DATA" -l "$DATA/server.log" -w -t 60 \
    || { tail -n 30 "$DATA/server.log" || true; exit 1; }
fi

for _ in $(seq 1 60); do
  "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres && { echo "$URL" >&3; exit 0; }
  sleep 0.5
done
echo "PostgreSQL on port $PORT did not become ready; log: $DATA/server.log"
exit 1
