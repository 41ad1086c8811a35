#pragma once
// User overrides: the user's own word on where prefixes are, which beats every other source
// (including special ranges, so private networks can be placed). Two line formats, which may
// be mixed in one file:
//   prefix,latitude,longitude,label          e.g. 10.1.0.0/16,52.52,13.40,Berlin office
//   prefix,country,region,city,postal        RFC 8805 geofeed, e.g. 192.0.2.0/24,DE,DE-BE,Berlin,
// '#' starts a comment, blank lines are skipped, a bare address is a /32 or /128. A malformed
// line is reported as "file:line: problem" and skipped; the rest of the file still loads.

#include "geotypes.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

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

    int size() const { return int(m_entries.size()); }
    bool isEmpty() const { return m_entries.isEmpty(); }
    const QList<OverrideEntry> &entries() const { return m_entries; }

    // Sets the coordinates found for a geofeed entry (by index into entries()).
    void setCoordinates(int index, double latitude, double longitude, double accuracyKm);
    int indexOf(const OverrideEntry *entry) const;

private:
    QList<OverrideEntry> m_entries;
};

} // namespace tracemap
