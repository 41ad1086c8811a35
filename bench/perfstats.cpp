#include "perfstats.h"

#include <QFile>

#include <algorithm>

namespace tracemap {

qint64 residentMemoryKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

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
