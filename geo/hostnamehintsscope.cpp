// HostnameHintProvider (hostnamehints.h), continued: an operator rule's captured code that no
// table or reading knows, read as an abbreviation of a place in the operator's scope
// (hostnamehintsabbrev.h does the reading itself), and the fallback readings the chain's RTT check
// may take when a rule's first reading is out of reach. Kept apart from hostnamehints.cpp, which
// holds the generic reading, the rule readings and the arbitration between candidates.
#include "hostnamehints.h"

#include "hostnamehintsabbrev.h"
#include "hostnametokens.h"

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

} // namespace tracemap
