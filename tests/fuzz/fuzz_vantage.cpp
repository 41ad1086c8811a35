// libFuzzer harness for the readers of remote vantage points' answers (core/atlasresult.h,
// core/globalping.h): RIPE Atlas results and Globalping measurements come from a server or a
// file anyone can hand over. Any bytes give either routes or one error with a one-line message;
// never a crash, and every route a parser returns is one a map can draw (TTLs 1..255, rising).
#include "atlasresult.h"
#include "globalping.h"

#include <cstddef>
#include <cstdint>

using namespace tracemap;

namespace {

void require(bool condition)
{
    if (!condition)
        __builtin_trap(); // a broken invariant is a bug like a crash: libFuzzer saves the input
}

void requireOneLine(const QString &message)
{
    require(!message.isEmpty() && !message.contains(QLatin1Char('\n')));
}

void requireDrawable(const VantageTrace &route)
{
    int last = 0;
    for (const Hop &hop : route.trace.hops) {
        require(hop.ttl > last && hop.ttl <= 255);
        last = hop.ttl;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));

    const AtlasParseOutcome atlas = parseAtlasResults(bytes);
    if (atlas.ok()) {
        for (const AtlasResult &result : atlas.results)
            requireDrawable(toVantageTrace(result));
    } else {
        requireOneLine(atlas.message);
    }

    const GlobalpingParseOutcome globalping = parseGlobalpingMeasurement(bytes);
    if (globalping.ok()) {
        for (const VantageTrace &route : globalping.measurement.routes)
            requireDrawable(route);
    } else {
        requireOneLine(globalping.message);
    }

    int probes = -1;
    QString error;
    if (parseGlobalpingCreated(bytes, &probes, &error).isEmpty())
        requireOneLine(error);
    return 0;
}
