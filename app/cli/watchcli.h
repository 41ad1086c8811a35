// tracemap-cli watch: repeats the trace in rounds (WatchSession) and shows mtr-style
// statistics — a live table on a terminal (q or Ctrl+C ends it), one line per hop per round
// otherwise, and at the end the report table, the JSON document (--json) or CSV (--csv).
#pragma once

#include "cliargs.h"

namespace tracemap::cli {

// Runs the watch to its end; returns the exit status (0 destination answered, 1 not).
int runWatch(const Options &options);

} // namespace tracemap::cli
