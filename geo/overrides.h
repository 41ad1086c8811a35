#pragma once
// User overrides: the user's own word on where prefixes are, which beats every other source
// (including special ranges, so private networks can be placed). Two line formats, which may
// be mixed in one file:
//   prefix,latitude,longitude,label          e.g. 10.1.0.0/16,52.52,13.40,Berlin office
//   prefix,country,region,city,postal        RFC 8805 geofeed, e.g. 192.0.2.0/24,DE,DE-BE,Berlin,
// '#' starts a comment, blank lines are skipped, a bare address is a /32 or /128. A malformed
// line is reported as "file:line: problem" and skipped; the rest of the file still loads
// (the first 100 problems of a file are listed, then one line counts the rest).
// Memory is bounded: files are read line by line and every entry is a compact record (about
// 60 bytes plus its text), so a table takes at most about twice its file's size; the full
// OverrideEntry is built only for the entries that are asked for (entry(), match()).

#include "geotypes.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

#include <array>
#include <memory>
#include <unordered_map>
#include <vector>

namespace tracemap {

struct OverrideEntry
{
    QHostAddress network;
    int prefixLength = 0;
    GeoPlace place; // coordinates set for CSV lines; geofeed lines have city/region/country only
    QString label;  // CSV label, or the geofeed's "city, region, country"
    QString origin; // "file:line"
    bool geofeed = false;

    bool needsGeocoding() const { return !place.hasCoordinates(); }
    QString prefix() const { return network.toString() + QLatin1Char('/') + QString::number(prefixLength); }
};

class OverrideTable
{
public:
    // Loads one file; false when it could not be read at all (problem reported). Problems of
    // single lines are appended to *problems and do not stop the load.
    bool loadFile(const QString &path, QStringList *problems);
    // Parses text as if read from a file called `sourceName`.
    void loadText(const QString &text, const QString &sourceName, QStringList *problems);

    // The longest prefix holding `address`; for equal prefixes the entry loaded last wins
    // (later files refine earlier ones). Null when none matches.
    const OverrideEntry *match(const QHostAddress &address) const;

    int size() const { return int(m_records.size()); }
    bool isEmpty() const { return m_records.empty(); }
    // The entry at `index` (0 .. size()-1, in load order). The reference stays valid as long
    // as the table (entries are built on first use and kept; not for concurrent readers).
    const OverrideEntry &entry(int index) const;

    // Sets the coordinates found for a geofeed entry (by index).
    void setCoordinates(int index, double latitude, double longitude, double accuracyKm);
    int indexOf(const OverrideEntry *entry) const;

private:
    struct Record
    {
        std::array<quint8, 16> address{}; // IPv4 in the first 4 bytes
        quint8 prefixLength = 0;
        bool ipv6 = false;
        bool geofeed = false;
        quint16 source = 0; // index into m_sources
        quint32 line = 0;
        quint32 text =
            0; // offset into m_text: label (CSV) or country, region, city (geofeed), \x1f-separated
        double latitude = qQNaN();
        double longitude = qQNaN();
        double accuracyKm = -1.0;
    };
    void parseLine(const QString &line, quint32 lineNumber, quint16 source, QStringList *problems,
                   int *reported);
    OverrideEntry build(int index) const;

    std::vector<Record> m_records;
    QByteArray m_text; // every record's text, UTF-8
    QStringList m_sources;
    mutable std::unordered_map<int, std::unique_ptr<OverrideEntry>> m_built;
};

} // namespace tracemap
