#!/usr/bin/env bash
# Fails when a production source file (C++ or QML under base/ core/ geo/ map/ ui/ app/) is
# longer than 600 lines: past that a file usually does more than one job (docs/architecture.md).
# Run by ctest as `source_file_sizes`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
limit=600
status=0
while IFS= read -r -d '' file; do
    lines=$(wc -l <"$file")
    if [ "$lines" -gt "$limit" ]; then
        echo "$file: $lines lines (at most $limit: split it by job)" >&2
        status=1
    fi
done < <(find base core geo map ui app -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.qml' \) -print0)
[ "$status" -eq 0 ] && echo "every production source file has at most $limit lines"
exit "$status"
