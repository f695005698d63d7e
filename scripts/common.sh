#!/usr/bin/env bash
# Shared helpers of ./scripts/run and ./scripts/test.
# Everything the project needs is installed from here: Debian packages, pip
# requirements, the editable meterkit library and a PostgreSQL cluster kept in
# .local/ inside the checkout. Odoo 19 itself is found, never built.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$REPO/.local"
PY="${PYTHON:-python3}"
PGPORT="${METER_PGPORT:-55432}"
PGRUN="$LOCAL/pg/run"
PGDATA="$LOCAL/pg/data"
DB_USER="${METER_DB_USER:-odoo}"

say() { printf '\n==> %s\n' "$*"; }
warn() { printf '\n!!! %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        warn "need root for: $*"; return 1; fi
}

# apt packages: a PostgreSQL server, Chromium for browser tours, libmagic.
ensure_apt() {
    local missing=()
    command -v pg_ctl >/dev/null || [ -x /usr/lib/postgresql/15/bin/pg_ctl ] \
        || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
    command -v chromium >/dev/null || missing+=(chromium)
    [ -e /usr/lib/x86_64-linux-gnu/libmagic.so.1 ] || [ -e /usr/lib/aarch64-linux-gnu/libmagic.so.1 ] \
        || missing+=(libmagic1)
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing Debian packages: ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# This checkout's meterkit comes first, whatever editable install another
# checkout of the project left in the interpreter.
export PYTHONPATH="$REPO/lib/meterkit${PYTHONPATH:+:$PYTHONPATH}"

pip_install() {
    "$PY" -m pip install -q --disable-pip-version-check --root-user-action=ignore "$@"
}

ensure_pip() {
    say "installing Python requirements"
    pip_install -r "$REPO/requirements.txt" "$@"
    pip_install --no-deps -e "$REPO/lib/meterkit"
}

# Odoo 19: importable as `odoo`, or a source tree named by ODOO_SRC.
find_odoo() {
    if [ -n "${ODOO_SRC:-}" ]; then
        export PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}"
    fi
    ODOO_ROOT="$("$PY" - <<'PY' 2>/dev/null || true
import os
import odoo.release
if odoo.release.version_info[:2] == (19, 0):
    print(os.path.dirname(list(odoo.__path__)[0]))
PY
)"
    [ -n "$ODOO_ROOT" ]
}

odoo_help() {
    cat >&2 <<'TXT'
!!! Odoo 19 is not importable by python3.
    Provide it in one of these ways, then run the command again:
      * ODOO_SRC=/path/to/odoo-19.0 ./scripts/run   (a checkout or the official 19.0
        source archive of Odoo Community, unpacked; its Python requirements are
        installed by this script)
      * install Odoo 19 into this python (pip install of the official 19.0 source
        archive, or a .pth file naming the source tree) so that
        `python3 -c "import odoo"` works.
TXT
}

# Odoo's own Python requirements (psycopg2 taken as the binary wheel, LDAP skipped).
ensure_odoo_requirements() {
    if "$PY" -c "import psycopg2, lxml, werkzeug, babel, PIL, reportlab, passlib, docutils" 2>/dev/null; then
        return 0
    fi
    say "installing Odoo's Python requirements"
    local req="$LOCAL/odoo-requirements.txt"
    mkdir -p "$LOCAL"
    grep -vE '^(psycopg2|python-ldap|pypiwin32|rl-renderPM)' "$ODOO_ROOT/requirements.txt" > "$req"
    echo 'psycopg2-binary>=2.9.5' >> "$req"
    pip_install -r "$req"
}

pg_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && { echo "$d"; return; }; done
    dirname "$(command -v pg_ctl)"
}

# Run a PostgreSQL command as the cluster owner (PostgreSQL refuses root).
as_pg() {
    if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

port_busy() {
    "$PY" - "$1" <<'PY'
import socket, sys
with socket.socket() as s:
    sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
PY
}

# A cluster inside the checkout on 127.0.0.1:$PGPORT, unless PGHOST is configured.
start_pg() {
    if [ -n "${METER_DB_HOST:-}" ]; then
        DB_HOST="$METER_DB_HOST"; PGPORT="${METER_PGPORT:-5432}"; return 0
    fi
    local bin; bin="$(pg_bin)"
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home "$LOCAL/pg" --shell /usr/sbin/nologin postgres
    fi
    mkdir -p "$PGRUN"
    if [ "$(id -u)" = 0 ]; then
        chown -R postgres: "$LOCAL/pg"
        if ! runuser -u postgres -- test -w "$PGRUN"; then
            # The checkout sits below a folder the postgres user cannot enter
            # (e.g. /root): keep the cluster in a folder of its own instead.
            local alt
            alt="/var/tmp/meter-suite-pg-$(echo "$REPO" | md5sum | cut -c1-8)"
            warn "$LOCAL/pg is not reachable by the postgres user; using $alt"
            PGRUN="$alt/run"; PGDATA="$alt/data"
            mkdir -p "$PGRUN"; chown -R postgres: "$alt"
        fi
    fi
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
        say "creating PostgreSQL cluster in $PGDATA"
        as_pg "$bin/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
        cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PGRUN'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
wal_buffers = 64MB
max_wal_size = 4GB
checkpoint_timeout = 30min
max_connections = 100
CONF
    fi
    if ! as_pg "$bin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        # Another server (e.g. another checkout's cluster) may hold the port.
        while port_busy "$PGPORT"; do
            warn "port $PGPORT is taken, trying $((PGPORT + 1))"
            PGPORT=$((PGPORT + 1))
        done
        sed -i "s/^port = .*/port = $PGPORT/" "$PGDATA/postgresql.conf"
        say "starting PostgreSQL on 127.0.0.1:$PGPORT"
        as_pg "$bin/pg_ctl" -D "$PGDATA" -l "$PGDATA/../server.log" -w start >/dev/null
    fi
    PGPORT="$(sed -n 's/^port = //p' "$PGDATA/postgresql.conf" | tail -1)"
    DB_HOST="$PGRUN"
    if ! as_pg "$bin/psql" -h "$PGRUN" -p "$PGPORT" -U postgres -tAc \
        "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'" postgres | grep -q 1; then
        as_pg "$bin/psql" -h "$PGRUN" -p "$PGPORT" -U postgres -qc \
            "CREATE ROLE $DB_USER LOGIN CREATEDB SUPERUSER" postgres
    fi
}

# .local/odoo.conf from the committed odoo.conf template.
write_conf() {
    mkdir -p "$LOCAL/data"
    sed -e "s#@ODOO_ROOT@#$ODOO_ROOT#g" -e "s#@REPO@#$REPO#g" -e "s#@DB_HOST@#$DB_HOST#g" \
        -e "s#@DB_PORT@#$PGPORT#g" -e "s#@DB_USER@#$DB_USER#g" -e "s#@DATA_DIR@#$LOCAL/data#g" \
        "$REPO/odoo.conf" > "$LOCAL/odoo.conf"
    ODOO_CONF="$LOCAL/odoo.conf"
}

odoo_bin() {
    "$PY" "$ODOO_ROOT/odoo-bin" -c "$ODOO_CONF" "$@"
}

drop_db() {
    local bin; bin="$(pg_bin)"
    as_pg "$bin/dropdb" -h "$DB_HOST" -p "$PGPORT" -U postgres --if-exists --force "$1" 2>/dev/null || true
}

db_exists() {
    local bin; bin="$(pg_bin)"
    as_pg "$bin/psql" -h "$DB_HOST" -p "$PGPORT" -U postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname='$1'" postgres | grep -q 1
}

ADDONS="$(cd "$REPO/addons" && ls -d meter_*/ 2>/dev/null | tr -d / | paste -sd, -)"
