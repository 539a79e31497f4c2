#!/bin/bash
# Run on a template server before it is snapshotted into the image new nodes boot from.
set -eu
sudo mkdir -p /etc/nodepool
sudo chmod 0777 /etc/nodepool
sync
