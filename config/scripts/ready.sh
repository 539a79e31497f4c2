#!/bin/bash
# Run on every new node, as its last step before it is offered to builds. Nodepool passed the
# node's hostname as the only argument.
set -eu
hostname="$1"
echo "node ${hostname} is ready"
