#!/usr/bin/env bash
# Brings up a real OpenStack control plane from Debian's packages on 127.0.0.1, for the tests
# in test/lib/cloud/contract/ and test/e2e/openstack-pool.test.ts: MariaDB, RabbitMQ, Keystone,
# Glance, Placement and Nova (api, conductor, scheduler, and compute on a fake hypervisor),
# plus the Neutron stand-in of sim/neutron. No init system is involved: each daemon is started
# here, recorded in $STATE/pids, and stopped by control-plane-down.sh, which signals only the
# recorded processes. Every file it writes is under $STATE; nothing in /etc changes.
#
# Needs root and these free ports on 127.0.0.1:
#   3306 5672 4369 25672 5000 5001 9292 8778 8774 9696.
# Environment:
#   WHISKPOOL_CONTROL_PLANE  state directory (default /var/lib/whiskpool-control-plane)
#   SKIP_INSTALL=1           do not look for missing Debian packages
#   KEEP_ON_FAIL=1           leave what started running when a step fails, for a look
#   TOKEN_LIFETIME_S         Keystone token lifetime (default 60)
# Writes $STATE/cloud.json (the test user's and admin's credentials, the test images) for the
# tests, $STATE/openrc for the openstack CLI, and $STATE/timings.txt.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
STATE=${WHISKPOOL_CONTROL_PLANE:-/var/lib/whiskpool-control-plane}
HOST=127.0.0.1
TOKEN_LIFETIME_S=${TOKEN_LIFETIME_S:-60}
TOKEN_CACHE_S=10
PORTS=(3306 5672 4369 25672 5000 5001 9292 8778 8774 9696)
IMAGE_NAME=whiskpool-base

# shellcheck source=processes.sh
. "$HERE/processes.sh"
# shellcheck source=configs.sh
. "$HERE/configs.sh"
# shellcheck source=resources.sh
. "$HERE/resources.sh"

die() {
  echo "control plane: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || die "run as root: it installs packages and runs each service as its user"
cd "$REPO"

started_at=$EPOCHREALTIME
phase_at=$started_at
phase_name=''
# phase NAME -> ends the current phase (its time goes to timings.txt) and starts the next
phase() {
  local now=$EPOCHREALTIME
  if [ -n "$phase_name" ]; then
    printf '%-24s %6.1f s\n' "$phase_name" "$(elapsed "$phase_at" "$now")" \
      | tee -a "$STATE/timings.txt"
  fi
  phase_name=$1
  phase_at=$now
  [ -z "$phase_name" ] || echo "== $phase_name"
}
elapsed() {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}

mkdir -p "$STATE"
chmod 0711 "$STATE"
: > "$STATE/timings.txt"

phase packages
if [ "${SKIP_INSTALL:-0}" != 1 ]; then
  bash "$HERE/packages.sh"
fi

for port in "${PORTS[@]}"; do
  if (exec 3<> "/dev/tcp/$HOST/$port") 2> /dev/null; then
    die "port $HOST:$port is taken; the control plane needs it (another run still up?)"
  fi
done

on_exit() {
  local code=$?
  [ "$code" = 0 ] && return
  echo "control plane: failed in '$phase_name' (exit $code); logs in $STATE/logs" >&2
  if [ "${KEEP_ON_FAIL:-0}" != 1 ]; then bash "$HERE/control-plane-down.sh"; fi
}
trap on_exit EXIT

phase directories
install -d -m 0755 "$STATE/pids" "$STATE/run" "$STATE/bin"
install -d -m 1777 "$STATE/logs"
rm -f "$STATE/logs/"*
install -d -o mysql -g mysql -m 0750 "$STATE/mysql"
chown mysql:mysql "$STATE/run"
install -d -o rabbitmq -g rabbitmq -m 0750 "$STATE/rabbitmq"
install -d -o keystone -g keystone -m 0750 "$STATE/keystone"
install -d -o glance -g glance -m 0750 "$STATE/glance"
install -d -o nova -g nova -m 0750 "$STATE/nova"
rm -rf "$STATE/glance/"* "$STATE/nova/"* "$STATE/rabbitmq/"* "$STATE/keystone/"*
install -m 0644 "$HERE/fake_compute.py" "$STATE/bin/fake_compute.py"

secret() {
  head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9'
}
SERVICE_PASSWORD=$(secret)
ADMIN_PASSWORD=$(secret)
USER_PASSWORD=$(secret)
SECOND_PASSWORD=$(secret)
POOL_PASSWORD=$(secret)
write_configs

phase mariadb
if [ ! -d "$STATE/mysql/mysql" ]; then
  mariadb-install-db --no-defaults --datadir="$STATE/mysql" --user=mysql \
    --auth-root-authentication-method=socket --skip-test-db > "$STATE/logs/mariadb-install.out" 2>&1
fi
start_daemon mariadb mysql "$STATE/etc/my.cnf" /usr/sbin/mariadbd \
  --defaults-file="$STATE/etc/my.cnf"
sql() {
  mariadb --defaults-file="$STATE/etc/my.cnf" -uroot "$@"
}
for ((i = 0; i < 150; i++)); do
  sql -e 'SELECT 1' > /dev/null 2>&1 && break
  is_ours mariadb || die "mariadb exited; see $STATE/logs/mariadb.log"
  sleep 0.2
done
{
  for database in keystone glance placement nova_api nova nova_cell0; do
    echo "DROP DATABASE IF EXISTS $database; CREATE DATABASE $database;"
  done
  for user in keystone glance placement nova; do
    echo "CREATE OR REPLACE USER '$user'@'$HOST' IDENTIFIED BY '$SERVICE_PASSWORD';"
  done
  for grant in keystone:keystone glance:glance placement:placement nova:nova_api nova:nova \
    nova:nova_cell0; do
    echo "GRANT ALL PRIVILEGES ON ${grant#*:}.* TO '${grant%%:*}'@'$HOST';"
  done
} | sql

phase rabbitmq
# epmd is started here rather than by RabbitMQ, which would leave it running unrecorded.
start_daemon epmd rabbitmq epmd env HOME="$STATE/rabbitmq" ERL_EPMD_ADDRESS=$HOST \
  epmd -address $HOST
start_daemon rabbitmq rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server env HOME="$STATE/rabbitmq" \
  ERL_EPMD_ADDRESS=$HOST RABBITMQ_CONF_ENV_FILE="$STATE/etc/rabbitmq-env.conf" \
  /usr/lib/rabbitmq/bin/rabbitmq-server

phase "database schemas"
as() {
  local user=$1
  shift
  setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- "$@"
}
keystone_manage() {
  as keystone keystone-manage --config-file "$STATE/etc/keystone/keystone.conf" "$@"
}
nova_manage() {
  as nova nova-manage --config-file "$STATE/etc/nova/nova.conf" "$@"
}
(
  keystone_manage db_sync
  keystone_manage fernet_setup --keystone-user keystone --keystone-group keystone
  keystone_manage credential_setup --keystone-user keystone --keystone-group keystone
  # The password goes in the environment: a command line is there for any user to read.
  OS_BOOTSTRAP_PASSWORD=$ADMIN_PASSWORD keystone_manage bootstrap \
    --bootstrap-public-url "http://$HOST:5000/v3/" \
    --bootstrap-internal-url "http://$HOST:5000/v3/" \
    --bootstrap-admin-url "http://$HOST:5000/v3/" --bootstrap-region-id RegionOne
) > "$STATE/logs/schema-keystone.out" 2>&1 &
keystone_schema=$!
as glance glance-manage --config-file "$STATE/etc/glance/glance-api.conf" db_sync \
  > "$STATE/logs/schema-glance.out" 2>&1 &
glance_schema=$!
as placement placement-manage --config-file "$STATE/etc/placement/placement.conf" db sync \
  > "$STATE/logs/schema-placement.out" 2>&1 &
placement_schema=$!
(
  nova_manage api_db sync
  # cell0's database is named after the main one: nova_cell0
  nova_manage cell_v2 map_cell0
  nova_manage cell_v2 create_cell --name cell1
  nova_manage db sync
) > "$STATE/logs/schema-nova.out" 2>&1 &
nova_schema=$!
for service in keystone glance placement nova; do
  pid_variable=${service}_schema
  wait "${!pid_variable}" \
    || die "$service database setup failed; see $STATE/logs/schema-$service.out"
done

phase "identity, image, placement"
UWSGI=(/usr/bin/uwsgi_python3 --master --die-on-term --no-orphans --enable-threads --lazy-apps
  --plugin python3 --processes 1 --threads 4 --buffer-size 65535
  # uwsgi's HTTP socket cannot keep a connection alive; clients that reuse pooled
  # connections (keystoneauth in nova-compute) fail unless told to close each one.
  --add-header 'Connection: close')
start_daemon keystone keystone "$STATE/etc/keystone" "${UWSGI[@]}" --http-socket $HOST:5000 \
  --chdir "$STATE/keystone" --env OS_KEYSTONE_CONFIG_DIR="$STATE/etc/keystone" \
  --wsgi-file /usr/bin/keystone-wsgi-public
start_daemon keystone-services keystone "$STATE/etc/keystone-services" "${UWSGI[@]}" \
  --http-socket $HOST:5001 --chdir "$STATE/keystone" \
  --env OS_KEYSTONE_CONFIG_DIR="$STATE/etc/keystone-services" \
  --wsgi-file /usr/bin/keystone-wsgi-public
start_daemon placement placement "$STATE/etc/placement" "${UWSGI[@]}" --http-socket $HOST:8778 \
  --chdir "$STATE/etc/placement" --env OS_PLACEMENT_CONFIG_DIR="$STATE/etc/placement" \
  --wsgi-file /usr/bin/placement-api
start_daemon glance-api glance "$STATE/etc/glance" /usr/bin/glance-api \
  --config-file "$STATE/etc/glance/glance-api.conf"
start_daemon neutron root sim/neutron/main.ts node --import tsx "$REPO/sim/neutron/main.ts" \
  --port 9696

# wait_http NAME URL SECONDS -> until the URL answers anything at all
wait_http() {
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$2" || true)" != 000 ] && return 0
    is_ours "$1" || die "$1 exited; see $STATE/logs/$1.out and its log"
    sleep 0.2
  done
  die "$1 did not answer at $2 within $3 s"
}
wait_http keystone "http://$HOST:5000/v3" 90
wait_http keystone-services "http://$HOST:5001/v3" 90

phase "projects and users"
create_identity

phase "compute"
wait_http glance-api "http://$HOST:9292/" 90
upload_image "$IMAGE_NAME" older_image_id
wait_http placement "http://$HOST:8778/" 90
wait_http neutron "http://$HOST:9696/" 30
for ((i = 0; i < 450; i++)); do
  (exec 3<> "/dev/tcp/$HOST/5672") 2> /dev/null && break
  is_ours rabbitmq || die "rabbitmq exited; see $STATE/logs/rabbitmq.out"
  sleep 0.2
done
for service in conductor scheduler api; do
  start_daemon "nova-$service" nova "$STATE/etc/nova" "/usr/bin/nova-$service" \
    --config-file "$STATE/etc/nova/nova.conf" --log-file "$STATE/logs/nova-$service.log"
done
wait_http nova-api "http://$HOST:8774/" 120
# nova-compute waits a whole RPC timeout when the conductor is not there yet
wait_service nova-conductor 120
start_daemon nova-compute nova fake_compute.py /usr/bin/python3 "$STATE/bin/fake_compute.py" \
  --config-file "$STATE/etc/nova/nova.conf" --log-file "$STATE/logs/nova-compute.log"
wait_service nova-compute 120

phase "hypervisor"
# Until discover_hosts maps the compute host into cell1, nothing can be scheduled on it.
hypervisors=0
for ((i = 0; i < 30; i++)); do
  nova_manage cell_v2 discover_hosts >> "$STATE/logs/discover-hosts.out" 2>&1
  hypervisors=$(admin_api GET "http://$HOST:8774/v2.1/os-hypervisors" | jq '.hypervisors | length')
  [ "$hypervisors" -ge 1 ] && break
  sleep 1
done
[ "$hypervisors" -ge 1 ] \
  || die "the compute host was never mapped; see $STATE/logs/nova-compute.log"

phase "flavors and images"
create_flavors
upload_image "$IMAGE_NAME" newer_image_id
queue_image "$IMAGE_NAME" queued_image_id
lift_quota
write_cloud_json
phase ''
printf '%-24s %6.1f s\n' total "$(elapsed "$started_at" "$EPOCHREALTIME")" \
  | tee -a "$STATE/timings.txt"
echo "control plane up; the tests read $STATE/cloud.json"
