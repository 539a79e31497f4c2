#!/usr/bin/env bash
# Installs the Debian packages of the test control plane when any is missing: MariaDB,
# RabbitMQ, Keystone, Glance, Placement and Nova's api, conductor and scheduler. The
# nova-compute package is left out on purpose: it depends on qemu and libvirt, while the
# fake driver needs neither, and python3-nova (pulled in by nova-common) carries its entry point.
# Quick when everything is there. Needs root.
set -euo pipefail

PACKAGES=(
  mariadb-server rabbitmq-server keystone glance-api placement-api
  nova-api nova-conductor nova-scheduler uwsgi-plugin-python3 curl jq
)

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [ "$status" = 'install ok installed' ] || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "control plane: packages already installed"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "control plane: needs the Debian packages ${missing[*]}; run as root to install them" >&2
  exit 1
fi

echo "control plane: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive

# Maintainer scripts must not start daemons: this machine has no init system to own them,
# and the control plane starts its own on loopback.
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  made_policy=1
fi
trap '[ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT

# openstack-pkg-tools asks whether to set up databases, endpoints and credentials; the
# answers default to no already, and are given here so no prompt can ever appear.
{
  for service in keystone glance placement nova; do
    common=$service-common
    [ "$service" = keystone ] && common=keystone
    echo "$common $service/configure_db boolean false"
  done
  echo "nova-api nova-api/configure_db boolean false"
  echo "keystone keystone/create-admin-tenant boolean false"
  echo "keystone keystone/register-endpoint boolean false"
  for service in glance nova placement; do
    echo "$service-api $service/configure_api-endpoint boolean false"
    echo "$service-common $service/configure_ksat boolean false"
  done
} | debconf-set-selections

apt_options=(-o DPkg::Lock::Timeout=600 -q)
apt-get "${apt_options[@]}" update
# Without an fsync per file: a machine that crashes mid-install is set up again anyway.
apt-get "${apt_options[@]}" install -y --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  -o Dpkg::Options::=--force-unsafe-io "${missing[@]}"
