#include "overrides.h"

#include "specialranges.h"

#include <QFile>
#include <QRegularExpression>

#include <cmath>

namespace tracemap {

namespace {

// Splits one CSV line; double quotes protect commas (geofeeds and labels may quote fields).
QStringList splitCsv(const QString &line)
{
    QStringList fields;
    QString current;
    bool quoted = false;
    for (int i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (c == QLatin1Char('"')) {
            if (quoted && i + 1 < line.size() && line.at(i + 1) == QLatin1Char('"')) {
                current += c;
                ++i;
            } else {
                quoted = !quoted;
            }
        } else if (c == QLatin1Char(',') && !quoted) {
            fields << current.trimmed();
            current.clear();
        } else {
            current += c;
        }
    }
    fields << current.trimmed();
    return fields;
}

bool parsePrefix(const QString &text, QHostAddress *network, int *length, QString *problem)
{
    if (!text.contains(QLatin1Char('/'))) {
        QHostAddress host(text);
        if (host.isNull() || text.contains(QLatin1Char('%'))) {
            *problem = QStringLiteral("'%1' is not an IP address or prefix").arg(text);
            return false;
        }
        *network = normalizedAddress(host);
        *length = network->protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128;
        return true;
    }
    const QPair<QHostAddress, int> subnet = QHostAddress::parseSubnet(text);
    if (subnet.first.isNull() || subnet.second < 0) {
        *problem = QStringLiteral("'%1' is not an IP prefix").arg(text);
        return false;
    }
    // parseSubnet masks host bits away, which is what a prefix with stray host bits means.
    *network = subnet.first;
    *length = subnet.second;
    return true;
}

bool parseNumber(const QString &text, double min, double max, double *out)
{
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok || !std::isfinite(v) || v < min || v > max)
        return false;
    *out = v;
    return true;
}

} // namespace

bool OverrideTable::loadFile(const QString &path, QStringList *problems)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        if (problems)
            *problems << QStringLiteral("%1: cannot read: %2").arg(path, file.errorString());
        return false;
    }
    // Override files are small by nature; refuse anything absurd rather than eat memory.
    constexpr qint64 maxBytes = 64LL * 1024 * 1024;
    if (file.size() > maxBytes) {
        if (problems)
            *problems << QStringLiteral("%1: larger than 64 MB, not loaded").arg(path);
        return false;
    }
    loadText(QString::fromUtf8(file.readAll()), path, problems);
    return true;
}

void OverrideTable::loadText(const QString &text, const QString &sourceName, QStringList *problems)
{
    static const QRegularExpression countryCode(QStringLiteral("^[A-Za-z]{2}$"));
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        const int lineNumber = i + 1;
        QString line = lines.at(i);
        if (line.endsWith(QLatin1Char('\r')))
            line.chop(1);
        const QString trimmed = line.trimmed();
        if (trimmed.isEmpty() || trimmed.startsWith(QLatin1Char('#')))
            continue;
        const QString origin = QStringLiteral("%1:%2").arg(sourceName).arg(lineNumber);
        auto report = [&](const QString &problem) {
            if (problems)
                *problems << QStringLiteral("%1: %2").arg(origin, problem);
        };
        const QStringList fields = splitCsv(trimmed);
        OverrideEntry entry;
        entry.origin = origin;
        QString problem;
        if (!parsePrefix(fields.at(0), &entry.network, &entry.prefixLength, &problem)) {
            report(problem);
            continue;
        }
        if (fields.size() < 2) {
            report(QStringLiteral(
                "expected 'prefix,latitude,longitude,label' or 'prefix,country,region,city,postal'"));
            continue;
        }
        double latitude = 0;
        double longitude = 0;
        bool latitudeIsNumber = false;
        fields.at(1).toDouble(&latitudeIsNumber);
        if (latitudeIsNumber) {
            if (fields.size() < 3) {
                report(QStringLiteral("latitude without longitude"));
                continue;
            }
            if (!parseNumber(fields.at(1), -90, 90, &latitude)) {
                report(QStringLiteral("latitude '%1' is not between -90 and 90").arg(fields.at(1)));
                continue;
            }
            if (!parseNumber(fields.at(2), -180, 180, &longitude)) {
                report(
                    QStringLiteral("longitude '%1' is not a number between -180 and 180").arg(fields.at(2)));
                continue;
            }
            entry.place.latitude = latitude;
            entry.place.longitude = longitude;
            entry.place.accuracyKm = 0;
            entry.label = fields.mid(3).join(QStringLiteral(", ")).trimmed();
            entry.place.displayName = entry.label;
        } else {
            const QString country = fields.at(1);
            if (!country.isEmpty() && !countryCode.match(country).hasMatch()) {
                report(
                    QStringLiteral("'%1' is neither a latitude nor a two-letter country code").arg(country));
                continue;
            }
            entry.geofeed = true;
            entry.place.countryCode = country.toUpper();
            entry.place.region = fields.value(2);
            entry.place.city = fields.value(3);
            if (entry.place.countryCode.isEmpty() && entry.place.city.isEmpty()) {
                report(QStringLiteral("geofeed line names neither a country nor a city"));
                continue;
            }
            QStringList label;
            for (const QString &part : {entry.place.city, entry.place.region, entry.place.countryCode}) {
                if (!part.isEmpty())
                    label << part;
            }
            entry.label = label.join(QStringLiteral(", "));
        }
        m_entries << entry;
    }
}

const OverrideEntry *OverrideTable::match(const QHostAddress &input) const
{
    const QHostAddress address = normalizedAddress(input);
    const OverrideEntry *best = nullptr;
    for (const OverrideEntry &e : m_entries) {
        if (e.network.protocol() != address.protocol())
            continue;
        if ((!best || e.prefixLength >= best->prefixLength) && address.isInSubnet(e.network, e.prefixLength))
            best = &e;
    }
    return best;
}

int OverrideTable::indexOf(const OverrideEntry *entry) const
{
    for (int i = 0; i < m_entries.size(); ++i) {
        if (&m_entries.at(i) == entry)
            return i;
    }
    return -1;
}

void OverrideTable::setCoordinates(int index, double latitude, double longitude, double accuracyKm)
{
    if (index < 0 || index >= m_entries.size())
        return;
    OverrideEntry &e = m_entries[index];
    e.place.latitude = latitude;
    e.place.longitude = longitude;
    e.place.accuracyKm = accuracyKm;
}

} // namespace tracemap
