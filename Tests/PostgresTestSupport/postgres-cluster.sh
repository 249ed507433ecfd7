#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for mclog's tests (used by .ci/run and, when MCLOG_TEST_POSTGRES_URL is unset, by
# the tests themselves through TestPostgres.swift).
#
#   postgres-cluster.sh start DIR [WATCH_PID]   initdb in DIR, start a server on 127.0.0.1 (a free port) with its
#                                               unix socket in DIR, print its URL; with WATCH_PID, stop and delete
#                                               the cluster once that process is gone
#   postgres-cluster.sh stop DIR                stop the server and delete DIR
#
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user (runuser). Exit status 3:
# PostgreSQL is not installed.
set -euo pipefail
cmd=${1:?usage: postgres-cluster.sh start|stop DIR [WATCH_PID]}
dir=${2:?usage: postgres-cluster.sh start|stop DIR [WATCH_PID]}

bin=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) ; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bin=$d; break; fi
done
if [ -z "$bin" ] && command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    bin=$(dirname "$(command -v initdb)")
fi
if [ -z "$bin" ]; then
    echo "PostgreSQL is not installed (no initdb/pg_ctl in /usr/lib/postgresql/*/bin or PATH): apt-get install postgresql" >&2
    exit 3
fi

self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
root=false
[ "$(id -u)" = 0 ] && root=true
as_owner() { if $root; then runuser -u postgres -- "$@"; else "$@"; fi; }

case $cmd in
start)
    mkdir -p "$dir"
    $root && chown postgres: "$dir"
    if ! as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        exit 1
    fi
    # pg_ctl -l needs a log file the server's user can write.
    : >"$dir/server.log"
    $root && chown postgres: "$dir/server.log" "$dir/initdb.log"
    started=false
    for _ in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 40000))
        # fsync off: the cluster is thrown away; durability of the tests' data does not matter.
        if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c fsync=off -c max_connections=200" \
            start >/dev/null 2>&1; then
            started=true
            break
        fi
    done
    if ! $started; then
        echo "could not start PostgreSQL; its log:" >&2
        cat "$dir/server.log" >&2
        exit 1
    fi
    if [ -n "${3:-}" ]; then
        watched=$3
        nohup bash -c "while kill -0 $watched 2>/dev/null; do sleep 1; done; '$self' stop '$dir'" </dev/null >/dev/null 2>&1 &
    fi
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    if [ -d "$dir/data" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: postgres-cluster.sh start|stop DIR [WATCH_PID]" >&2
    exit 2
    ;;
esac
