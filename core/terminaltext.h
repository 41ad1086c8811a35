// Text from files and the network (override labels, geofeed fields, host names, server
// messages) made safe to write to a terminal: control characters are shown escaped
// (ESC -> "\x1b") instead of being interpreted, so a label cannot move the cursor, retitle
// the window, ring the bell or hide text. The ONE place for this; every printer that writes
// human-readable text to a terminal goes through it. JSON output needs none of it (the
// JSON writer escapes control characters itself).
#pragma once

#include <QString>

#include <cstdio>

namespace tracemap {

// C0 controls except newline and tab, DEL, C1 controls (U+0080-U+009F) and the Unicode
// bidirectional overrides/isolates become "\xNN" / "\u202e"; everything else is unchanged.
QString terminalSafe(const QString &text);

// terminalSafe(line) and a newline on `stream` (stdout, stderr), flushed at once so that
// progress shows while a command runs and the two streams interleave in order.
void printSafeLine(std::FILE *stream, const QString &line);

} // namespace tracemap
