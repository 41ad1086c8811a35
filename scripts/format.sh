#!/usr/bin/env bash
# Checks (default) or fixes the formatting of the C++ sources against .clang-format.
#
#   scripts/format.sh          # check: clang-format --dry-run --Werror; exit 1 on a difference
#   scripts/format.sh --fix    # rewrite the files in place
#
# Covers *.cpp and *.h under base/ core/ geo/ map/ ui/ app/ tests/ bench/.
# Without clang-format it prints a note and exits 0. CLANG_FORMAT picks the binary.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

mode=check
case "${1:-}" in
"") ;;
--fix) mode=fix ;;
*)
    echo "usage: scripts/format.sh [--fix]" >&2
    exit 2
    ;;
esac

clang_format=${CLANG_FORMAT:-}
if [ -z "$clang_format" ]; then
    for candidate in clang-format clang-format-{19,18,17,16,15,14}; do
        if command -v "$candidate" >/dev/null 2>&1; then
            clang_format=$candidate
            break
        fi
    done
fi
if [ -z "$clang_format" ]; then
    echo "format: clang-format not found; skipping the format check" >&2
    exit 0
fi

dirs=()
for dir in base core app tests geo map ui bench; do
    [ -d "$dir" ] && dirs+=("$dir")
done
files=()
if [ ${#dirs[@]} -gt 0 ]; then
    mapfile -d '' files < <(find "${dirs[@]}" -type f \( -name '*.cpp' -o -name '*.h' \) -print0 | sort -z)
fi
if [ ${#files[@]} -eq 0 ]; then
    echo "format: no C++ sources to check"
    exit 0
fi

if [ "$mode" = fix ]; then
    "$clang_format" -i --style=file "${files[@]}"
    echo "format: formatted ${#files[@]} files with $clang_format"
    exit 0
fi

if "$clang_format" --dry-run --Werror --style=file "${files[@]}"; then
    echo "format: ${#files[@]} files formatted correctly ($clang_format)"
else
    echo "format: FAILED: files above differ from .clang-format; fix with scripts/format.sh --fix" >&2
    exit 1
fi
