#pragma once
// Places from router host names: "ae-1.r21.frnkge13.de.bb.gin.ntt.net" -> Frankfurt (CLLI-style
// code), "be2869.ccr41.lon13.atlas.cogentco.com" -> London (metro code), "xe-0.mpr1.lhr15.uk.
// zip.zayo.com" -> London (IATA code + country label), "ae12.edge3.Frankfurt1.Level3.net" ->
// Frankfurt (city name), "cr01.ashburn.va.example.net" -> Ashburn, VA (city + state). Codes that
// mean several places (a carrier's "ash" is Ashburn VA, IATA ASH is Nashua NH) yield the best
// guess plus alternatives, for the chain's RTT check; a rule's reading of a code its table does
// not list also keeps the code's abbreviation readings last ("tap": IATA Tapachula, then Taipei).
//
// Two stages: an operator's own convention when a rule in operator-rules.tsv knows the domain
// (see operatorrules.h), else a generic reading of labels and tokens (interface and role words
// such as ae, xe, core, edge are never places; a code followed by a site number, a city followed
// by its state and the label before the operator's domain weigh more; a code that is a label of
// its own before a state or country label is also read as an abbreviation there: "pra.cz").
//
// Confidence (the number the chain's arbitration compares with the IP database's 0.45-0.55):
//   0.85-0.9  an operator rule's code table, or a city spelled out with its state/country label
//   0.75-0.8  an operator rule read as CLLI / IATA / city; a carriers' CLLI code
//   0.6-0.7   a big city's name, a generic CLLI or UN/LOCODE-style code, a carrier metro code;
//             an operator rule's code no table lists, read as an abbreviation ("nash" -> Nashville)
//             in the operator's scope (0.5-0.65, see hostnamehintsabbrev.h)
//   0.3-0.55  a bare IATA code (by airport size), a small town's name without a region label
// The reason names the evidence; an operator rule is named as "operator rule ntt.net: ...".

#include "geoprovider.h"
#include "operatorrules.h"
#include "placedictionary.h"

#include <QHash>
#include <QLoggingCategory>
#include <QSet>

#include <memory>
#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcHostnameHints)

namespace tracemap {

struct AbbreviationReading;
struct HostnameLabels;
struct HostnameToken;

class HostnameHintProvider : public GeoProvider
{
public:
    explicit HostnameHintProvider(
        std::shared_ptr<const PlaceDictionary> places,
        std::shared_ptr<const OperatorRules> rules = OperatorRules::sharedBuiltin());

    QString id() const override; // "hostname"
    // Evidence from the hop's name: refines a database answer, never outranks an override.
    ProviderRole role() const override { return ProviderRole::Hint; }
    void lookup(const GeoQuery &query, Callback done) override;

    // Synchronous core of lookup(): decides from the host name alone.
    GeoAnswer hintFor(const QString &hostname) const;

    // Problems with the rules: load errors and table codes no gazetteer place matches.
    QStringList ruleErrors() const { return m_ruleErrors; }

    struct Candidate
    {
        PlaceEntry place;
        QString token;
        QString kind; // "clli", "metro", "iata", "city", "locode", "operator", "abbrev"
        double score = 0.0;
        QStringList evidence; // other tokens that point at the same place
    };

private:
    QList<Candidate> ruleCandidates(const OperatorMatch &match) const;
    QList<Candidate> abbreviationCandidates(const OperatorMatch &match) const;
    QList<Candidate> fallbackCandidates(const OperatorMatch &match) const;
    QStringList scopeOf(const OperatorMatch &match) const;
    std::optional<Candidate> regionAbbreviation(const HostnameLabels &labels, const HostnameToken &t) const;
    std::optional<Candidate> countryAbbreviation(const HostnameLabels &labels, const HostnameToken &t) const;
    std::optional<Candidate> abbreviationCandidate(const std::optional<AbbreviationReading> &reading,
                                                   const QString &token, double score) const;
    QList<Candidate> genericCandidates(const HostnameLabels &labels, QSet<QString> *regionLabels) const;
    QList<Candidate> clliCandidates(const QString &code, const QString &country, double score) const;
    QList<Candidate> cityCandidates(const QString &key, const QString &country, const QString &region,
                                    bool prefixAllowed) const;

    std::shared_ptr<const PlaceDictionary> m_places;
    std::shared_ptr<const OperatorRules> m_rules;
    QHash<QString, PlaceEntry> m_tableCodes;      // "table:code" resolved through the gazetteer
    QHash<QString, QStringList> m_tableCountries; // table -> the countries its codes name
    QStringList m_ruleErrors;
};

} // namespace tracemap
