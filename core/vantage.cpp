#include "vantage.h"

#include "metatypes.h"

#include <algorithm>
#include <cmath>

namespace tracemap {

QString toString(VantageKind kind)
{
    switch (kind) {
    case VantageKind::ThisMachine:
        return QStringLiteral("this-machine");
    case VantageKind::Agent:
        return QStringLiteral("agent");
    case VantageKind::RipeAtlas:
        return QStringLiteral("ripe-atlas");
    case VantageKind::Globalping:
        return QStringLiteral("globalping");
    }
    return {};
}

QString VantagePoint::place() const
{
    if (!city.isEmpty() && !country.isEmpty())
        return QStringLiteral("%1, %2").arg(city, country);
    return city.isEmpty() ? country : city;
}

QUrl apiUrl(const QUrl &base, const QString &path)
{
    QUrl url = base;
    QString prefix = base.path();
    while (prefix.endsWith(QLatin1Char('/')))
        prefix.chop(1);
    url.setPath(prefix + path);
    url.setQuery(QString());
    return url;
}

QString jsonLabel(const QJsonValue &value, int maxLength)
{
    if (value.isString())
        return value.toString().simplified().left(maxLength);
    // A number is shown as a whole number; one beyond 1e15 is no label (and converting it to
    // an integer would be undefined).
    if (value.isDouble() && std::isfinite(value.toDouble()) && std::abs(value.toDouble()) < 1e15)
        return QString::number(qint64(value.toDouble()));
    return {};
}

int retryAfterSeconds(const QByteArray &value, const QDateTime &nowUtc)
{
    const QByteArray text = value.trimmed();
    if (text.isEmpty())
        return -1;
    constexpr qint64 day = 24 * 3600;
    bool ok = false;
    const qint64 seconds = text.toLongLong(&ok);
    if (ok)
        return seconds < 0 ? -1 : int(std::min(seconds, day));
    const QDateTime when = QDateTime::fromString(QString::fromLatin1(text), Qt::RFC2822Date);
    if (!when.isValid())
        return -1;
    return int(std::clamp(nowUtc.secsTo(when), qint64(0), day));
}

void registerVantageTypes()
{
    registerTraceTypes();
    registerMetaTypes<VantagePoint, VantageTrace>();
}

} // namespace tracemap
