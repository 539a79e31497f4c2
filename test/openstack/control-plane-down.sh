#!/usr/bin/env bash
# Stops the control plane that control-plane-up.sh started: only the processes recorded in
# $STATE/pids, each only while its pid, start time and command line still match the record.
# Nova goes first so that nothing is left half done, then the APIs, then the message bus and
# the database. Leaves the state directory, its logs and the installed packages in place.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
STATE=${WHISKPOOL_CONTROL_PLANE:-/var/lib/whiskpool-control-plane}

# shellcheck source=processes.sh
. "$HERE/processes.sh"

[ -d "$STATE/pids" ] || exit 0
started_at=$EPOCHREALTIME

GROUPS_IN_ORDER=(
  "nova-compute nova-api nova-scheduler nova-conductor"
  "glance-api placement keystone keystone-services neutron"
  "rabbitmq"
  "epmd mariadb"
)
for group in "${GROUPS_IN_ORDER[@]}"; do
  for name in $group; do stop_daemon "$name" & done
  wait
done
# anything recorded that the groups above do not name
for record in "$STATE/pids/"*; do
  [ -e "$record" ] && stop_daemon "$(basename "$record")"
done
rm -f "$STATE/run/admin-token.header" "$STATE/run/response"

printf '%-24s %6.1f s\n' down \
  "$(awk -v a="$started_at" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
exit 0
