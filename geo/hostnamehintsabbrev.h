#pragma once
// Reading a router-name code that no table lists as an abbreviation of a place, the way hoiho
// (Luckie et al., CoNEXT 2021) reads operators' "abbrev" codes: the code's first letter is the
// place's first letter and its other letters follow in the place's name in order ("nash" ->
// Nashville, "slou" -> Slough, "rest" -> Reston), the most populous such place in the operator's
// scope winning; a code ending in a state or province label is city letters + region ("satx" ->
// San Antonio, TX).
//
// Contract: pure function of the gazetteer and its arguments. Order of preference, each
// restricted to the scope: (1) the code begins the place's name (unless a place 20 times bigger
// holds the letters in order: "nyk" is New York City, not Nyköping), (2) three or more city
// letters + region label, the city letters beginning the name, (3) the letters in order (codes
// of 4+ letters in places of 50,000, of 3 letters in cities of a million (300,000 in a country
// the name states), never world-wide:
// "kanc" -> Kansas City, "osk" -> Osaka), (4) two city letters + region
// label
// ("satx"), (5) city letters in order + region label. Small places are never guessed (see the
// population floors in the .cpp).

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace tracemap {

class Gazetteer;

struct AbbreviationReading
{
    int row = -1;       // gazetteer row of the place
    bool prefix = true; // the letters begin the name (stronger) rather than occur in it in order
    QString region;     // the region label the code ended with ("tx"), or empty
};

// `countries`: ISO codes the operator names places in (empty: any country, but a trailing region
// label is then only read as a US state or Canadian province). `regions`: "US.TX"-style regions
// the name's own region label says (empty: no restriction). `stated`: the name itself states
// the one country (".hki.fi."), so three letters in order may name a smaller city (Helsinki).
std::optional<AbbreviationReading> readAbbreviation(const Gazetteer &gazetteer, const QString &code,
                                                    const QStringList &countries, const QStringList &regions,
                                                    bool stated = false);

// For a rule whose scope is only the countries its code table lists: readAbbreviation in them,
// except that a city of a million anywhere whose name the code begins wins over a place five
// times smaller inside them ("prag": Prague, not Praga Południe in Warsaw). A table lists where
// the names seen so far were, not every place a global carrier is.
std::optional<AbbreviationReading> readAbbreviationBeyondTable(const Gazetteer &gazetteer,
                                                               const QString &code,
                                                               const QStringList &tableCountries);

// World cities of a million or more whose name the letters abbreviate (first letter first, the
// others in order: "tap" -> Taipei, "buc" -> Bucharest), most populous first, at most `limit`.
// Too loose to place a name on its own; the hint offers them only as the last alternatives, for
// the chain's RTT check to choose from when light could not have reached every other reading.
QList<int> worldCitiesAbbreviated(const Gazetteer &gazetteer, const QString &code, int limit);

// The most populous city of a million or more whose name the code (three or more letters a-z)
// begins ("buc" -> Bucharest, "new" -> New York City), if any.
std::optional<int> worldCityBeginning(const Gazetteer &gazetteer, const QString &code);

// True when `letters` starts with the first letter of `key` and the rest occur in `key` in order.
bool isAbbreviationOf(QByteArrayView letters, QByteArrayView key);

} // namespace tracemap
