#include "arbitration.h"

#include <algorithm>

namespace tracemap {

namespace {

// Reasons are joined with "; ", so a provider's full stop would end up mid-sentence.
QString withoutFinalStop(QString text)
{
    text = text.trimmed();
    while (text.endsWith(QLatin1Char('.')))
        text.chop(1);
    return text;
}

} // namespace

Arbitration::Arbitration(const SourceLocation &source, double rttMs) : m_source(source), m_rttMs(rttMs) {}

bool Arbitration::wants(ProviderRole role) const
{
    return !m_best || (role == ProviderRole::Hint && !m_hintConsulted);
}

void Arbitration::asking(ProviderRole role)
{
    if (role == ProviderRole::Hint)
        m_hintConsulted = true;
}

void Arbitration::timedOut(const QString &providerId, int timeoutMs)
{
    m_anyTimedOut = true;
    m_failure = QStringLiteral("%1: no answer within %2 ms").arg(providerId).arg(timeoutMs);
    m_rejected << m_failure;
}

void Arbitration::consider(ProviderRole role, const QString &providerId, const GeoAnswer &answer)
{
    const QString name = answer.provider.isEmpty() ? providerId : answer.provider;
    if (answer.status == GeoStatus::Failed || answer.status == GeoStatus::TimedOut) {
        if (answer.status == GeoStatus::TimedOut)
            m_anyTimedOut = true;
        const QString why = answer.error.isEmpty() ? geoStatusName(answer.status) : answer.error;
        m_failure = QStringLiteral("%1: %2").arg(name, why);
        m_rejected << m_failure;
        return;
    }
    if (answer.status != GeoStatus::Located || !answer.place.hasCoordinates()) {
        if (!answer.reason.isEmpty()) {
            m_unlocatableReason += QStringLiteral("%1%2: %3")
                                       .arg(m_unlocatableReason.isEmpty() ? QString() : QStringLiteral("; "),
                                            name, withoutFinalStop(answer.reason));
        }
        return;
    }
    QList<GeoPlace> places{answer.place};
    places << answer.alternatives;
    for (qsizetype i = 0; i < places.size(); ++i) {
        const GeoPlace &place = places.at(i);
        if (!place.hasCoordinates())
            continue;
        const PlausibilityVerdict verdict = checkPlausibility(place, m_source, m_rttMs);
        if (verdict.isImplausible()) {
            ++m_implausible;
            m_rejected << QStringLiteral("%1: %2").arg(name, verdict.sentence);
            continue;
        }
        Candidate c;
        c.place = place;
        c.provider = name;
        c.detail = answer.providerDetail;
        // A later reading of the same evidence is less sure than the provider's first one.
        c.confidence = i == 0 ? answer.confidence : answer.confidence * kAlternativeFactor;
        c.verdict = verdict;
        c.reason = withoutFinalStop(answer.reason);
        if (i > 0)
            c.reason += QStringLiteral("; %1 is out of reach, so the next reading, %2, is taken")
                            .arg(describePlace(places.first()), describePlace(place));
        if (verdict.kind == PlausibilityVerdict::Kind::Plausible)
            c.reason += QStringLiteral("; ") + verdict.sentence;
        if (role == ProviderRole::Hint)
            mergeHint(c);
        else if (!m_best)
            m_best = c;
        return;
    }
}

// A hostname hint names the city the operator says the router is in; IP databases tend to
// place router addresses where the network is registered.
void Arbitration::mergeHint(Candidate hint)
{
    if (!m_best) {
        m_best = hint;
        return;
    }
    Candidate &db = *m_best;
    const double apart =
        greatCircleKm(db.place.latitude, db.place.longitude, hint.place.latitude, hint.place.longitude);
    const double tolerance = std::max(kAgreementKm, db.place.accuracyKm);
    if (apart <= tolerance) {
        db.confidence = std::min(0.95, std::max(db.confidence, hint.confidence) + 0.15);
        db.reason += QStringLiteral("; the hostname hint (%1) agrees, %2 km apart")
                         .arg(hint.detail.isEmpty() ? describePlace(hint.place) : hint.detail)
                         .arg(qRound64(apart));
        return;
    }
    const bool checked = hint.verdict.kind == PlausibilityVerdict::Kind::Plausible;
    if (checked || hint.confidence > db.confidence) {
        m_rejected << QStringLiteral("%1: %2 is %3 km from the hostname hint %4; router addresses are often "
                                     "registered far from the router")
                          .arg(db.provider, describePlace(db.place))
                          .arg(qRound64(apart))
                          .arg(describePlace(hint.place));
        hint.reason += QStringLiteral("; preferred over %1 (%2)").arg(db.provider, describePlace(db.place));
        m_best = hint;
    } else {
        m_rejected << QStringLiteral(
                          "%1: %2 disagrees with %3 by %4 km and could not be checked against the RTT")
                          .arg(hint.provider, describePlace(hint.place), db.provider)
                          .arg(qRound64(apart));
    }
}

GeoResult Arbitration::decide(const QString &noSourceReason, const QString &missingDatabaseNote) const
{
    GeoResult r;
    r.rejected = m_rejected;
    if (!m_note.isEmpty())
        r.rejected.prepend(m_note);
    if (m_best) {
        r.status = GeoStatus::Located;
        r.place = m_best->place;
        r.provider = m_best->provider;
        r.providerDetail = m_best->detail;
        r.reason = m_best->reason;
        r.confidence = std::clamp(m_best->confidence, 0.0, 1.0);
    } else if (m_implausible > 0 || m_failure.isEmpty()) {
        // Nobody knows this address, or every candidate was refused by the RTT check.
        r.status = GeoStatus::Unlocatable;
        r.reason = m_implausible > 0                ? QString::fromLatin1(kEveryCandidateImplausible)
                   : !m_unlocatableReason.isEmpty() ? m_unlocatableReason
                                                    : noSourceReason;
        if (!missingDatabaseNote.isEmpty() && m_implausible == 0)
            r.reason += missingDatabaseNote;
    } else {
        // A provider that might have known failed: say so (and do not cache it), rather than
        // claim the address is unknowable.
        r.status = m_anyTimedOut ? GeoStatus::TimedOut : GeoStatus::Failed;
        r.error = m_failure;
        r.reason = m_unlocatableReason.isEmpty()
                       ? m_failure
                       : QStringLiteral("%1; %2").arg(m_unlocatableReason, m_failure);
    }
    return r;
}

} // namespace tracemap
