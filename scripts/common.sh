#!/usr/bin/env bash
# Shared helpers of ./scripts/run and ./scripts/test.
# Everything the project needs is installed from here: Debian packages, Odoo 19
# (found or provisioned, see scripts/provision_odoo.py), a project virtualenv in
# .local/venv holding every Python package, and a PostgreSQL cluster kept in
# .local/ inside the checkout. Nothing is installed into the system interpreter.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$REPO/.local"
BASE_PY="${PYTHON:-python3}"
VENV="$LOCAL/venv"
PY="$VENV/bin/python"
PGPORT="${METER_PGPORT:-55432}"
PGRUN="$LOCAL/pg/run"
PGDATA="$LOCAL/pg/data"
DB_USER="${METER_DB_USER:-odoo}"

say() { printf '\n==> %s\n' "$*"; }
warn() { printf '\n!!! %s\n' "$*" >&2; }
die() { warn "$*"; exit 1; }

# Phase timings, printed at the end by phase_report.
PHASES=()
PHASE_NAME=""
PHASE_T0=0
phase() {
    phase_end
    PHASE_NAME="$1"; PHASE_T0=$SECONDS
    say "phase: $1"
}
phase_end() {
    if [ -n "$PHASE_NAME" ]; then
        PHASES+=("$(printf '%-34s %5d s' "$PHASE_NAME" $((SECONDS - PHASE_T0)))")
        PHASE_NAME=""
    fi
}
phase_report() {
    phase_end
    echo
    echo "time per phase:"
    printf '  %s\n' "${PHASES[@]}"
    printf '  %-34s %5d s\n' "total" "$SECONDS"
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        warn "need root for: $*"; return 1; fi
}

APT_UPDATED=0
apt_install() {
    if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "$@" >/dev/null
}

# Debian packages: a PostgreSQL server, Chromium for browser tours, libmagic,
# wkhtmltopdf for PDF reports, libfaketime for `./scripts/test --today`.
ensure_apt() {
    local missing=()
    command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 \
        || missing+=(postgresql)
    command -v chromium >/dev/null || missing+=(chromium)
    [ -e /usr/lib/x86_64-linux-gnu/libmagic.so.1 ] || [ -e /usr/lib/aarch64-linux-gnu/libmagic.so.1 ] \
        || missing+=(libmagic1)
    command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
    command -v faketime >/dev/null || missing+=(faketime)
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing Debian packages: ${missing[*]}"
        apt_install "${missing[@]}" || die "could not install the Debian packages ${missing[*]}; install them (apt-get install ${missing[*]}) and run the command again"
    fi
}

# This checkout's meterkit comes first, whatever editable install another
# checkout of the project left in an interpreter.
export PYTHONPATH="$REPO/lib/meterkit${PYTHONPATH:+:$PYTHONPATH}"

# Odoo 19.0: importable, ODOO_SRC, ODOO_ARCHIVE or Odoo's official download.
provision_odoo() {
    local out
    mkdir -p "$LOCAL"
    out="$("$BASE_PY" "$REPO/scripts/provision_odoo.py" "$LOCAL")" || return 1
    ODOO_ROOT="$(echo "$out" | sed -n 's/^ODOO_ROOT=//p')"
    ODOO_VERSION="$(echo "$out" | sed -n 's/^ODOO_VERSION=//p')"
    ODOO_FROM="$(echo "$out" | sed -n 's/^ODOO_FROM=//p')"
    case "$ODOO_VERSION" in
        19.0*) ;;
        *) warn "the provisioned Odoo at $ODOO_ROOT says it is $ODOO_VERSION, not 19.0"; return 1 ;;
    esac
    # The git layout has addons/ beside odoo/; Odoo's sdist archives keep them in odoo/addons.
    if [ -d "$ODOO_ROOT/addons" ]; then ODOO_ADDONS="$ODOO_ROOT/addons"; else
        ODOO_ADDONS="$ODOO_ROOT/odoo/addons"; fi
    echo "Odoo $ODOO_VERSION from $ODOO_FROM: $ODOO_ROOT"
}

venv_help() {
    cat >&2 <<TXT
!!! $BASE_PY cannot create a virtualenv (its venv module or ensurepip is missing).
    On Debian/Ubuntu: apt-get install python3-venv (or python3.X-venv for your version),
    or set PYTHON=/path/to/python3.10+ with a working venv module, then run the command again.
TXT
}

# The project virtualenv .local/venv, made by the base interpreter's venv module.
ensure_venv() {
    local base_id
    "$BASE_PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null \
        || die "$BASE_PY is missing or older than Python 3.10 (Odoo 19 needs 3.10+); set PYTHON to a newer interpreter"
    base_id="$("$BASE_PY" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    if [ -x "$PY" ] && [ "$(cat "$VENV/.meter-base" 2>/dev/null)" = "$base_id" ] \
        && "$PY" -c 'import pip' 2>/dev/null; then
        return 0
    fi
    say "creating the project virtualenv $VENV ($base_id)"
    rm -rf "$VENV"
    if ! "$BASE_PY" -m venv "$VENV" >/dev/null 2>&1; then
        rm -rf "$VENV"
        if [ "$BASE_PY" = python3 ] || [ "$BASE_PY" = /usr/bin/python3 ]; then
            local ver; ver="$("$BASE_PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
            say "installing Debian's python3-venv"
            apt_install python3-venv "python$ver-venv" 2>/dev/null || apt_install python3-venv 2>/dev/null || true
            "$BASE_PY" -m venv "$VENV" >/dev/null 2>&1 || { rm -rf "$VENV"; venv_help; exit 1; }
        else
            venv_help; exit 1
        fi
    fi
    echo "$base_id" > "$VENV/.meter-base"
}

pip_install() {
    "$PY" -m pip install -q --disable-pip-version-check "$@"
}

# Odoo's requirements (psycopg2 as the binary wheel, no LDAP), the project's,
# the test tools, meterkit editable and Odoo itself (a .pth file) into the venv.
# A stamp of the inputs skips pip when nothing changed; a failed pip leaves no
# stamp, so the next run simply tries again.
ensure_python_packages() {
    local req="$LOCAL/odoo-requirements.txt" stamp site
    grep -vE '^(psycopg2|python-ldap|pypiwin32|rl-renderPM)' "$ODOO_ROOT/requirements.txt" > "$req"
    echo 'psycopg2-binary>=2.9.5' >> "$req"
    stamp="$(cat "$req" "$REPO/requirements.txt" "$REPO/requirements-test.txt" \
        "$REPO/lib/meterkit/pyproject.toml" | sha256sum | cut -c1-16)"
    site="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    echo "$ODOO_ROOT" > "$site/meter-suite-odoo.pth"
    if [ -f "$VENV/.meter-req-$stamp" ]; then return 0; fi
    say "installing Python packages into $VENV"
    rm -f "$VENV"/.meter-req-*
    pip_install --upgrade pip setuptools wheel
    pip_install -r "$req"
    pip_install -r "$REPO/requirements.txt" -r "$REPO/requirements-test.txt"
    pip_install --no-deps -e "$REPO/lib/meterkit"
    "$PY" -c 'import odoo.release, psycopg2, meterkit' \
        || die "the virtualenv $VENV cannot import odoo, psycopg2 and meterkit; delete it and run the command again"
    touch "$VENV/.meter-req-$stamp"
}

# Everything Python: Odoo 19 and the project virtualenv.
setup_python() {
    phase "provision Odoo 19"
    provision_odoo || exit 1
    phase "virtualenv and Python packages"
    ensure_venv
    ensure_python_packages
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
    "$BASE_PY" - "$1" <<'PY'
import socket, sys
with socket.socket() as s:
    sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
PY
}

# The first free port from $1 on.
free_port() {
    local port="$1"
    while port_busy "$port"; do port=$((port + 1)); done
    echo "$port"
}

# A cluster inside the checkout on 127.0.0.1:$PGPORT, unless METER_DB_HOST is set.
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
        rm -rf "$PGDATA"
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
max_connections = 200
CONF
    fi
    if ! as_pg "$bin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        # Another server (e.g. another checkout's cluster) may hold the port.
        local port; port="$(free_port "$PGPORT")"
        [ "$port" != "$PGPORT" ] && warn "port $PGPORT is taken, using $port for PostgreSQL"
        PGPORT="$port"
        sed -i "s/^port = .*/port = $PGPORT/" "$PGDATA/postgresql.conf"
        sed -i "s/^max_connections = .*/max_connections = 200/" "$PGDATA/postgresql.conf"
        say "starting PostgreSQL on 127.0.0.1:$PGPORT"
        as_pg "$bin/pg_ctl" -D "$PGDATA" -l "$PGDATA/../server.log" -w start >/dev/null \
            || die "PostgreSQL did not start; see $PGDATA/../server.log"
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
    sed -e "s#@ODOO_ADDONS@#$ODOO_ADDONS#g" -e "s#@REPO@#$REPO#g" -e "s#@DB_HOST@#$DB_HOST#g" \
        -e "s#@DB_PORT@#$PGPORT#g" -e "s#@DB_USER@#$DB_USER#g" -e "s#@DATA_DIR@#$LOCAL/data#g" \
        "$REPO/odoo.conf" > "$LOCAL/odoo.conf"
    ODOO_CONF="$LOCAL/odoo.conf"
}

odoo_bin() {
    "$PY" "$ODOO_ROOT/odoo-bin" -c "$ODOO_CONF" "$@"
}

psql_pg() {
    local bin; bin="$(pg_bin)"
    as_pg "$bin/psql" -h "$DB_HOST" -p "$PGPORT" -U postgres "$@"
}

drop_db() {
    local bin; bin="$(pg_bin)"
    as_pg "$bin/dropdb" -h "$DB_HOST" -p "$PGPORT" -U postgres --if-exists --force "$1" 2>/dev/null || true
}

db_exists() {
    psql_pg -tAc "SELECT 1 FROM pg_database WHERE datname='$1'" postgres | grep -q 1
}

ADDONS="$(cd "$REPO/addons" && ls -d meter_*/ 2>/dev/null | tr -d / | paste -sd, -)"
