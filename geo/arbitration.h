#pragma once
// Arbitration between the answers of one lookup's provider chain, as a pure unit: no timers,
// no network, no service. GeoService walks the chain and feeds each answer in; this decides.
// Rules (docs/geolocation.md):
//  - a candidate place that fails the speed-of-light check (plausibility.h) is rejected with
//    its reason, and the provider's next alternative is tried;
//  - the first plausible candidate wins, except that a hostname hint (ProviderRole::Hint) later
//    in the chain may still refine it: agreeing, it raises the confidence; disagreeing by more
//    than the database's accuracy (at least kAgreementKm), it wins when the RTT confirmed it or
//    it is more confident;
//  - with no candidate: Unlocatable when nobody knew or every candidate was implausible, else
//    Failed / TimedOut naming the provider that failed (never cached as "unknowable").

#include "geoprovider.h"
#include "geotypes.h"
#include "plausibility.h"

#include <optional>

namespace tracemap {

// The reason of a decision whose every candidate failed the RTT check.
inline constexpr char kEveryCandidateImplausible[] = "every candidate was implausible";

class Arbitration
{
public:
    // Hint and database "agree" when this close (or within the database's accuracy radius).
    static constexpr double kAgreementKm = 100.0;
    // A provider's alternative, taken when its first reading is implausible, is this much less
    // sure than the first reading.
    static constexpr double kAlternativeFactor = 0.8;

    // `source` and `rttMs` bound every candidate (either may be unknown: nothing is rejected then).
    Arbitration(const SourceLocation &source, double rttMs);

    // Whether the chain should still ask a provider of this role: always while nothing is
    // placed; afterwards only the first hint, which may refine the winner.
    bool wants(ProviderRole role) const;
    // The chain is asking a provider of this role now.
    void asking(ProviderRole role);

    // One provider's answer (`providerId` names it when the answer does not).
    void consider(ProviderRole role, const QString &providerId, const GeoAnswer &answer);
    // A provider that never answered within `timeoutMs`.
    void timedOut(const QString &providerId, int timeoutMs);

    // The decision once the chain is done. `noSourceReason` is the reason when no provider
    // was asked at all; `missingDatabaseNote`, when set, is appended to unlocatable reasons.
    GeoResult decide(const QString &noSourceReason, const QString &missingDatabaseNote = {}) const;

    bool hasCandidate() const { return m_best.has_value(); }
    bool anyTimedOut() const { return m_anyTimedOut; }
    bool anyFailure() const { return !m_failure.isEmpty(); }
    // A note shown first among the rejections (e.g. an override that could not be placed).
    void addNote(const QString &note) { m_note = note; }

private:
    struct Candidate
    {
        GeoPlace place;
        QString provider;
        QString detail;
        QString reason;
        double confidence = 0;
        PlausibilityVerdict verdict;
    };
    void mergeHint(Candidate hint);

    SourceLocation m_source;
    double m_rttMs = -1;
    std::optional<Candidate> m_best;
    bool m_hintConsulted = false;
    QStringList m_rejected;
    QString m_unlocatableReason;
    int m_implausible = 0; // candidates refused by the RTT check
    bool m_anyTimedOut = false;
    QString m_failure;
    QString m_note;
};

} // namespace tracemap
