// libFuzzer harness for the trace-file reader (geo/tracefile.h): any bytes give either a file
// or one error with a one-line message; never a crash. What was accepted must survive a
// write/read round trip unchanged (after the first write, which normalizes numbers), also a
// plain `trace --json` document, which the desktop app accepts and saves as a trace file.
#include "tracefile.h"

#include <cstddef>
#include <cstdint>

using namespace tracemap;

namespace {

void require(bool condition)
{
    if (!condition)
        __builtin_trap(); // a broken invariant is a bug like a crash: libFuzzer saves the input
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    // As the desktop app reads (plain `trace --json` output accepted); what it accepts beyond
    // the strict reader is exactly the plain traces.
    const TraceFileReadResult first = parseTraceFile(bytes, PlainTrace::Accept);
    const TraceFileReadResult strict = parseTraceFile(bytes);
    require(strict.ok() == (first.ok() && !first.plainTrace));
    if (!first.ok()) {
        require(!first.message.isEmpty() && !first.message.contains(QLatin1Char('\n')));
        return 0;
    }
    const QByteArray written = serializeTraceFile(first.file);
    const TraceFileReadResult second = parseTraceFile(written);
    require(second.ok());
    require(serializeTraceFile(second.file) == written);
    return 0;
}
