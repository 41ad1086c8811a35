#include "hostnamehintsabbrev.h"

#include "gazetteer.h"

#include <algorithm>

namespace tracemap {

namespace {

// Routers sit in towns of some size: a code that begins a name may mean a town of 10,000
// (Reston, Secaucus); letters scattered through a name only a city of 50,000, since short
// letter sets occur in order in many names.
constexpr qint64 kPrefixFloor = 10000;
constexpr qint64 kInOrderFloor = 50000;
// Three letters in order are specific only for the biggest cities ("osk" Osaka, "rjo" Rio).
constexpr qint64 kShortInOrderFloor = 1000000;
// ... or of a country's big cities when the name states that one country ("hki.fi": Helsinki),
// or of a state's when it states the state (AT&T's "ptdor": Portland, Oregon).
constexpr qint64 kStatedShortInOrderFloor = 300000;
// A place whose name begins with the code wins unless one that holds the letters in order is
// this many times bigger ("nyk": New York City, not Nyköping; "palo": Palo Alto, not Palermo).
constexpr qint64 kMetropolisFactor = 20;
// A code beginning the name of a city this big is read outside a table's countries when that
// city is this many times bigger than the reading inside them.
constexpr qint64 kWorldCityPopulation = 1000000;
constexpr qint64 kWorldCityFactor = 5;

struct Scope
{
    QString country;
    QString region;
};

// The scopes to search: each (country, region) pair, or the whole world when both are open.
QList<Scope> scopesOf(const QStringList &countries, const QStringList &regions)
{
    QList<Scope> out;
    for (const QString &r : regions)
        out.append(Scope{r.left(2), r.mid(3)});
    if (out.isEmpty()) {
        for (const QString &c : countries)
            out.append(Scope{c, QString()});
    }
    if (out.isEmpty())
        out.append(Scope{});
    return out;
}

// The most populous place in the scopes matching the letters, above the floor: one pass over
// the places that share the first letter(s), most populous first.
std::optional<int> bestPlace(const Gazetteer &g, const QString &letters, const QList<Scope> &scopes,
                             bool prefix, qint64 floor = 0)
{
    if (floor == 0)
        floor = prefix ? kPrefixFloor : kInOrderFloor;
    const bool one = scopes.size() == 1;
    const QByteArray wanted = letters.toLatin1();
    const auto inScope = [&](int row) {
        return std::any_of(scopes.cbegin(), scopes.cend(), [&](const Scope &s) {
            return (s.country.isEmpty() || g.countryCode(row) == s.country) &&
                   (s.region.isEmpty() || g.regionCode(row) == s.region);
        });
    };
    if (!prefix) {
        // Letters in order: the places of that initial, most populous first, down to the floor.
        for (int row : g.byInitial(wanted.isEmpty() ? '\0' : wanted.front())) {
            if (g.population(row) < floor)
                break;
            if (inScope(row) && isAbbreviationOf(wanted, g.key(row)))
                return row;
        }
        return std::nullopt;
    }
    for (int row : g.findPrefix(wanted, one ? scopes.first().country : QString(),
                                one ? scopes.first().region : QString())) {
        if (g.population(row) < floor)
            break; // rows come most populous first
        if (one || inScope(row))
            return row;
    }
    return std::nullopt;
}

} // namespace

bool isAbbreviationOf(QByteArrayView letters, QByteArrayView key)
{
    if (letters.isEmpty() || key.isEmpty() || letters.front() != key.front())
        return false;
    qsizetype at = 0;
    for (qsizetype i = 1; i < letters.size(); ++i) {
        at = key.indexOf(letters.at(i), at + 1);
        if (at < 0)
            return false;
    }
    return true;
}

std::optional<AbbreviationReading> readAbbreviation(const Gazetteer &g, const QString &code,
                                                    const QStringList &countries, const QStringList &regions,
                                                    bool stated)
{
    if (code.size() < 3)
        return std::nullopt;
    for (QChar c : code) {
        if (c < u'a' || c > u'z')
            return std::nullopt;
    }
    const QList<Scope> scopes = scopesOf(countries, regions);
    // Letters scattered through a name match too many places world-wide: in order only within
    // an operator's scope.
    const bool scoped = !countries.isEmpty() || !regions.isEmpty();
    // (1) The code begins the name, unless a far bigger place holds its letters in order.
    if (const auto row = bestPlace(g, code, scopes, true)) {
        const auto metropolis = scoped ? bestPlace(g, code, scopes, false) : std::nullopt;
        if (metropolis && g.population(*metropolis) > kMetropolisFactor * g.population(*row))
            return AbbreviationReading{*metropolis, false, {}};
        return AbbreviationReading{*row, true, {}};
    }
    // (2) City letters + a region label of the operator's countries ("satx", "bostma").
    QList<Scope> split;
    const QString label = code.right(2);
    if (code.size() >= 4 && regions.isEmpty()) {
        for (const QString &r : g.regionsForAbbreviation(label)) {
            const QString cc = r.left(2);
            const bool inScope = countries.isEmpty()
                                     ? (cc == QLatin1String("US") || cc == QLatin1String("CA"))
                                     : countries.contains(cc);
            if (inScope)
                split.append(Scope{cc, r.mid(3)});
        }
    }
    const QString cityLetters = code.chopped(2);
    // Three or more city letters beginning a name in that region ("bostma") are strong; two
    // ("satx") only when the whole code does not read in order ("kanc": Kansas City, not
    // Kannapolis, NC).
    if (!split.isEmpty() && cityLetters.size() >= 3) {
        if (const auto row = bestPlace(g, cityLetters, split, true))
            return AbbreviationReading{*row, true, label};
    }
    // (3) The letters in order through the name, for codes long enough to be specific.
    if (code.size() >= 3 && scoped) {
        const qint64 shortFloor = (stated && countries.size() == 1) || !regions.isEmpty()
                                      ? kStatedShortInOrderFloor
                                      : kShortInOrderFloor;
        if (const auto row = bestPlace(g, code, scopes, false, code.size() == 3 ? shortFloor : 0))
            return AbbreviationReading{*row, false, {}};
    }
    if (!split.isEmpty() && cityLetters.size() == 2) {
        if (const auto row = bestPlace(g, cityLetters, split, true))
            return AbbreviationReading{*row, true, label};
    }
    if (!split.isEmpty() && cityLetters.size() >= 3) {
        if (const auto row = bestPlace(g, cityLetters, split, false))
            return AbbreviationReading{*row, false, label};
    }
    return std::nullopt;
}

QList<int> worldCitiesAbbreviated(const Gazetteer &g, const QString &code, int limit)
{
    QList<int> out;
    if (code.size() < 3)
        return out;
    const QByteArray letters = code.toLatin1();
    for (int row : g.byInitial(letters.front())) {
        if (out.size() >= limit || g.population(row) < kWorldCityPopulation)
            break; // rows come most populous first
        if (isAbbreviationOf(letters, g.key(row)))
            out.append(row);
    }
    return out;
}

std::optional<int> worldCityBeginning(const Gazetteer &g, const QString &code)
{
    if (code.size() < 3 ||
        !std::all_of(code.cbegin(), code.cend(), [](QChar c) { return c >= u'a' && c <= u'z'; }))
        return std::nullopt;
    const QList<int> rows = g.findPrefix(code.toLatin1(), QString(), QString()); // most populous first
    if (rows.isEmpty() || g.population(rows.first()) < kWorldCityPopulation)
        return std::nullopt;
    return rows.first();
}

std::optional<AbbreviationReading> readAbbreviationBeyondTable(const Gazetteer &g, const QString &code,
                                                               const QStringList &tableCountries)
{
    const auto inTable = readAbbreviation(g, code, tableCountries, {});
    const auto world = worldCityBeginning(g, code);
    if (world && (!inTable || g.population(*world) >= kWorldCityFactor * g.population(inTable->row)))
        return AbbreviationReading{*world, true, {}};
    return inTable;
}

} // namespace tracemap
