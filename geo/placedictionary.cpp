#include "placedictionary.h"

#include "datalines.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>
#include <utility>

Q_LOGGING_CATEGORY(lcPlaces, "tracemap.geo.places", QtWarningMsg)

namespace tracemap {

namespace {
// Letters NFKD does not split into a base letter and a mark, and their ASCII spelling.
constexpr std::pair<char16_t, const char *> kUnsplitLetters[] = {
    {u'ß', "ss"}, {u'ø', "o"}, {u'æ', "ae"}, {u'œ', "oe"},
    {u'ł', "l"},  {u'đ', "d"}, {u'ı', "i"},  {u'þ', "th"},
};
} // namespace

QString PlaceDictionary::normalizeName(const QString &name)
{
    bool ascii = true;
    for (const QChar c : name)
        ascii = ascii && c.unicode() < 128;
    // Most names are ASCII; Unicode decomposition is the slow part of loading.
    const QString decomposed = (ascii ? name : name.normalized(QString::NormalizationForm_KD)).toLower();
    QString out;
    out.reserve(decomposed.size());
    for (const QChar c : decomposed) {
        if (c.unicode() < 128) {
            if ((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9'))
                out += c;
            continue;
        }
        // Combining marks and other scripts are dropped.
        for (const auto &[letter, folded] : kUnsplitLetters) {
            if (c.unicode() == letter) {
                out += QLatin1String(folded);
                break;
            }
        }
    }
    return out;
}

std::shared_ptr<const PlaceDictionary> PlaceDictionary::loadBuiltin()
{
    return load(QStringLiteral(":/geo/airports.tsv"), QStringLiteral(":/geo/gazetteer.tsv"),
                QStringLiteral(":/geo/carrier-codes.tsv"));
}

std::shared_ptr<const PlaceDictionary> PlaceDictionary::sharedBuiltin()
{
    // A function-local static is initialised exactly once, concurrent callers waiting for it.
    static const std::shared_ptr<const PlaceDictionary> shared = loadBuiltin();
    return shared;
}

std::shared_ptr<const PlaceDictionary>
PlaceDictionary::load(const QString &airportsTsv, const QString &gazetteerTsv, const QString &carrierCodesTsv)
{
    auto dictionary = std::make_shared<PlaceDictionary>();
    dictionary->m_entries.reserve(13000);
    dictionary->parseFile(carrierCodesTsv, QStringLiteral("carrier"));
    const QString admin1 = QFileInfo(gazetteerTsv).dir().filePath(QStringLiteral("admin1.tsv"));
    dictionary->m_gazetteer = Gazetteer::load(gazetteerTsv, admin1, &dictionary->m_errors);
    dictionary->parseFile(airportsTsv, QStringLiteral("iata"));
    dictionary->index();
    return dictionary;
}

void PlaceDictionary::parseFile(const QString &path, const QString &kind)
{
    const qsizetype errorsBefore = m_errors.size();
    const QList<DataLine> lines = readDataLines(path, &m_errors);
    if (m_errors.size() > errorsBefore) {
        qCWarning(lcPlaces).noquote() << "cannot read" << m_errors.last();
        return;
    }
    int bad = 0;
    for (const DataLine &line : lines) {
        const QStringList f = line.text.split(u'\t');
        PlaceEntry e;
        QString icao;
        bool okLat = false, okLon = false, okNumber = true;
        if (kind == QLatin1String("iata") && f.size() >= 7) {
            e.kind = kind;
            e.code = f[0].toLower();
            e.city = f[1];
            e.region = f[2];
            e.countryCode = f[3].toUpper();
            e.latitude = f[4].toDouble(&okLat);
            e.longitude = f[5].toDouble(&okLon);
            e.rank = f[6].toInt(&okNumber);
            icao = f.value(7).trimmed().toLower();
        } else if (kind == QLatin1String("carrier") && f.size() >= 7) {
            e.code = f[0].toLower();
            e.kind = f[1];
            e.city = f[2];
            e.region = f[3];
            e.countryCode = f[4].toUpper();
            e.latitude = f[5].toDouble(&okLat);
            e.longitude = f[6].toDouble(&okLon);
            e.note = f.value(7);
            e.rank = 2;
            okNumber = e.kind == QLatin1String("clli") || e.kind == QLatin1String("metro");
        } else {
            okNumber = false;
        }
        const bool valid = okLat && okLon && okNumber && !e.code.isEmpty() && e.latitude >= -90 &&
                           e.latitude <= 90 && e.longitude >= -180 && e.longitude <= 180;
        if (!valid) {
            if (++bad <= 5)
                qCWarning(lcPlaces).noquote() << path << "line" << line.number << "skipped";
            continue;
        }
        if (icao.size() == 4) {
            // The same airport under its ICAO code ("eddf"), for names that use those.
            PlaceEntry byIcao = e;
            byIcao.kind = QStringLiteral("icao");
            byIcao.code = icao;
            m_entries.append(std::move(byIcao));
        }
        m_entries.append(std::move(e));
    }
    if (bad > 0)
        m_errors << QStringLiteral("%1: %2 unreadable lines skipped").arg(path).arg(bad);
}

void PlaceDictionary::index()
{
    for (const QString &country : m_gazetteer->countryCodes())
        m_countries.insert(country);
    for (int i = 0; i < m_entries.size(); ++i) {
        const PlaceEntry &e = m_entries.at(i);
        m_countries.insert(e.countryCode);
        m_byCode.insert(e.code, i);
    }
    // Codes get the population of their city, so ranking can prefer big places.
    for (PlaceEntry &e : m_entries) {
        for (int row : m_gazetteer->find(normalizeName(e.city).toLatin1())) {
            if (m_gazetteer->countryCode(row) == e.countryCode) {
                e.population = std::max(e.population, m_gazetteer->population(row));
                break;
            }
        }
    }
}

QList<PlaceEntry> PlaceDictionary::findCode(const QString &code) const
{
    QList<int> hits = m_byCode.values(code.toLower());
    std::sort(hits.begin(), hits.end()); // carriers' file is read first: their codes lead
    QList<PlaceEntry> result;
    for (int i : std::as_const(hits))
        result.append(m_entries.at(i));
    return result;
}

QList<PlaceEntry> PlaceDictionary::findCity(const QString &name, const QString &countryCode) const
{
    const QString key = normalizeName(name);
    QList<PlaceEntry> result;
    if (key.isEmpty())
        return result;
    for (int row : m_gazetteer->find(key.toLatin1())) {
        if (countryCode.isEmpty() ||
            m_gazetteer->countryCode(row).compare(countryCode, Qt::CaseInsensitive) == 0)
            result.append(cityEntry(row));
    }
    return result;
}

PlaceEntry PlaceDictionary::cityEntry(int row) const
{
    const GazetteerPlace place = m_gazetteer->place(row);
    PlaceEntry e;
    e.kind = QStringLiteral("city");
    e.code = place.key;
    e.city = place.name;
    e.region = place.region;
    e.regionCode = place.regionCode;
    e.countryCode = place.countryCode;
    e.latitude = place.latitude;
    e.longitude = place.longitude;
    e.population = place.population;
    return e;
}

bool PlaceDictionary::isCountryCode(const QString &code) const
{
    return m_countries.contains(code.toUpper());
}

int PlaceDictionary::size() const
{
    return int(m_entries.size()) + m_gazetteer->size();
}

QStringList PlaceDictionary::loadErrors() const
{
    return m_errors;
}

} // namespace tracemap
