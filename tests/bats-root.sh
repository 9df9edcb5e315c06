#!/bin/sh
# automake test: the bats suite with urun running as root.
exec "$(dirname "$0")/run-bats.sh" root "$@"
