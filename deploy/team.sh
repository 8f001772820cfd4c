#!/usr/bin/env bash
# Vigil for a team: PostgreSQL, `vigil serve` on loopback, nginx in front with TLS.
# `make team` runs `deploy/team.sh start`. See docs/deploy.md, "A team server in one command".
#
#   deploy/team.sh start [--local] [--data DIR] [--port PORT] [--admin NAME] [--server-name NAME]
#   deploy/team.sh stop|status [--local] [--data DIR]
#
# Two modes:
#   local   (the default when not root, or with --local): everything lives under one data folder
#           (default ./team-data): a PostgreSQL cluster of its own reached over a Unix socket in
#           that folder, the workspace, a self-signed certificate, a private nginx on PORT
#           (default 8443), logs. Nothing is written outside it; `stop` stops all three, and
#           removing the folder removes everything. For a trial, a training room or a small
#           team on one machine. As root, PostgreSQL (which refuses to run as root) runs as the
#           `postgres` account and nginx's workers as `www-data`.
#   system  (root without --local, on a Debian server with systemd): Debian's PostgreSQL
#           cluster with a `vigil` role and database, a `vigil` service account, Vigil installed
#           in /opt/vigil, /etc/vigil/vigil.env, the systemd unit deploy/systemd/vigil.service,
#           and an nginx site on 443 (port 80 redirects), as docs/deploy.md describes.
# Both install the Debian packages that are missing (postgresql, nginx, openssl) and run the
# schema migrations (`vigil admin init`), which also registers the first administrator.
#
# Vigil's output is a lead for a trained person, never a verdict.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEPLOY=$REPO/deploy
cmd=${1:-}
[[ -n $cmd ]] && shift
mode=""
[[ $(id -u) == 0 ]] || mode=local
DATA=${TEAM_DATA:-$REPO/team-data}
PORT=${TEAM_PORT:-8443}
APP_PORT=${TEAM_APP_PORT:-}
ADMIN=${TEAM_ADMIN:-${SUDO_USER:-${USER:-$(id -un)}}}
SERVER_NAME=${TEAM_SERVER_NAME:-$(hostname -f 2>/dev/null || hostname)}
VIGIL=${TEAM_VIGIL:-$REPO/.venv/bin/vigil}

usage() {
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while (($#)); do
  case $1 in
    --local) mode=local ;;
    --data) DATA=$2; shift ;;
    --port) PORT=$2; shift ;;
    --admin) ADMIN=$2; shift ;;
    --server-name) SERVER_NAME=$2; shift ;;
    *) usage ;;
  esac
  shift
done
mode=${mode:-system}
[[ $ADMIN =~ ^[A-Za-z0-9._-]+$ ]] || { echo "team.sh: --admin must be a plain user name" >&2; exit 2; }

say() { printf '==> %s\n' "$*"; }
die() { printf 'team.sh: %s\n' "$*" >&2; exit 1; }

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    [[ -x $d/initdb ]] && { echo "$d"; return; }
  done
  return 1
}

# Debian packages: postgresql, nginx, openssl (only those missing; sudo when not root).
ensure_packages() {
  local missing=()
  pg_bindir >/dev/null || missing+=(postgresql)
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v curl >/dev/null || missing+=(curl)
  ((${#missing[@]})) || return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

NGINX=/usr/sbin/nginx

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A self-signed certificate for SERVER_NAME, localhost and 127.0.0.1 (ECDSA P-256, 825 days).
make_cert() {
  local dir=$1
  [[ -s $dir/cert.pem && -s $dir/key.pem ]] && return 0
  say "making a self-signed TLS certificate for $SERVER_NAME"
  install -d -m 0700 "$dir"
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 825 -subj "/CN=$SERVER_NAME" \
    -addext "subjectAltName=DNS:$SERVER_NAME,DNS:localhost,IP:127.0.0.1" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -addext "extendedKeyUsage=serverAuth" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null)
  chmod 0644 "$dir/cert.pem"
}

fill() { # template, output, then NAME=value pairs for @NAME@
  local src=$1 out=$2 expr=() kv
  shift 2
  for kv in "$@"; do expr+=(-e "s|@${kv%%=*}@|${kv#*=}|g"); done
  sed "${expr[@]}" "$src" >"$out"
}

wait_http() { # url, seconds
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    curl -ks -o /dev/null "$1" && return 0
    sleep 0.2
  done
  return 1
}

# A pid file whose process still runs the program named (not a reused pid after a reboot).
alive() { # pidfile [program]
  local pid
  [[ -s $1 ]] || return 1
  pid=$(cat "$1")
  kill -0 "$pid" 2>/dev/null || return 1
  [[ -z ${2:-} ]] || tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

# ---------------------------------------------------------------------------------------------
# local mode

local_paths() {
  DATA=$(mkdir -p "$DATA" && cd "$DATA" && pwd)
  PGDATA=$DATA/pg/data PGRUN=$DATA/pg/run
  ENVFILE=$DATA/vigil.env
}

as_pg() { # PostgreSQL refuses root: run its programs as `postgres` then
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

local_start() {
  ensure_packages
  [[ -x $VIGIL ]] || die "$VIGIL not found: run \`make setup\` first (make team does)"
  local_paths
  local bin
  bin=$(pg_bindir) || die "PostgreSQL's initdb not found"
  install -d -m 0700 "$DATA/log" "$DATA/workspace" "$DATA/nginx" "$DATA/nginx/tmp"
  chmod 0700 "$DATA"
  if [[ $(id -u) == 0 ]]; then
    chmod 0711 "$DATA" # postgres and nginx's workers pass through to their own folders
    runuser -u postgres -- test -x "$DATA" ||
      die "as root, PostgreSQL runs as postgres, which cannot reach $DATA: choose a --data folder whose parents others may enter (chmod o+x), or run as an ordinary user"
    install -d -m 0700 -o postgres -g postgres "$DATA/pg" "$PGRUN"
    chmod 0711 "$DATA/nginx"
    install -d -m 0700 -o www-data "$DATA/nginx/tmp"
  else
    install -d -m 0700 "$DATA/pg" "$PGRUN"
  fi

  # PostgreSQL: a cluster of its own, Unix socket only, in a folder only its owner can enter
  if [[ ! -s $PGDATA/PG_VERSION ]]; then
    say "creating a PostgreSQL cluster in $PGDATA"
    as_pg "$bin/initdb" -D "$PGDATA" -U vigil -A trust -E UTF8 --locale=C.UTF-8 >"$DATA/log/initdb.log"
  fi
  if ! as_pg "$bin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    say "starting PostgreSQL"
    as_pg "$bin/pg_ctl" -D "$PGDATA" -l "$DATA/pg/postgresql.log" -w \
      -o "-c listen_addresses='' -k $PGRUN -c unix_socket_permissions=0700" start >/dev/null </dev/null
  fi
  if ! "$bin/psql" -h "$PGRUN" -U vigil -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = 'vigil'" | grep -q 1; then
    "$bin/createdb" -h "$PGRUN" -U vigil vigil
  fi

  [[ -n $APP_PORT ]] || APP_PORT=$(free_port)
  cat >"$ENVFILE" <<EOF
# Vigil's team server (deploy/team.sh local mode); \`set -a; . $ENVFILE; set +a\` to use it.
VIGIL_DATABASE_URL=postgresql://vigil@/vigil?host=$PGRUN
VIGIL_HOME=$DATA/workspace
VIGIL_SIGNING_KEY=$DATA/workspace/keys/checkpoint-signing.pem
EOF
  chmod 0600 "$ENVFILE"
  set -a
  # shellcheck disable=SC1090
  . "$ENVFILE"
  set +a

  say "migrating the schema (vigil admin init; first administrator: $ADMIN)"
  VIGIL_USER=$ADMIN "$VIGIL" admin init >"$DATA/log/init.log" 2>&1 || { cat "$DATA/log/init.log" >&2; die "vigil admin init failed"; }

  if ! alive "$DATA/vigil.pid" vigil; then
    say "starting vigil serve on 127.0.0.1:$APP_PORT"
    VIGIL_USER=$ADMIN nohup "$VIGIL" serve --host 127.0.0.1 --port "$APP_PORT" --proxy-headers \
      --forwarded-allow-ips 127.0.0.1,::1 >>"$DATA/log/vigil.log" 2>&1 </dev/null &
    echo $! >"$DATA/vigil.pid"
    echo "$APP_PORT" >"$DATA/vigil.port"
    wait_http "http://127.0.0.1:$APP_PORT/login" 60 || { tail -20 "$DATA/log/vigil.log" >&2; die "vigil serve did not start"; }
  fi
  APP_PORT=$(cat "$DATA/vigil.port")

  make_cert "$DATA/tls"
  local user=""
  [[ $(id -u) == 0 ]] && user="user www-data;"
  fill "$DEPLOY/nginx/vigil-site.conf" "$DATA/nginx/vigil-site.conf" \
    LISTEN="$PORT" SERVER_NAME="$SERVER_NAME localhost" APP="127.0.0.1:$APP_PORT" \
    CERT="$DATA/tls/cert.pem" KEY="$DATA/tls/key.pem"
  fill "$DEPLOY/nginx/local.conf" "$DATA/nginx/nginx.conf" ROOT="$DATA" USER="$user"
  local ngx=("$NGINX" -p "$DATA/nginx" -c "$DATA/nginx/nginx.conf")
  "${ngx[@]}" -t -q 2>>"$DATA/log/nginx-error.log" || die "nginx refused its configuration (see $DATA/log/nginx-error.log)"
  if alive "$DATA/nginx/nginx.pid" nginx; then
    "${ngx[@]}" -s reload
  else
    say "starting nginx on port $PORT (TLS)"
    "${ngx[@]}" </dev/null >>"$DATA/log/nginx-error.log" 2>&1
  fi
  wait_http "https://127.0.0.1:$PORT/login" 30 || die "nginx does not answer on $PORT"
  local_done
}

local_done() {
  local fp
  fp=$(openssl x509 -in "$DATA/tls/cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)
  cat <<EOF

Vigil is running for the team (local mode, data in $DATA):

  https://$SERVER_NAME:$PORT/   (also https://localhost:$PORT/)

The certificate is self-signed; check its SHA-256 fingerprint when the browser asks:
  $fp
  ($DATA/tls/cert.pem; put your unit's certificate and key there and run start again)

First administrator: $ADMIN is registered. Give them a password (then they set up the second
factor at first sign-in and add the others on the Administration page or with \`vigil user add\`):

  set -a; . $ENVFILE; set +a
  VIGIL_USER=$ADMIN $VIGIL user passwd $ADMIN --generate-password

Stop: deploy/team.sh stop --local --data $DATA    (make team-stop)
Vigil's output is a lead for a trained person, never a verdict.
EOF
}

local_stop() {
  local_paths
  local bin
  if alive "$DATA/nginx/nginx.pid" nginx; then
    say "stopping nginx"
    "$NGINX" -p "$DATA/nginx" -c "$DATA/nginx/nginx.conf" -s quit 2>/dev/null || true
  fi
  if alive "$DATA/vigil.pid" vigil; then
    say "stopping vigil serve"
    kill "$(cat "$DATA/vigil.pid")" || true
  fi
  local i
  for ((i = 0; i < 100; i++)); do
    alive "$DATA/vigil.pid" vigil || alive "$DATA/nginx/nginx.pid" nginx || break
    sleep 0.2
  done
  rm -f "$DATA/vigil.pid"
  if bin=$(pg_bindir) && [[ -s $PGDATA/PG_VERSION ]] && as_pg "$bin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    say "stopping PostgreSQL"
    as_pg "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  fi
}

local_status() {
  local_paths
  local bin state=0
  alive "$DATA/vigil.pid" vigil && echo "vigil serve: running (pid $(cat "$DATA/vigil.pid"))" || { echo "vigil serve: stopped"; state=3; }
  alive "$DATA/nginx/nginx.pid" nginx && echo "nginx: running on $PORT" || { echo "nginx: stopped"; state=3; }
  if bin=$(pg_bindir) && [[ -s $PGDATA/PG_VERSION ]] && as_pg "$bin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    echo "PostgreSQL: running"
  else
    echo "PostgreSQL: stopped"; state=3
  fi
  return $state
}

# ---------------------------------------------------------------------------------------------
# system mode (root, Debian with systemd)

system_start() {
  [[ -d /run/systemd/system ]] || die "system mode needs systemd; use --local (or see docs/deploy.md)"
  ensure_packages
  local bin
  bin=$(pg_bindir) || die "PostgreSQL not found"
  id vigil >/dev/null 2>&1 || useradd --system --home-dir /var/lib/vigil --create-home --shell /usr/sbin/nologin vigil
  install -d -m 0700 -o vigil -g vigil /var/lib/vigil/workspace /var/lib/vigil/keys /var/lib/vigil/cache /var/backups/vigil
  install -d -m 0750 -o root -g vigil /etc/vigil

  say "PostgreSQL: role and database vigil (peer authentication over the Unix socket)"
  systemctl enable --now postgresql >/dev/null
  runuser -u postgres -- psql -Atqc "SELECT 1 FROM pg_roles WHERE rolname = 'vigil'" | grep -q 1 ||
    runuser -u postgres -- createuser vigil
  runuser -u postgres -- psql -Atqc "SELECT 1 FROM pg_database WHERE datname = 'vigil'" | grep -q 1 ||
    runuser -u postgres -- createdb --owner vigil vigil

  say "installing Vigil from $REPO into /opt/vigil"
  [[ -x /opt/vigil/bin/pip ]] || python3 -m venv /opt/vigil
  /opt/vigil/bin/pip install -q "$REPO"

  if [[ ! -s /etc/vigil/vigil.env ]]; then
    cat >/etc/vigil/vigil.env <<'EOF'
VIGIL_DATABASE_URL=postgresql://vigil@/vigil?host=/run/postgresql
VIGIL_HOME=/var/lib/vigil/workspace
VIGIL_SIGNING_KEY=/var/lib/vigil/keys/checkpoint-signing.pem
VIGIL_CACHE_DIR=/var/lib/vigil/cache
EOF
    chown root:vigil /etc/vigil/vigil.env
    chmod 0640 /etc/vigil/vigil.env
  fi

  say "migrating the schema (vigil admin init; first administrator: $ADMIN)"
  runuser -u vigil -- sh -c 'set -a; . /etc/vigil/vigil.env; set +a; exec "$@"' vigil \
    env VIGIL_USER="$ADMIN" /opt/vigil/bin/vigil admin init

  install -m 0644 "$DEPLOY/systemd/vigil.service" /etc/systemd/system/vigil.service
  systemctl daemon-reload
  systemctl enable vigil >/dev/null
  systemctl restart vigil

  make_cert /etc/vigil/tls
  fill "$DEPLOY/nginx/vigil-site.conf" /etc/nginx/sites-available/vigil.conf \
    LISTEN="443" SERVER_NAME="$SERVER_NAME" APP="127.0.0.1:8000" \
    CERT=/etc/vigil/tls/cert.pem KEY=/etc/vigil/tls/key.pem
  fill "$DEPLOY/nginx/redirect.conf" /etc/nginx/sites-available/vigil-redirect.conf SERVER_NAME="$SERVER_NAME"
  ln -sf ../sites-available/vigil.conf /etc/nginx/sites-enabled/vigil.conf
  ln -sf ../sites-available/vigil-redirect.conf /etc/nginx/sites-enabled/vigil-redirect.conf
  nginx -t -q
  systemctl enable nginx >/dev/null
  systemctl reload-or-restart nginx
  wait_http "http://127.0.0.1:8000/login" 60 || die "vigil serve did not start (journalctl -u vigil)"
  wait_http "https://127.0.0.1/login" 30 || die "nginx does not answer on 443"
  DATA=/var/lib/vigil ENVFILE=/etc/vigil/vigil.env PORT=443 VIGIL=/opt/vigil/bin/vigil
  local fp
  fp=$(openssl x509 -in /etc/vigil/tls/cert.pem -noout -fingerprint -sha256 | cut -d= -f2)
  cat <<EOF

Vigil is running for the team (system mode): https://$SERVER_NAME/

The certificate is self-signed (SHA-256 $fp); replace /etc/vigil/tls/cert.pem and key.pem with
your unit's and \`systemctl reload nginx\`.

First administrator: $ADMIN is registered. Give them a password:

  sudo -u vigil sh -c 'set -a; . /etc/vigil/vigil.env; set +a; VIGIL_USER=$ADMIN exec /opt/vigil/bin/vigil user passwd $ADMIN --generate-password'

Nightly backups: deploy/systemd/vigil-backup.{service,timer} (docs/deploy.md).
Vigil's output is a lead for a trained person, never a verdict.
EOF
}

system_stop() {
  systemctl stop vigil
}

system_status() {
  systemctl --no-pager status vigil postgresql nginx
}

main() {
  case $cmd in
    start | stop | status) "${mode}_${cmd}" ;;
    *) usage ;;
  esac
}

# one line: bash has read all of it before it runs (safe if the file is replaced meanwhile)
main; exit
