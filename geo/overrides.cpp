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

namespace {

constexpr int kMaxReportedProblems = 100;
constexpr char kFieldSeparator = '\x1f';

bool prefixContains(const std::array<quint8, 16> &network, int length, const std::array<quint8, 16> &address)
{
    const int fullBytes = length / 8;
    for (int i = 0; i < fullBytes; ++i) {
        if (network[i] != address[i])
            return false;
    }
    const int rest = length % 8;
    if (rest == 0)
        return true;
    const quint8 mask = quint8(0xff << (8 - rest));
    return (network[fullBytes] & mask) == (address[fullBytes] & mask);
}

std::array<quint8, 16> bytesOf(const QHostAddress &a)
{
    std::array<quint8, 16> out{};
    if (a.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 v4 = a.toIPv4Address();
        out = {quint8(v4 >> 24), quint8(v4 >> 16), quint8(v4 >> 8), quint8(v4)};
    } else {
        const Q_IPV6ADDR v6 = a.toIPv6Address();
        for (int i = 0; i < 16; ++i)
            out[i] = v6[i];
    }
    return out;
}

} // namespace

bool OverrideTable::loadFile(const QString &path, QStringList *problems)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
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
    // Count the lines first so the records are allocated once: growing a vector by doubling
    // would briefly hold one and a half copies of it.
    qint64 lines = 0;
    {
        QByteArray chunk;
        while (!(chunk = file.read(1 << 20)).isEmpty())
            lines += chunk.count('\n') + 1;
        file.seek(0);
    }
    m_records.reserve(m_records.size() + size_t(lines));
    // Line by line: the file is never held whole (nor as UTF-16, nor split into a list).
    const quint16 source = quint16(m_sources.size());
    m_sources << path;
    int reported = 0;
    quint32 lineNumber = 0;
    QByteArray buffer;
    while (!file.atEnd()) {
        buffer = file.readLine(64 * 1024);
        ++lineNumber;
        if (buffer.endsWith('\n'))
            buffer.chop(1);
        if (buffer.endsWith('\r'))
            buffer.chop(1);
        parseLine(QString::fromUtf8(buffer), lineNumber, source, problems, &reported);
    }
    if (problems && reported > kMaxReportedProblems)
        *problems << QStringLiteral("%1: %2 more problems not listed")
                         .arg(path)
                         .arg(reported - kMaxReportedProblems);
    m_text.squeeze();
    return true;
}

void OverrideTable::loadText(const QString &text, const QString &sourceName, QStringList *problems)
{
    const quint16 source = quint16(m_sources.size());
    m_sources << sourceName;
    int reported = 0;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        QString line = lines.at(i);
        if (line.endsWith(QLatin1Char('\r')))
            line.chop(1);
        parseLine(line, quint32(i + 1), source, problems, &reported);
    }
    if (problems && reported > kMaxReportedProblems)
        *problems << QStringLiteral("%1: %2 more problems not listed")
                         .arg(sourceName)
                         .arg(reported - kMaxReportedProblems);
}

void OverrideTable::parseLine(const QString &line, quint32 lineNumber, quint16 source, QStringList *problems,
                              int *reported)
{
    static const QRegularExpression countryCode(QStringLiteral("^[A-Za-z]{2}$"));
    const QString trimmed = line.trimmed();
    if (trimmed.isEmpty() || trimmed.startsWith(QLatin1Char('#')))
        return;
    auto report = [&](const QString &problem) {
        if (problems && ++*reported <= kMaxReportedProblems)
            *problems << QStringLiteral("%1:%2: %3").arg(m_sources.at(source)).arg(lineNumber).arg(problem);
    };
    const QStringList fields = splitCsv(trimmed);
    QHostAddress network;
    int prefixLength = 0;
    QString problem;
    if (!parsePrefix(fields.at(0), &network, &prefixLength, &problem)) {
        report(problem);
        return;
    }
    if (fields.size() < 2) {
        report(QStringLiteral(
            "expected 'prefix,latitude,longitude,label' or 'prefix,country,region,city,postal'"));
        return;
    }
    Record r;
    r.address = bytesOf(network);
    r.ipv6 = network.protocol() == QAbstractSocket::IPv6Protocol;
    r.prefixLength = quint8(prefixLength);
    r.source = source;
    r.line = lineNumber;
    QString text;
    bool latitudeIsNumber = false;
    fields.at(1).toDouble(&latitudeIsNumber);
    if (latitudeIsNumber) {
        if (fields.size() < 3) {
            report(QStringLiteral("latitude without longitude"));
            return;
        }
        if (!parseNumber(fields.at(1), -90, 90, &r.latitude)) {
            report(QStringLiteral("latitude '%1' is not between -90 and 90").arg(fields.at(1)));
            return;
        }
        if (!parseNumber(fields.at(2), -180, 180, &r.longitude)) {
            report(QStringLiteral("longitude '%1' is not a number between -180 and 180").arg(fields.at(2)));
            return;
        }
        r.accuracyKm = 0;
        text = fields.mid(3).join(QStringLiteral(", ")).trimmed();
    } else {
        const QString country = fields.at(1);
        if (!country.isEmpty() && !countryCode.match(country).hasMatch()) {
            report(QStringLiteral("'%1' is neither a latitude nor a two-letter country code").arg(country));
            return;
        }
        if (country.isEmpty() && fields.value(3).isEmpty()) {
            report(QStringLiteral("geofeed line names neither a country nor a city"));
            return;
        }
        r.geofeed = true;
        text = country.toUpper() + QLatin1Char(kFieldSeparator) + fields.value(2) +
               QLatin1Char(kFieldSeparator) + fields.value(3);
    }
    r.text = quint32(m_text.size());
    m_text += text.toUtf8();
    m_text += '\0';
    m_records.push_back(r);
}

OverrideEntry OverrideTable::build(int index) const
{
    const Record &r = m_records.at(size_t(index));
    OverrideEntry e;
    if (r.ipv6) {
        Q_IPV6ADDR v6;
        for (int i = 0; i < 16; ++i)
            v6[i] = r.address[size_t(i)];
        e.network = QHostAddress(v6);
    } else {
        e.network = QHostAddress((quint32(r.address[0]) << 24) | (quint32(r.address[1]) << 16) |
                                 (quint32(r.address[2]) << 8) | r.address[3]);
    }
    e.prefixLength = r.prefixLength;
    e.geofeed = r.geofeed;
    e.origin = QStringLiteral("%1:%2").arg(m_sources.at(r.source)).arg(r.line);
    e.place.latitude = r.latitude;
    e.place.longitude = r.longitude;
    e.place.accuracyKm = r.accuracyKm;
    const QString text = QString::fromUtf8(m_text.constData() + r.text);
    if (!r.geofeed) {
        e.label = text;
        e.place.displayName = text;
        return e;
    }
    const QStringList parts = text.split(QLatin1Char(kFieldSeparator));
    e.place.countryCode = parts.value(0);
    e.place.region = parts.value(1);
    e.place.city = parts.value(2);
    QStringList label;
    for (const QString &part : {e.place.city, e.place.region, e.place.countryCode}) {
        if (!part.isEmpty())
            label << part;
    }
    e.label = label.join(QStringLiteral(", "));
    return e;
}

const OverrideEntry &OverrideTable::entry(int index) const
{
    auto &slot = m_built[index];
    if (!slot)
        slot = std::make_unique<OverrideEntry>(build(index));
    return *slot;
}

const OverrideEntry *OverrideTable::match(const QHostAddress &input) const
{
    const QHostAddress address = normalizedAddress(input);
    const bool ipv6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    const std::array<quint8, 16> bytes = bytesOf(address);
    int best = -1;
    for (size_t i = 0; i < m_records.size(); ++i) {
        const Record &r = m_records[i];
        if (r.ipv6 != ipv6)
            continue;
        if ((best < 0 || r.prefixLength >= m_records[size_t(best)].prefixLength) &&
            prefixContains(r.address, r.prefixLength, bytes))
            best = int(i);
    }
    return best < 0 ? nullptr : &entry(best);
}

int OverrideTable::indexOf(const OverrideEntry *e) const
{
    for (const auto &[index, built] : m_built) {
        if (built.get() == e)
            return index;
    }
    return -1;
}

void OverrideTable::setCoordinates(int index, double latitude, double longitude, double accuracyKm)
{
    if (index < 0 || index >= size())
        return;
    Record &r = m_records[size_t(index)];
    r.latitude = latitude;
    r.longitude = longitude;
    r.accuracyKm = accuracyKm;
    if (auto it = m_built.find(index); it != m_built.end()) {
        it->second->place.latitude = latitude;
        it->second->place.longitude = longitude;
        it->second->place.accuracyKm = accuracyKm;
    }
}

} // namespace tracemap
