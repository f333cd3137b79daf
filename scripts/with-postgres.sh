#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server on loopback, then stop and remove it.
#   scripts/with-postgres.sh .venv/bin/python -m pytest -q
# The command sees BOARDSNAP_TEST_PG=postgresql://boardsnap@127.0.0.1:PORT/postgres (a superuser
# that may create one database per test). The cluster lives in a temporary folder, listens on
# 127.0.0.1 and a free port only (and on a Unix socket in that folder), trusts local
# connections, and is deleted afterwards. As root it runs as the `postgres` user (PostgreSQL
# refuses to run as root). Needs the Debian package `postgresql` (scripts/system-deps.sh).
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "with-postgres: no 'postgres' user" >&2; exit 1; }
  as_owner=(runuser -u postgres --)
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/boardsnap-pg.XXXXXX")
chmod 755 "$workdir"
[ ${#as_owner[@]} -gt 0 ] && chown postgres "$workdir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap stop EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$workdir/data" -U boardsnap --auth=trust \
  --encoding=UTF8 --locale=C.UTF-8 >"$workdir/initdb.log" 2>&1 \
  || { cat "$workdir/initdb.log" >&2; exit 1; }
"${as_owner[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c fsync=off" start >/dev/null \
  || { cat "$workdir/server.log" >&2; exit 1; }

export BOARDSNAP_TEST_PG="postgresql://boardsnap@127.0.0.1:$port/postgres"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
set +e
"$@"
status=$?
set -e
exit $status
