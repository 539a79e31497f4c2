# Sourced by control-plane-up.sh: writes every configuration file under $STATE/etc, so that
# nothing in /etc changes and another MariaDB or RabbitMQ on this machine is left alone.
# Needs STATE, HOST, SERVICE_PASSWORD, TOKEN_LIFETIME_S and TOKEN_CACHE_S.

KEYSTONE_URL=http://$HOST:5000
# Services log in at a Keystone of their own that hands out hour-long tokens: keystoneauth
# logs in again for every call when a token has less than two minutes left, and the users'
# Keystone on 5000 gives minute-long ones, so that the tests can watch them expire.
SERVICES_KEYSTONE_URL=http://$HOST:5001

# authtoken SERVICE_USER -> the [keystone_authtoken] section of an API service
authtoken() {
  cat <<EOF
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL/v3
auth_url = $SERVICES_KEYSTONE_URL/v3
auth_type = password
user_domain_name = Default
project_domain_name = Default
project_name = service
username = $1
password = $SERVICE_PASSWORD
# Trust a validated token for seconds rather than minutes: the tests revoke tokens and wait
# this long for the refusal.
token_cache_time = $TOKEN_CACHE_S
EOF
}

# service_auth SECTION USER -> a section through which one service calls another
service_auth() {
  cat <<EOF
[$1]
auth_url = $SERVICES_KEYSTONE_URL/v3
auth_type = password
user_domain_name = Default
project_domain_name = Default
project_name = service
username = $2
password = $SERVICE_PASSWORD
region_name = RegionOne
EOF
}

# owned FILE GROUP -> readable by that service's group only: the files hold passwords
owned() {
  chown "root:$2" "$1"
  chmod 0640 "$1"
}

write_mariadb_config() {
  cat > "$STATE/etc/my.cnf" <<EOF
[mysqld]
datadir = $STATE/mysql
socket = $STATE/run/mysqld.sock
pid-file = $STATE/run/mysqld.pid
log-error = $STATE/logs/mariadb.log
bind-address = $HOST
port = 3306
skip-name-resolve
max_connections = 400
performance_schema = OFF
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
# A throwaway test database: durability is traded for speed.
innodb_buffer_pool_size = 64M
innodb_flush_log_at_trx_commit = 0
innodb_doublewrite = 0
sync_binlog = 0
[client]
socket = $STATE/run/mysqld.sock
EOF
  chmod 0644 "$STATE/etc/my.cnf"
}

write_rabbitmq_config() {
  cat > "$STATE/etc/rabbitmq-env.conf" <<EOF
NODENAME=rabbit@localhost
NODE_IP_ADDRESS=$HOST
NODE_PORT=5672
DIST_PORT=25672
MNESIA_BASE=$STATE/rabbitmq/mnesia
LOG_BASE=$STATE/logs
PID_FILE=$STATE/rabbitmq/rabbit.pid
CONFIG_FILE=$STATE/etc/rabbitmq
ADVANCED_CONFIG_FILE=$STATE/etc/rabbitmq-advanced.config
ENABLED_PLUGINS_FILE=$STATE/etc/rabbitmq-plugins
SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
EOF
  echo '[].' > "$STATE/etc/rabbitmq-plugins"
  chmod 0644 "$STATE/etc/rabbitmq-env.conf" "$STATE/etc/rabbitmq-plugins"
}

# keystone_config DIR LIFETIME_S LOG -> one Keystone's configuration; both share a database
# and keys, so each validates the other's tokens
keystone_config() {
  install -d -m 0755 "$1"
  cat > "$1/keystone.conf" <<EOF
[DEFAULT]
log_file = $STATE/logs/$3
[database]
connection = mysql+pymysql://keystone:$SERVICE_PASSWORD@$HOST:3306/keystone
[identity]
# bcrypt's cheapest cost: services and tests log in over and over, and at the default cost
# each login takes a second of CPU on a busy test machine.
password_hash_rounds = 4
[token]
provider = fernet
expiration = $2
[fernet_tokens]
key_repository = $STATE/keystone/fernet-keys
[fernet_receipts]
key_repository = $STATE/keystone/fernet-keys
[credential]
key_repository = $STATE/keystone/credential-keys
EOF
  owned "$1/keystone.conf" keystone
}

write_keystone_config() {
  # Short on purpose: the tests watch clients renew their tokens before they expire.
  keystone_config "$STATE/etc/keystone" "$TOKEN_LIFETIME_S" keystone.log
  keystone_config "$STATE/etc/keystone-services" 3600 keystone-services.log
}

write_glance_config() {
  cat > "$STATE/etc/glance/glance-api.conf" <<EOF
[DEFAULT]
bind_host = $HOST
bind_port = 9292
workers = 1
log_file = $STATE/logs/glance-api.log
enabled_backends = local:file
[database]
connection = mysql+pymysql://glance:$SERVICE_PASSWORD@$HOST:3306/glance
[glance_store]
default_backend = local
[local]
filesystem_store_datadir = $STATE/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $STATE/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $STATE/glance/tasks
[oslo_concurrency]
lock_path = $STATE/glance/lock
[paste_deploy]
flavor = keystone
config_file = /etc/glance/glance-api-paste.ini
$(authtoken glance)
EOF
  owned "$STATE/etc/glance/glance-api.conf" glance
}

write_placement_config() {
  cat > "$STATE/etc/placement/placement.conf" <<EOF
[DEFAULT]
log_file = $STATE/logs/placement.log
[api]
auth_strategy = keystone
[placement_database]
connection = mysql+pymysql://placement:$SERVICE_PASSWORD@$HOST:3306/placement
$(authtoken placement)
EOF
  owned "$STATE/etc/placement/placement.conf" placement
}

write_nova_config() {
  cat > "$STATE/etc/nova/nova.conf" <<EOF
[DEFAULT]
host = whiskpool-compute
my_ip = $HOST
state_path = $STATE/nova
instances_path = $STATE/nova/instances
transport_url = rabbit://guest:guest@$HOST:5672/
enabled_apis = osapi_compute
osapi_compute_listen = $HOST
osapi_compute_listen_port = 8774
osapi_compute_workers = 1
compute_driver = whiskpool_fake.SnapshottingFakeDriver
# Nothing polls Neutron in the background: the stand-in on 9696 knows no ports anyway.
heal_instance_info_cache_interval = -1
[wsgi]
api_paste_config = /etc/nova/api-paste.ini
[api]
auth_strategy = keystone
[api_database]
connection = mysql+pymysql://nova:$SERVICE_PASSWORD@$HOST:3306/nova_api
[database]
connection = mysql+pymysql://nova:$SERVICE_PASSWORD@$HOST:3306/nova
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = -1
[oslo_concurrency]
lock_path = $STATE/nova/lock
[vnc]
enabled = false
[glance]
valid_interfaces = public
$(authtoken nova)
[service_user]
send_service_user_token = true
auth_url = $SERVICES_KEYSTONE_URL/v3
auth_type = password
user_domain_name = Default
project_domain_name = Default
project_name = service
username = nova
password = $SERVICE_PASSWORD
$(service_auth placement placement)
$(service_auth neutron nova)
# No catalog entry for the network service: Nova finds the stand-in here.
endpoint_override = http://$HOST:9696
EOF
  owned "$STATE/etc/nova/nova.conf" nova
}

write_configs() {
  install -d -m 0755 "$STATE/etc" "$STATE/etc/keystone" "$STATE/etc/glance" \
    "$STATE/etc/placement" "$STATE/etc/nova"
  write_mariadb_config
  write_rabbitmq_config
  write_keystone_config
  write_glance_config
  write_placement_config
  write_nova_config
}
