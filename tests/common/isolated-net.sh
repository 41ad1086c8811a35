#!/bin/sh
# Runs a test command inside its own, empty network namespace where only loopback exists,
# so that nothing the test (or a regression in the code under test) sends can leave the
# machine: 127.0.0.0/8 and ::1 still work, every other destination is unreachable.
#
#   tests/common/isolated-net.sh COMMAND [ARGS...]
#
# As root: `unshare --net`. Otherwise a user namespace (`unshare --net --map-root-user`)
# when the kernel allows it. When neither works the command runs as it is, and a line on
# stderr says that it is NOT isolated. TRACEMAP_ISOLATED_NET=1 is set inside the namespace.
set -u

if [ "$#" -eq 0 ]; then
    echo "isolated-net.sh: usage: isolated-net.sh COMMAND [ARGS...]" >&2
    exit 2
fi

inner='ip link set lo up && TRACEMAP_ISOLATED_NET=1 && export TRACEMAP_ISOLATED_NET && exec "$@"'

# Probe first, so that a failing test is never mistaken for a missing namespace.
if [ "$(id -u)" = 0 ] && unshare --net -- sh -c 'ip link set lo up' 2>/dev/null; then
    exec unshare --net -- sh -c "$inner" isolated-net "$@"
fi
if unshare --net --map-root-user -- sh -c 'ip link set lo up' 2>/dev/null; then
    exec unshare --net --map-root-user -- sh -c "$inner" isolated-net "$@"
fi

echo "isolated-net.sh: WARNING: no network namespace available; $1 runs NOT isolated" >&2
exec "$@"
