#include "perfstats.h"

#include <algorithm>

namespace tracemap {

QString percentileSummary(QList<double> samples)
{
    if (samples.isEmpty())
        return QStringLiteral("n=0");
    std::sort(samples.begin(), samples.end());
    const auto at = [&](double q) {
        return samples.at(std::min<qsizetype>(samples.size() - 1, qsizetype(q * samples.size())));
    };
    return QStringLiteral("n=%1 median=%2 p95=%3 max=%4")
        .arg(samples.size())
        .arg(at(0.5), 0, 'f', 2)
        .arg(at(0.95), 0, 'f', 2)
        .arg(samples.last(), 0, 'f', 2);
}

} // namespace tracemap
