#!/usr/bin/env bash
# Package test (ctest label `package`): builds the Debian packages with scripts/build-deb.sh
# (under ctest the fixture `package_build` has built them already, see build_packages.sh, and
# TRACEMAP_PACKAGE_DEBS names them), runs lintian on them (no errors allowed), installs them with
# apt-get, checks what an installed tracemap must offer, purges them and checks that nothing of
# theirs is left.
#
# Needs root (apt-get, namespaces); exits 77 (skipped) otherwise, or when tracemap packages
# are already installed on this machine (the test would remove a person's installation).
# Probes only go through the test's own network namespaces (tests/netns/topology.sh).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d /tmp/tracemap-package-test.XXXXXX)
prefix="tmpkg$$-"
packages=(tracemap tracemap-cli tracemap-agent)
installed_by_us=0

say() { echo "test_package: $*"; }
fail()
{
    echo "test_package: FAIL: $*" >&2
    exit 1
}

if [ "$(id -u)" -ne 0 ]; then
    say "SKIP: needs root (apt-get install, network namespaces)"
    exit 77
fi
for p in "${packages[@]}"; do
    if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ]; then
        say "SKIP: $p is already installed here; not replacing a real installation"
        exit 77
    fi
done

cleanup()
{
    local rc=$?
    if [ "$installed_by_us" = 1 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${packages[@]}" >/dev/null 2>&1 || true
    fi
    bash "$root/tests/netns/topology.sh" down "$prefix" >/dev/null 2>&1 || true
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT

# 1. Build (TRACEMAP_PACKAGE_DEBS=DIR tests packages built before instead, e.g. by a release job).
if [ -n "${TRACEMAP_PACKAGE_DEBS:-}" ]; then
    mkdir -p "$work/dist"
    cp "$TRACEMAP_PACKAGE_DEBS"/*.deb "$work/dist/"
    ls "$work/dist"/*.deb >"$work/debs.txt"
else
    say "building the packages"
    export TRACEMAP_BUILD_DIR=$work/build TRACEMAP_DIST_DIR=$work/dist
    bash "$root/scripts/build-deb.sh" >"$work/debs.txt" 2>"$work/build-deb.log" ||
        {
            tail -n 60 "$work/build-deb.log" >&2
            fail "scripts/build-deb.sh failed"
        }
fi
mapfile -t debs <"$work/debs.txt"
[ "${#debs[@]}" -ge 3 ] || fail "expected at least 3 packages, got: ${debs[*]}"
for p in "${packages[@]}"; do
    ls "$work/dist/${p}_"*.deb >/dev/null 2>&1 || fail "no package $p in dist/"
done

# 2. lintian: no errors (warnings are printed for the record).
say "lintian"
lintian --fail-on error --suppress-tags-from-file /dev/null "${debs[@]}" >"$work/lintian.txt" 2>&1 ||
    {
        cat "$work/lintian.txt" >&2
        fail "lintian reported errors"
    }
grep -E '^[EW]: ' "$work/lintian.txt" || true

# 3. Install.
say "apt-get install"
installed_by_us=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${debs[@]}" >"$work/install.log" 2>&1 ||
    {
        tail -n 40 "$work/install.log" >&2
        fail "apt-get install failed"
    }
for p in "${packages[@]}"; do
    dpkg-query -L "$p" >>"$work/files.txt"
done

# 4. What an installed tracemap offers.
version=$(/usr/bin/tracemap-cli --version)
[[ $version == "tracemap-cli "* ]] || fail "tracemap-cli --version printed '$version'"
say "installed $version"

getcap /usr/bin/tracemap-cli | grep -q cap_net_raw || fail "/usr/bin/tracemap-cli has no cap_net_raw"
getcap /usr/bin/tracemap | grep -q cap_net_raw || fail "/usr/bin/tracemap has no cap_net_raw"

man -w tracemap-cli >/dev/null || fail "man -w tracemap-cli finds no page"
man -w tracemap >/dev/null || fail "man -w tracemap finds no page"
man -w tracemap-agent >/dev/null || fail "man -w tracemap-agent finds no page"
LC_ALL=C MANWIDTH=200 man -P cat tracemap-cli 2>/dev/null | grep -q -- '--max-ttl' ||
    fail "the tracemap-cli man page lacks --max-ttl (it is generated from --help)"

completion=/usr/share/bash-completion/completions/tracemap-cli
[ -f "$completion" ] || fail "no bash completion at $completion"
words=$(bash -c 'source /usr/share/bash-completion/bash_completion; source "$1"
    COMP_WORDS=(tracemap-cli trace --method ""); COMP_CWORD=3; COMP_LINE="tracemap-cli trace --method "
    COMP_POINT=${#COMP_LINE}; _tracemap_cli; echo "${COMPREPLY[*]}"' _ "$completion")
[[ $words == *icmp* && $words == *udp* ]] || fail "completion after --method offered '$words'"

desktop-file-validate /usr/share/applications/tracemap.desktop || fail "desktop-file-validate"
appstreamcli validate --no-net /usr/share/metainfo/io.github.tracemap.tracemap.metainfo.xml ||
    fail "appstreamcli validate"
for size in 16 32 48 128 256; do
    [ -f "/usr/share/icons/hicolor/${size}x${size}/apps/tracemap.png" ] || fail "no ${size}px icon"
done

dpkg-query -W -f='${Conffiles}\n' tracemap-agent | grep -q '/etc/tracemap/agent.conf' ||
    fail "/etc/tracemap/agent.conf is not a conffile"
unit=/lib/systemd/system/tracemap-agent.service
[ -f "$unit" ] || fail "no $unit"
if [ -e /etc/systemd/system/multi-user.target.wants/tracemap-agent.service ]; then
    fail "the agent service was enabled at install; it must stay disabled"
fi
if [ -d /run/systemd/system ]; then
    systemctl cat tracemap-agent >/dev/null || fail "systemctl cat tracemap-agent"
    [ "$(systemctl is-enabled tracemap-agent 2>/dev/null || true)" = disabled ] ||
        fail "tracemap-agent is not disabled after install"
else
    say "systemd is not running here: checked the unit file and that it is not enabled"
fi

# An unprivileged ICMP trace (as nobody, ping sockets closed) and a scripted map export,
# both through the test's own namespaces.
say "namespaces"
bash "$root/tests/netns/topology.sh" up "$prefix" --ping-group closed >"$work/netns.log" 2>&1 ||
    {
        cat "$work/netns.log" >&2
        fail "topology.sh up"
    }
as_nobody=(ip netns exec "${prefix}src" setpriv --reuid=nobody --regid=nogroup --clear-groups
    env HOME="$work/home" XDG_RUNTIME_DIR="$work/run")
mkdir -p "$work/home" "$work/run"
chmod 777 "$work" "$work/home"
chmod 700 "$work/run"
chown nobody:nogroup "$work/run"
"${as_nobody[@]}" /usr/bin/tracemap-cli trace 198.18.10.1 --method icmp --json >"$work/trace.json" ||
    fail "unprivileged ICMP trace failed: $(cat "$work/trace.json")"
python3 - "$work/trace.json" <<'PY' || fail "the unprivileged ICMP trace did not reach 198.18.10.1 over 7 hops"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc.get("method") == "icmp", doc.get("method")
assert doc.get("reached") is True, doc.get("reached")
hops = doc["ping_time"]  # the hop list, named as in the agent/CLI document
assert len(hops) == 7, len(hops)
assert hops[-1]["responders"] == ["198.18.10.1"], hops[-1]["responders"]
print("test_package: unprivileged ICMP trace over", doc.get("transport"), "reached in", len(hops), "hops")
PY

"${as_nobody[@]}" QT_QPA_PLATFORM=offscreen /usr/bin/tracemap --trace 198.18.10.1 --offline \
    --export-image "$work/home/map.png" --size 640x400 --quit-when-done >"$work/gui.log" 2>&1 ||
    {
        cat "$work/gui.log" >&2
        fail "tracemap --trace … --export-image … --quit-when-done from /usr/bin"
    }
[ "$(head -c 8 "$work/home/map.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    fail "the exported image is not a PNG"

# 5. Purge; nothing of theirs may be left.
say "apt-get purge"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${packages[@]}" >"$work/purge.log" 2>&1 ||
    {
        tail -n 40 "$work/purge.log" >&2
        fail "apt-get purge failed"
    }
installed_by_us=0
left=()
while IFS= read -r f; do
    case "$f" in
    /. | /usr | /usr/* | /etc | /lib | /lib/systemd | /lib/systemd/system) [ -d "$f" ] && continue ;;
    esac
    if [ -e "$f" ] && [ ! -d "$f" ]; then left+=("$f"); fi
done <"$work/files.txt"
[ -e /etc/tracemap ] && left+=(/etc/tracemap)
[ "${#left[@]}" -eq 0 ] || fail "left after purge: ${left[*]}"
say "PASS"
