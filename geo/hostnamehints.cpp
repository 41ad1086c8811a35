#include "hostnamehints.h"

#include "hintrule.h"
#include "hostnamehintsabbrev.h"
#include "hostnametokens.h"
#include "plausibility.h"

#include <QHostAddress>

#include <algorithm>

Q_LOGGING_CATEGORY(lcHostnameHints, "tracemap.geo.hostname", QtWarningMsg)

namespace tracemap {

namespace {

using Candidate = HostnameHintProvider::Candidate;

// Below this the evidence is too weak to name a place (measured on tests/data/router-names.tsv
// with bench/geo_accuracy: bare codes of small airports were mostly false positives).
constexpr double kMinimumConfidence = 0.4;

double accuracyFor(const QString &kind)
{
    if (kind == QLatin1String("iata") || kind == QLatin1String("icao") || kind == QLatin1String("locode"))
        return 40.0; // airports lie outside the cities they serve
    if (kind == QLatin1String("metro") || kind == QLatin1String("operator"))
        return 30.0;
    return 25.0;
}

QString placeText(const PlaceEntry &place)
{
    return place.city + QStringLiteral(", ") + place.countryCode;
}

GeoPlace toGeoPlace(const Candidate &c)
{
    GeoPlace place;
    place.latitude = c.place.latitude;
    place.longitude = c.place.longitude;
    place.accuracyKm = accuracyFor(c.kind);
    place.city = c.place.city;
    place.region = c.place.region;
    place.countryCode = c.place.countryCode;
    return place;
}

double iataScore(const PlaceEntry &e, double large, double medium, double other)
{
    return e.rank >= 2 ? large : e.rank == 1 ? medium : other;
}

// Tokens that point at the same city (pvu + paris) are one candidate, a little surer.
QList<Candidate> mergeCandidates(QList<Candidate> candidates)
{
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate &a, const Candidate &b) { return a.score > b.score; });
    QList<Candidate> merged;
    for (const Candidate &c : std::as_const(candidates)) {
        auto same = std::find_if(merged.begin(), merged.end(), [&](const Candidate &m) {
            return m.place.countryCode == c.place.countryCode &&
                   greatCircleKm(m.place.latitude, m.place.longitude, c.place.latitude, c.place.longitude) <
                       40.0;
        });
        if (same == merged.end()) {
            merged.append(c);
        } else if (c.token != same->token && !same->evidence.contains(c.token)) {
            same->evidence << c.token;
            same->score += 0.05;
        }
    }
    std::stable_sort(merged.begin(), merged.end(),
                     [](const Candidate &a, const Candidate &b) { return a.score > b.score; });
    return merged;
}

// A rule's reading of a code its table does not list may be wrong where the operator abbreviates
// a place its own way: PCCW's "tap" is Taipei, IATA TAP is Tapachula; Sparkle's "buc" is
// Bucharest, IATA BUC is Burketown. The abbreviation reading is kept as an alternative below
// every other candidate, so it never changes the first reading but is what the chain's RTT check
// falls back on when light could not have reached that first reading (arbitration.h).
void addFallbackReadings(QList<Candidate> *candidates, const QList<Candidate> &fallbacks)
{
    double lowest = 1.0;
    for (const Candidate &c : std::as_const(*candidates))
        lowest = std::min(lowest, c.score);
    for (Candidate f : fallbacks) {
        const bool known = std::any_of(candidates->cbegin(), candidates->cend(), [&](const Candidate &c) {
            return greatCircleKm(c.place.latitude, c.place.longitude, f.place.latitude, f.place.longitude) <
                   40.0;
        });
        if (known)
            continue; // the same place: no second vote for it (mergeCandidates would add one)
        f.score = std::min(f.score, lowest - 0.01);
        candidates->append(f);
    }
}

} // namespace

HostnameHintProvider::HostnameHintProvider(std::shared_ptr<const PlaceDictionary> places,
                                           std::shared_ptr<const OperatorRules> rules)
    : m_places(std::move(places)), m_rules(std::move(rules))
{
    if (!m_rules)
        return;
    m_ruleErrors = m_rules->loadErrors();
    if (!m_places)
        return;
    // Operators' tables name places as GeoNames does; resolve them once.
    for (const auto &[table, code] : m_rules->allCodes()) {
        const OperatorCode oc = *m_rules->code(table, code);
        int found = -1;
        for (int row : m_places->gazetteer().find(PlaceDictionary::normalizeName(oc.city).toLatin1())) {
            if (m_places->gazetteer().countryCode(row) == oc.countryCode &&
                (oc.region.isEmpty() || m_places->gazetteer().regionCode(row) == oc.region)) {
                found = row;
                break;
            }
        }
        if (found < 0) {
            m_ruleErrors << QStringLiteral("operator code %1:%2: no place \"%3\" in %4 %5")
                                .arg(table, code, oc.city, oc.region, oc.countryCode);
            continue;
        }
        PlaceEntry entry = m_places->cityEntry(found);
        entry.kind = QStringLiteral("operator");
        entry.code = code;
        m_tableCodes.insert(table + u':' + code, entry);
        QStringList &countries = m_tableCountries[table];
        if (!countries.contains(entry.countryCode))
            countries << entry.countryCode;
    }
}

QString HostnameHintProvider::id() const
{
    return QStringLiteral("hostname");
}

void HostnameHintProvider::lookup(const GeoQuery &query, Callback done)
{
    done(hintFor(query.hostname));
}

// CLLI-style: four letters of the city, then the state ("asbnva") or, in NTT's international
// names, a country ("frnkge" with the label ".de."). The carriers' table first; else the most
// populous place of that state or country whose name starts with the first letter and holds the
// other three in order ("pitbpa" -> Pittsburgh, "brslbe" -> Brussels).
QList<Candidate> HostnameHintProvider::clliCandidates(const QString &code, const QString &country,
                                                      double score) const
{
    QList<Candidate> out;
    if (code.size() != 6)
        return out;
    for (const PlaceEntry &e : m_places->findCode(code)) {
        if (e.kind == QLatin1String("clli"))
            out.append(Candidate{e, code, e.kind, score, {}});
    }
    if (!out.isEmpty())
        return out;
    QString searchCountry = country, region;
    if (searchCountry.isEmpty()) {
        for (const QString &r : m_places->gazetteer().regionsForAbbreviation(code.right(2))) {
            if (r.startsWith(QLatin1String("US.")) || r.startsWith(QLatin1String("CA."))) {
                searchCountry = r.left(2);
                region = r.mid(3);
            }
        }
        if (searchCountry.isEmpty())
            return out;
    }
    const Gazetteer &g = m_places->gazetteer();
    const QList<int> rows = g.findPrefix(code.left(1).toLatin1(), searchCountry, region);
    for (int row : rows) {
        if (g.population(row) < 5000)
            break;
        const QString key = g.place(row).key.left(12);
        qsizetype at = 0;
        bool matches = true;
        for (QChar c : code.mid(1, 3)) {
            at = key.indexOf(c, at + 1);
            matches = matches && at > 0;
        }
        if (matches) {
            PlaceEntry e = m_places->cityEntry(row);
            out.append(Candidate{e, code, QStringLiteral("clli"), score - 0.1, {}});
            break;
        }
    }
    return out;
}

// A place name, perhaps with its state or country label, perhaps cut short by the operator.
QList<Candidate> HostnameHintProvider::cityCandidates(const QString &key, const QString &country,
                                                      const QString &region, bool prefixAllowed) const
{
    const Gazetteer &g = m_places->gazetteer();
    QStringList regions;
    if (!region.isEmpty()) {
        for (const QString &r : g.regionsForAbbreviation(region)) {
            if (country.isEmpty() || r.startsWith(country))
                regions << r;
        }
    }
    auto inScope = [&](int row) {
        if (!country.isEmpty() && g.countryCode(row) != country)
            return false;
        return regions.isEmpty() || regions.contains(g.countryCode(row) + u'.' + g.regionCode(row));
    };
    QList<Candidate> out;
    auto take = [&](const QList<int> &rows, const QString &token, double first, double other) {
        for (int row : rows) {
            if (!inScope(row) || out.size() >= 3)
                continue;
            out.append(Candidate{
                m_places->cityEntry(row), token, QStringLiteral("city"), out.isEmpty() ? first : other, {}});
        }
    };
    take(g.find(key.toLatin1()), key, 0.85, 0.6);
    // "manchesteruk": a city glued to its country.
    if (out.isEmpty() && key.size() > 6 && m_places->isCountryCode(countryFromLabel(key.right(2))) &&
        country.isEmpty()) {
        const QString cc = countryFromLabel(key.right(2));
        for (int row : g.find(key.chopped(2).toLatin1())) {
            if (g.countryCode(row) == cc && out.size() < 3)
                out.append(Candidate{
                    m_places->cityEntry(row), key, QStringLiteral("city"), out.isEmpty() ? 0.85 : 0.6, {}});
        }
    }
    // A misspelt big city in an operator's city label ("losangels"): same start, nearly the same length.
    if (out.isEmpty() && prefixAllowed && key.size() >= 8 && regions.isEmpty()) {
        for (int row : g.findPrefix(key.left(key.size() - 2).toLatin1(), country, QString())) {
            const qsizetype length = g.place(row).key.size();
            if (g.population(row) >= 100000 && length >= key.size() - 1 && length <= key.size() + 2) {
                out.append(Candidate{m_places->cityEntry(row), key, QStringLiteral("city"), 0.7, {}});
                break;
            }
        }
    }
    if (out.isEmpty() && prefixAllowed && key.size() >= 7 && !regions.isEmpty()) {
        for (const QString &r : regions) {
            const QList<int> rows = g.findPrefix(key.toLatin1(), r.left(2), r.mid(3));
            if (!rows.isEmpty())
                take(rows.mid(0, 1), key, 0.75, 0.6);
        }
    }
    return out;
}

// The generic reading: city + region pairs, carriers' and IATA codes (a code with its site
// number weighs more), CLLI and UN/LOCODE-style codes, and place names, small towns only when
// the name is long or a country label confirms it.
QList<Candidate> HostnameHintProvider::genericCandidates(const HostnameLabels &labels,
                                                         QSet<QString> *regionLabels) const
{
    const Gazetteer &g = m_places->gazetteer();
    QList<Candidate> out;
    const QList<HostnameToken> tokens = tokenize(labels);
    // A site code with its number ("iad04") in a label right of this token's.
    const auto siteFurtherRight = [&](const HostnameToken &t) {
        return std::any_of(tokens.cbegin(), tokens.cend(), [&](const HostnameToken &o) {
            return o.label > t.label && o.siteNumber && !o.joined && o.text.size() >= 3 &&
                   !isNotPlaceWord(o.text) && !isRackSwitchWord(o.text);
        });
    };
    for (const HostnameToken &t : tokens) {
        const QString &token = t.text;
        if (token.size() < 3 || isNotPlaceWord(token))
            continue;
        // A fabric switch ("tor01") before the site's label is a device, not Toronto.
        if (isRackSwitchWord(token) && t.siteNumber && siteFurtherRight(t))
            continue;
        const double position = t.lastLabel ? 1.05 : 1.0;
        // An everyday word or surname ("per", "ortega") counts only in the country a label names.
        const QString confirming = labels.strongCountry.isEmpty() ? labels.weakCountry : labels.strongCountry;
        if (isCommonWord(token) && confirming.isEmpty())
            continue;
        const qsizetype tokenStart = out.size();
        const auto dropUnconfirmedWord = [&] {
            if (isCommonWord(token)) {
                out.erase(
                    std::remove_if(out.begin() + tokenStart, out.end(),
                                   [&](const Candidate &c) { return c.place.countryCode != confirming; }),
                    out.end());
            }
        };
        if (!t.next.isEmpty() && token.size() >= 4 && !g.regionsForAbbreviation(t.next).isEmpty()) {
            QList<Candidate> paired = cityCandidates(token, QString(), t.next, true);
            if (!paired.isEmpty()) {
                regionLabels->insert(t.next);
                for (Candidate &c : paired) {
                    c.kind = QStringLiteral("region");
                    c.token = token + u'.' + t.next;
                    c.score += 0.05;
                }
                out += paired;
                continue;
            }
            // "adel.sa.vocus.network": a label of its own right before a state label that closes
            // the name is the operator's abbreviation of a place in that state.
            if (const auto reading = regionAbbreviation(labels, t)) {
                regionLabels->insert(t.next);
                out += *reading;
                continue;
            }
        }
        // "pra.cz", "shg1.jp": the same before the name's country label (the IATA reading, if
        // any, stays a candidate; the country label then weighs both).
        if (const auto reading = countryAbbreviation(labels, t))
            out += *reading;
        bool clliKnown = false;
        for (const PlaceEntry &entry : m_places->findCode(token)) {
            double s = 0;
            if (entry.kind == QLatin1String("clli"))
                s = 0.75;
            else if (entry.kind == QLatin1String("metro"))
                s = 0.6;
            else if (entry.kind == QLatin1String("iata") && token.size() == 3)
                s = iataScore(entry, 0.55, 0.45, 0.3) * (t.siteNumber || entry.rank >= 2 ? 1.0 : 0.8);
            // An ICAO code ("kjfk", "eddf1") only as a label of its own or with its site number:
            // four letters inside a longer token are mostly words.
            else if (entry.kind == QLatin1String("icao") && entry.rank >= 1 &&
                     (t.siteNumber || labels.labels.value(t.label) == token))
                s = iataScore(entry, 0.6, 0.5, 0.0) + (t.siteNumber ? 0.05 : 0.0);
            else
                continue;
            clliKnown = clliKnown || entry.kind == QLatin1String("clli");
            // A code followed by its site number ("fra3", "pao1") is how operators name PoPs.
            if (token.size() == 3 && t.siteNumber)
                s += entry.kind == QLatin1String("iata") ? 0.1 : 0.05;
            out.append(Candidate{entry, token, entry.kind, s * position, {}});
        }
        if (token.size() == 6 && !t.joined && !clliKnown)
            out += clliCandidates(token, QString(), 0.75);
        // An 8-letter CLLI names the building too ("nwrknjmd67w": Newark, NJ, building md).
        if (token.size() == 8 && t.siteNumber && !t.joined)
            out += clliCandidates(token.left(6), QString(), 0.75);
        if (token.size() == 5 && !t.joined && m_places->isCountryCode(token.left(2).toUpper())) {
            for (const PlaceEntry &e : m_places->findCode(token.mid(2))) {
                if (e.countryCode == token.left(2).toUpper()) {
                    out.append(Candidate{e, token, QStringLiteral("locode"), 0.65, {}});
                    break;
                }
            }
        }
        if (token.size() < 4) {
            dropUnconfirmedWord();
            continue;
        }
        int taken = 0;
        for (int row : g.find(token.toLatin1())) {
            if (taken >= 3)
                break;
            const qint64 population = g.population(row);
            // A country label confirms a small town, and so does the ccTLD when a site number
            // follows the name ("venlo1.lb.home.nl").
            const bool confirmed =
                (!labels.strongCountry.isEmpty() && g.countryCode(row) == labels.strongCountry) ||
                (t.siteNumber && !labels.weakCountry.isEmpty() && g.countryCode(row) == labels.weakCountry);
            if (population < 100000 && token.size() < 6 && !confirmed)
                continue;
            double s = population >= 1000000  ? 0.7
                       : population >= 100000 ? 0.65
                       : population >= 20000  ? 0.5
                                              : 0.4;
            if (taken > 0)
                s -= 0.15;
            if (t.joined)
                s += 0.05;
            out.append(Candidate{m_places->cityEntry(row), token, QStringLiteral("city"), s * position, {}});
            ++taken;
        }
        dropUnconfirmedWord();
    }
    return out;
}

QList<Candidate> HostnameHintProvider::ruleCandidates(const OperatorMatch &match) const
{
    const OperatorRule &rule = *match.rule;
    const QString &code = match.code;
    QList<Candidate> out;
    if (!rule.table.isEmpty()) {
        const auto it = m_tableCodes.constFind(rule.table + u':' + code);
        if (it != m_tableCodes.cend()) {
            out.append(Candidate{*it, code, QStringLiteral("operator"), 0.85, {}});
            return out;
        }
    }
    switch (rule.reading) {
    case RuleReading::Clli:
        return clliCandidates(code, match.country, 0.8);
    case RuleReading::City:
        return cityCandidates(code, match.country, match.region, true);
    case RuleReading::Iata: {
        const QStringList &scope = match.country.isEmpty() ? rule.scope : QStringList{match.country};
        for (const PlaceEntry &e : m_places->findCode(code)) {
            if (!scope.isEmpty() && !scope.contains(e.countryCode))
                continue;
            if (e.kind == QLatin1String("metro"))
                out.append(Candidate{e, code, e.kind, 0.8, {}});
            else if ((e.kind == QLatin1String("iata") && code.size() == 3) ||
                     (e.kind == QLatin1String("icao") && code.size() == 4))
                out.append(Candidate{e, code, e.kind, iataScore(e, 0.8, 0.75, 0.6), {}});
        }
        if (out.isEmpty() && code.size() >= 4)
            out = cityCandidates(code, match.country, QString(), false);
        // A carrier's PoP is in a big city more often than at a small airport: when the code is
        // only a small airport's ("buc" Burketown, "new" New Orleans Lakefront) and begins the name
        // of a city of a million (Bucharest, New York), the city is read first, the airport kept
        // as the alternative.
        const bool onlySmallAirports = !out.isEmpty() && code.size() == 3 &&
                                       std::all_of(out.cbegin(), out.cend(), [](const Candidate &c) {
                                           return c.kind == QLatin1String("iata") && c.place.rank == 0;
                                       });
        if (onlySmallAirports && match.country.isEmpty()) {
            if (const auto city = worldCityBeginning(m_places->gazetteer(), code))
                out.append(Candidate{m_places->cityEntry(*city), code, QStringLiteral("abbrev"), 0.65, {}});
        }
        return out;
    }
    case RuleReading::Table:
    case RuleReading::Abbrev: {
        // A three-letter code no table lists that is a large airport's code, or a metropolitan
        // area's ("wdc" Washington), in the operator's countries names that city ("lax"),
        // before any abbreviation ("Laxou").
        if (code.size() != 3)
            break;
        const QStringList scope = scopeOf(match);
        for (const PlaceEntry &e : m_places->findCode(code)) {
            if (((e.kind == QLatin1String("iata") && e.rank >= 2) || e.kind == QLatin1String("metro")) &&
                (scope.isEmpty() || scope.contains(e.countryCode)))
                out.append(Candidate{e, code, e.kind, 0.7, {}});
        }
        break;
    }
    case RuleReading::None:
        break;
    }
    return out;
}

GeoAnswer HostnameHintProvider::hintFor(const QString &hostname) const
{
    GeoAnswer answer;
    answer.provider = id();
    answer.status = GeoStatus::Unlocatable;

    QString name = hostname.trimmed().toLower();
    while (name.endsWith(u'.'))
        name.chop(1);
    if (name.isEmpty()) {
        answer.reason = QStringLiteral("No host name to take a hint from.");
        return answer;
    }
    if (!QHostAddress(name).isNull()) {
        answer.reason = QStringLiteral("The host name is an address literal.");
        return answer;
    }
    if (!m_places || m_places->size() == 0) {
        answer.reason = QStringLiteral("No place dictionary is loaded.");
        return answer;
    }

    // 1. The operator's own convention, when a rule knows the domain.
    QList<Candidate> candidates;
    const OperatorRule *rule = nullptr;
    std::optional<OperatorMatch> unreadMatch;
    if (m_rules) {
        if (const auto match = m_rules->match(name)) {
            rule = match->rule;
            if (rule->reading == RuleReading::None) {
                answer.providerDetail = rule->suffix + QStringLiteral("/none");
                answer.reason = QStringLiteral("operator rule %1 (%2): names of this form carry no place.")
                                    .arg(rule->suffix, rule->operatorName);
                return answer;
            }
            candidates = ruleCandidates(*match);
            if (candidates.isEmpty())
                candidates = abbreviationCandidates(*match);
            else if (candidates.first().kind != QLatin1String("operator"))
                addFallbackReadings(&candidates, fallbackCandidates(*match));
            if (candidates.isEmpty()) {
                rule = nullptr; // the convention matched but its code is unknown: read it generically
                unreadMatch = match;
            }
        }
    }

    // 2. Generic reading of labels and tokens.
    const HostnameLabels labels = splitHostname(name, *m_places);
    if (candidates.isEmpty()) {
        QSet<QString> regionLabels;
        candidates = genericCandidates(labels, &regionLabels);
        // A rule that matched but whose code is unknown still says the country or state, or at
        // least the countries the operator names places in.
        if (unreadMatch) {
            const bool stated = !unreadMatch->country.isEmpty() || !unreadMatch->region.isEmpty();
            // Only a stated scope: a small code table says little about where else the
            // operator is (C&W's one code is in Germany, its names are everywhere).
            const QStringList countries = !unreadMatch->country.isEmpty() ? QStringList{unreadMatch->country}
                                                                          : unreadMatch->rule->scope;
            const QStringList regions = m_places->gazetteer().regionsForAbbreviation(unreadMatch->region);
            QList<Candidate> inScope;
            for (const Candidate &c : std::as_const(candidates)) {
                if ((countries.isEmpty() || countries.contains(c.place.countryCode)) &&
                    (regions.isEmpty() ||
                     regions.contains(c.place.countryCode + u'.' + c.place.regionCode))) {
                    inScope << c;
                    // The operator's own country or state label stands behind the smaller namesake.
                    if (stated)
                        inScope.last().score = std::max(c.score, 0.5);
                }
            }
            candidates = inScope;
        }
        // A country label (".de.", ".uk.") or ccTLD confirms or weakens each candidate.
        for (Candidate &c : candidates) {
            if (!labels.strongCountry.isEmpty() && !regionLabels.contains(labels.countryLabel))
                c.score *= c.place.countryCode == labels.strongCountry ? 1.2 : 0.6;
            else if (!labels.weakCountry.isEmpty())
                c.score *= c.place.countryCode == labels.weakCountry ? 1.1
                           // A national network's name rarely means a small airport abroad
                           // ("pot" in a .de name: Potsdam, not Port Antonio).
                           : c.kind == QLatin1String("iata") && c.place.rank < 2 ? 0.6
                                                                                 : 0.85;
        }
    }
    if (candidates.isEmpty()) {
        answer.reason = QStringLiteral("No place code or city name recognised in \"%1\".").arg(name);
        return answer;
    }

    const QList<Candidate> merged = mergeCandidates(candidates);
    const Candidate &best = merged.first();
    if (best.score < kMinimumConfidence) {
        // A small airport's code alone ("ads", "cmu") is more often a word or a device name.
        answer.reason = QStringLiteral("Only weak evidence in \"%1\": %2 '%3' (%4) without a site number or "
                                       "country label.")
                            .arg(name, hintKindPhrase(best.kind), best.token, placeText(best.place));
        return answer;
    }
    answer.status = GeoStatus::Located;
    answer.place = toGeoPlace(best);
    answer.confidence = std::min(best.score, 0.9);
    answer.providerDetail = hintProviderDetail(rule ? rule->suffix : QString(), best.kind, best.token);
    answer.reason =
        QStringLiteral("%1 '%2' (%3)").arg(hintKindPhrase(best.kind), best.token, placeText(best.place));
    if (rule) {
        answer.reason = QStringLiteral("operator rule %1 (%2): %3 '%4' → %5")
                            .arg(rule->suffix, rule->operatorName, hintKindPhrase(best.kind), best.token,
                                 placeText(best.place));
    }
    if (!best.evidence.isEmpty())
        answer.reason += QStringLiteral(", also '%1'").arg(best.evidence.join(QStringLiteral("', '")));
    if (!rule && !labels.countryLabel.isEmpty() && best.place.countryCode == labels.strongCountry)
        answer.reason += QStringLiteral(", country label '%1'").arg(labels.countryLabel);
    QStringList others;
    for (qsizetype i = 1; i < merged.size() && i <= 5; ++i) {
        answer.alternatives.append(toGeoPlace(merged.at(i)));
        others << QStringLiteral("%1 (%2 '%3')")
                      .arg(placeText(merged.at(i).place), hintKindPhrase(merged.at(i).kind),
                           merged.at(i).token);
    }
    if (!others.isEmpty())
        answer.reason += QStringLiteral("; could also be ") + others.join(QStringLiteral(", "));
    answer.reason += u'.';
    qCDebug(lcHostnameHints).noquote() << name << "->" << answer.reason;
    return answer;
}

} // namespace tracemap
