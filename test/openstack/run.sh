#!/usr/bin/env bash
# npm run test:openstack: brings up the real OpenStack control plane (control-plane-up.sh),
# runs the cloud contract against the OpenStack stand-in and against the real cloud, then the
# pool end to end on the real cloud, and takes the control plane down again, whatever
# happened. Exits non-zero when anything failed. Needs root, like control-plane-up.sh.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
export WHISKPOOL_CONTROL_PLANE=${WHISKPOOL_CONTROL_PLANE:-/var/lib/whiskpool-control-plane}
cd "$REPO"

seconds_since() {
  awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

started=$EPOCHREALTIME
if ! bash "$HERE/control-plane-up.sh"; then
  echo "test:openstack: the control plane did not come up" >&2
  exit 1
fi
up_s=$(seconds_since "$started")

stopped=0
stop() {
  [ "$stopped" = 1 ] && return
  stopped=1
  local at=$EPOCHREALTIME
  bash "$HERE/control-plane-down.sh"
  down_s=$(seconds_since "$at")
}
trap stop EXIT
trap 'exit 130' INT TERM

suite_at=$EPOCHREALTIME
# Side by side: the contract and the pool work in projects of their own, and the contract
# spends most of its minute waiting for a token to expire.
WHISKPOOL_OPENSTACK_CLOUD=$WHISKPOOL_CONTROL_PLANE/cloud.json node --import tsx --test \
  --test-concurrency=3 \
  test/lib/cloud/contract/openstack-sim.test.ts \
  test/lib/cloud/contract/openstack-real.test.ts \
  test/e2e/openstack-pool.test.ts
status=$?
suite_s=$(seconds_since "$suite_at")

stop
echo "test:openstack timings:"
sed -e 's/^/  /' "$WHISKPOOL_CONTROL_PLANE/timings.txt"
printf '  %-24s %6s s\n' 'up (with packages)' "$up_s" suite "$suite_s" down "$down_s"
if [ "$status" != 0 ]; then
  echo "test:openstack: FAILED; the control plane's logs are in $WHISKPOOL_CONTROL_PLANE/logs" >&2
fi
exit "$status"
