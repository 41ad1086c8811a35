#pragma once
// The rule behind a hostname hint, as a value: which convention read which token of the router's
// name as which place ("operator rule ntt.net", kind "operator", token "frnkge", "Frankfurt, DE").
// The CLI's --json ("hint" object), trace files and the desktop's hop note show it.
//
// Contract: HostnameHintProvider writes its evidence into GeoAnswer::providerDetail as
// "[SUFFIX/]KIND:TOKEN" ("ntt.net/operator:frnkge", "iata:fra", "region:ashburn.va");
// hintRuleOf() reads it back from any decided GeoResult (fresh, cached or read from a trace
// file), so the rule survives wherever provider and provider detail do. Pure functions.

#include "geotypes.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace tracemap {

struct HintRule
{
    QString suffix; // the operator rule's domain suffix ("ntt.net"); empty for the generic reading
    QString kind;   // "operator", "abbrev", "clli", "metro", "iata", "icao", "locode", "city", "region"
    QString token;  // the part of the name read: "frnkge", "ashburn.va"
    QString place;  // "Frankfurt, DE"

    // "operator rule ntt.net" or "generic reading".
    QString ruleName() const;
    // "operator rule ntt.net: operator's code 'frnkge' → Frankfurt, DE".
    QString describe() const;
    bool operator==(const HintRule &other) const = default;
};

// "CLLI-style code", "IATA airport code", ... for a candidate kind.
QString hintKindPhrase(const QString &kind);
// HostnameHintProvider's provider detail for a candidate ("ntt.net/clli:frnkge").
QString hintProviderDetail(const QString &suffix, const QString &kind, const QString &token);

// The rule that placed this hop: set when a hostname hint decided it (provider "hostname",
// status located, a provider detail of the form above), else nullopt.
std::optional<HintRule> hintRuleOf(const GeoResult &result);

// {"rule": "operator rule ntt.net", "kind": ..., "token": ..., "place": ...}.
QJsonObject hintRuleToJson(const HintRule &rule);
// The inverse; nullopt when a field is missing or not a string (`error` says which).
std::optional<HintRule> hintRuleFromJson(const QJsonObject &object, QString *error);

} // namespace tracemap
