// HostnameHintProvider (hostnamehints.h), continued: the readings of codes as abbreviations of
// places (hostnamehintsabbrev.h does the reading itself): an operator rule's captured code that no
// table or reading knows, in the operator's scope; the fallback readings the chain's RTT check may
// take when a rule's first reading is out of reach; and, in the generic reading, a label of its
// own right before a state or country label. Kept apart from hostnamehints.cpp, which
// holds the generic reading, the rule readings and the arbitration between candidates.
#include "hostnamehints.h"

#include "gazetteer.h"
#include "hostnamehintsabbrev.h"
#include "hostnametokens.h"

#include <algorithm>

namespace tracemap {

using Candidate = HostnameHintProvider::Candidate;

// The countries a rule's places lie in: the country label it captured, else the rule's scope
// column, else the countries of its code table; empty when none is known.
QStringList HostnameHintProvider::scopeOf(const OperatorMatch &match) const
{
    if (!match.country.isEmpty())
        return {match.country};
    if (!match.rule->scope.isEmpty())
        return match.rule->scope;
    return m_tableCountries.value(match.rule->table);
}

// A code the rule captured but no reading knows, read as an abbreviation within the operator's
// scope: the country label it captured, else the rule's scope column, else the countries of its
// code table (Arelion's codes name places in Europe and North America, so "nash" is Nashville,
// not Nashik). Only the captured code, never other tokens, and below a table code's confidence.
QList<Candidate> HostnameHintProvider::abbreviationCandidates(const OperatorMatch &match) const
{
    const OperatorRule &rule = *match.rule;
    const QString &code = match.code;
    QList<Candidate> out;
    if (isNotPlaceWord(code))
        return out;
    const QStringList countries = scopeOf(match);
    const Gazetteer &g = m_places->gazetteer();
    QStringList regions;
    if (!match.region.isEmpty()) {
        for (const QString &r : g.regionsForAbbreviation(match.region)) {
            if (countries.isEmpty() || countries.contains(r.left(2)))
                regions << r;
        }
    }
    // Six letters in a CLLI position: four of the city, two of the state or country ("nwrknj").
    if (code.size() == 6 && rule.reading != RuleReading::Clli) {
        out = clliCandidates(code, countries.size() == 1 ? countries.first() : QString(), 0.7);
        if (!out.isEmpty())
            return out;
    }
    // Only the code table's countries bound the scope: a world city may lie outside them.
    const bool tableScope = match.country.isEmpty() && match.region.isEmpty() && rule.scope.isEmpty();
    const auto reading = tableScope ? readAbbreviationBeyondTable(g, code, countries)
                                    : readAbbreviation(g, code, countries, regions, !match.country.isEmpty());
    if (!reading)
        return out;
    double score = reading->prefix ? 0.6 : 0.5;
    if (!regions.isEmpty() || !reading->region.isEmpty())
        score += 0.05; // a state or province label narrows the letters down
    out.append(Candidate{m_places->cityEntry(reading->row), code, QStringLiteral("abbrev"), score, {}});
    return out;
}

// What a rule's code may mean when its first reading is implausible: the abbreviation reading in
// the operator's scope, then world cities the code abbreviates (see addFallbackReadings()).
QList<Candidate> HostnameHintProvider::fallbackCandidates(const OperatorMatch &match) const
{
    // Only short codes: an operator's own abbreviation mistaken for an airport's (a longer code
    // read as a city name or a CLLI code is rarely anything else, and reading it again costs).
    QList<Candidate> out;
    if (match.code.size() > 4 || isNotPlaceWord(match.code))
        return out;
    out = abbreviationCandidates(match);
    for (int row : worldCitiesAbbreviated(m_places->gazetteer(), match.code, 3))
        out.append(Candidate{m_places->cityEntry(row), match.code, QStringLiteral("abbrev"), 0.3, {}});
    return out;
}

std::optional<Candidate> HostnameHintProvider::regionAbbreviation(const HostnameLabels &labels,
                                                                  const HostnameToken &t) const
{
    const QStringList &all = labels.labels;
    if (t.label + 2 != all.size() || all.at(t.label) != t.text || all.at(t.label + 1) != t.next)
        return std::nullopt;
    QStringList regions;
    for (const QString &r : m_places->gazetteer().regionsForAbbreviation(t.next)) {
        if (labels.weakCountry.isEmpty() || r.startsWith(labels.weakCountry))
            regions << r;
    }
    if (regions.isEmpty())
        return std::nullopt;
    return abbreviationCandidate(readAbbreviation(m_places->gazetteer(), t.text, {}, regions),
                                 t.text + u'.' + t.next, 0.55);
}

std::optional<Candidate> HostnameHintProvider::countryAbbreviation(const HostnameLabels &labels,
                                                                   const HostnameToken &t) const
{
    const QStringList &all = labels.labels;
    if (labels.strongCountry.isEmpty() || t.text.size() < 3 || t.text.size() > 4 || t.joined ||
        t.label + 1 >= all.size() || all.at(t.label + 1) != labels.countryLabel)
        return std::nullopt;
    // The whole label: the code, perhaps with its site number ("shg1"), nothing else.
    const QString &label = all.at(t.label);
    if (!label.startsWith(t.text) ||
        !std::all_of(label.cbegin() + t.text.size(), label.cend(), [](QChar c) { return c.isDigit(); }))
        return std::nullopt;
    return abbreviationCandidate(
        readAbbreviation(m_places->gazetteer(), t.text, {labels.strongCountry}, {}, true),
        t.text + u'.' + labels.countryLabel, 0.5);
}

// A label read as an abbreviation: `score` when its letters begin the place's name, a little
// less when they only occur in it in order.
std::optional<Candidate>
HostnameHintProvider::abbreviationCandidate(const std::optional<AbbreviationReading> &reading,
                                            const QString &token, double score) const
{
    if (!reading)
        return std::nullopt;
    return Candidate{m_places->cityEntry(reading->row),
                     token,
                     QStringLiteral("abbrev"),
                     reading->prefix ? score : score - 0.05,
                     {}};
}

} // namespace tracemap
