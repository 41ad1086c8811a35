#include "gazetteer.h"

#include <QFile>
#include <QSet>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace tracemap {

namespace {

// Splits one line at tabs without copying; returns the number of fields found.
int splitFields(QByteArrayView line, QByteArrayView *fields, int maxFields)
{
    int count = 0;
    qsizetype start = 0;
    while (count < maxFields) {
        const qsizetype tab = line.indexOf('\t', start);
        if (tab < 0) {
            fields[count++] = line.sliced(start);
            break;
        }
        fields[count++] = line.sliced(start, tab - start);
        start = tab + 1;
    }
    return count;
}

template<typename T> bool parseNumber(QByteArrayView text, T *value)
{
    const auto result = std::from_chars(text.data(), text.data() + text.size(), *value);
    return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

bool readAll(const QString &path, QByteArray *data, QStringList *errors)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (errors)
            *errors << QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    *data = file.readAll();
    return true;
}

} // namespace

std::shared_ptr<const Gazetteer> Gazetteer::load(const QString &gazetteerTsv, const QString &admin1Tsv,
                                                 QStringList *errors)
{
    auto gazetteer = std::make_shared<Gazetteer>();
    if (gazetteer->parse(gazetteerTsv, errors))
        gazetteer->parseAdmin1(admin1Tsv, errors);
    return gazetteer;
}

bool Gazetteer::parse(const QString &path, QStringList *errors)
{
    if (!readAll(path, &m_data, errors))
        return false;
    m_rows.reserve(140000);
    const QByteArrayView all(m_data);
    qsizetype pos = 0;
    int bad = 0;
    QByteArrayView previousKey;
    while (pos < all.size()) {
        qsizetype end = all.indexOf('\n', pos);
        if (end < 0)
            end = all.size();
        const QByteArrayView line = all.sliced(pos, end - pos);
        pos = end + 1;
        if (line.isEmpty() || line.front() == '#')
            continue;
        QByteArrayView f[8];
        const int fields = splitFields(line, f, 8);
        Row row;
        double lat = 0, lon = 0;
        const bool ok = fields >= 7 && !f[0].isEmpty() && f[0].size() < 256 && f[1].size() < 256 &&
                        f[2].size() < 256 && f[3].size() == 2 && parseNumber(f[4], &lat) &&
                        parseNumber(f[5], &lon) && parseNumber(f[6], &row.population) && lat >= -90 &&
                        lat <= 90 && lon >= -180 && lon <= 180 && previousKey <= f[0];
        if (!ok) {
            ++bad;
            continue;
        }
        previousKey = f[0];
        row.key = quint32(f[0].data() - all.data());
        row.keyLength = quint8(f[0].size());
        row.nameLength = quint8(f[1].size());
        row.admin1 = quint32(f[2].data() - all.data());
        row.admin1Length = quint8(f[2].size());
        row.country[0] = f[3][0];
        row.country[1] = f[3][1];
        row.latitude = float(lat);
        row.longitude = float(lon);
        const quint32 rowNumber = quint32(m_rows.size());
        m_rows.push_back(row);
        // Alternate keys: "francfort,frankfurt,..."
        QByteArrayView alternates = fields >= 8 ? f[7] : QByteArrayView();
        while (!alternates.isEmpty()) {
            qsizetype comma = alternates.indexOf(',');
            const QByteArrayView alt = comma < 0 ? alternates : alternates.first(comma);
            if (!alt.isEmpty() && alt.size() < 256)
                m_altKeys.push_back(AltKey{quint32(alt.data() - all.data()), quint8(alt.size()), rowNumber});
            alternates = comma < 0 ? QByteArrayView() : alternates.sliced(comma + 1);
        }
    }
    std::sort(m_altKeys.begin(), m_altKeys.end(),
              [this](const AltKey &a, const AltKey &b) { return altKeyOf(a) < altKeyOf(b); });
    for (size_t i = 0; i < m_rows.size(); ++i) {
        const QByteArrayView key = keyOf(m_rows[i]);
        if (!key.isEmpty() && key.front() >= 'a' && key.front() <= 'z')
            m_byInitial[size_t(key.front() - 'a')].push_back(int(i));
    }
    for (std::vector<int> &rows : m_byInitial) {
        std::stable_sort(rows.begin(), rows.end(), [this](int a, int b) {
            return m_rows[size_t(a)].population > m_rows[size_t(b)].population;
        });
    }
    if (bad > 0 && errors)
        *errors << QStringLiteral("%1: %2 unreadable or unsorted lines skipped").arg(path).arg(bad);
    return true;
}

void Gazetteer::parseAdmin1(const QString &path, QStringList *errors)
{
    QByteArray data;
    if (!readAll(path, &data, errors))
        return;
    for (const QByteArray &line : data.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        QByteArrayView f[3];
        if (splitFields(line, f, 3) < 2)
            continue;
        const QString code = QString::fromUtf8(f[0]);
        m_regionNames.insert(code, QString::fromUtf8(f[1]));
        if (!f[2].isEmpty())
            m_regionsByAbbrev[QString::fromUtf8(f[2])].append(code);
    }
}

QByteArrayView Gazetteer::keyOf(const Row &row) const
{
    return QByteArrayView(m_data.constData() + row.key, row.keyLength);
}

QByteArrayView Gazetteer::altKeyOf(const AltKey &alt) const
{
    return QByteArrayView(m_data.constData() + alt.offset, alt.length);
}

QList<int> Gazetteer::find(QByteArrayView key) const
{
    QList<int> result;
    if (key.isEmpty())
        return result;
    auto rows = std::equal_range(m_rows.begin(), m_rows.end(), key, [this](const auto &a, const auto &b) {
        if constexpr (std::is_same_v<std::decay_t<decltype(a)>, Row>)
            return keyOf(a) < b;
        else
            return a < keyOf(b);
    });
    for (auto it = rows.first; it != rows.second; ++it)
        result.append(int(it - m_rows.begin()));
    auto alts =
        std::equal_range(m_altKeys.begin(), m_altKeys.end(), key, [this](const auto &a, const auto &b) {
            if constexpr (std::is_same_v<std::decay_t<decltype(a)>, AltKey>)
                return altKeyOf(a) < b;
            else
                return a < altKeyOf(b);
        });
    for (auto it = alts.first; it != alts.second; ++it) {
        if (!result.contains(int(it->row)))
            result.append(int(it->row));
    }
    std::stable_sort(result.begin(), result.end(), [this](int a, int b) {
        return m_rows[size_t(a)].population > m_rows[size_t(b)].population;
    });
    return result;
}

QList<int> Gazetteer::findPrefix(QByteArrayView prefix, const QString &countryCode,
                                 const QString &regionCode) const
{
    QList<int> result;
    if (prefix.isEmpty())
        return result;
    auto it = std::lower_bound(m_rows.begin(), m_rows.end(), prefix,
                               [this](const Row &row, QByteArrayView p) { return keyOf(row) < p; });
    for (; it != m_rows.end() && keyOf(*it).startsWith(prefix); ++it) {
        const int row = int(it - m_rows.begin());
        if ((countryCode.isEmpty() || this->countryCode(row) == countryCode) &&
            (regionCode.isEmpty() || this->regionCode(row) == regionCode))
            result.append(row);
    }
    std::stable_sort(result.begin(), result.end(), [this](int a, int b) {
        return m_rows[size_t(a)].population > m_rows[size_t(b)].population;
    });
    return result;
}

const std::vector<int> &Gazetteer::byInitial(char letter) const
{
    return m_byInitial[letter >= 'a' && letter <= 'z' ? size_t(letter - 'a') : m_byInitial.size() - 1];
}

GazetteerPlace Gazetteer::place(int row) const
{
    GazetteerPlace p;
    if (row < 0 || size_t(row) >= m_rows.size())
        return p;
    const Row &r = m_rows[size_t(row)];
    p.key = QString::fromLatin1(keyOf(r));
    p.name = QString::fromUtf8(m_data.constData() + r.key + r.keyLength + 1, r.nameLength);
    p.regionCode = regionCode(row);
    p.countryCode = countryCode(row);
    p.region = m_regionNames.value(p.countryCode + QLatin1Char('.') + p.regionCode);
    p.latitude = r.latitude;
    p.longitude = r.longitude;
    p.population = r.population;
    return p;
}

qint64 Gazetteer::population(int row) const
{
    return m_rows[size_t(row)].population;
}

QString Gazetteer::countryCode(int row) const
{
    return QString::fromLatin1(m_rows[size_t(row)].country, 2);
}

QString Gazetteer::regionCode(int row) const
{
    const Row &r = m_rows[size_t(row)];
    return QString::fromUtf8(m_data.constData() + r.admin1, r.admin1Length);
}

QStringList Gazetteer::regionsForAbbreviation(const QString &abbreviation) const
{
    return m_regionsByAbbrev.value(abbreviation);
}

QStringList Gazetteer::countryCodes() const
{
    QSet<QString> codes;
    for (const Row &r : m_rows)
        codes.insert(QString::fromLatin1(r.country, 2));
    return QStringList(codes.cbegin(), codes.cend());
}

} // namespace tracemap
