#!/bin/sh
# automake test: the bats suite with urun running as the unprivileged
# user urun-test (see setup-test-user.sh).
exec "$(dirname "$0")/run-bats.sh" rootless "$@"
