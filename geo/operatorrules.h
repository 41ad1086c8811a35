#pragma once
// Operators' naming conventions as data (resources/geo/operator-rules.tsv and
// operator-codes.tsv): for a domain suffix, a pattern that finds the label holding the place,
// how to read what it captured (CLLI, IATA, city name, the operator's own code table, or "this
// form of name carries no place"), and the operator's code table. Learning each operator's
// convention is what lifts hostname geolocation from generic guessing to the ~94 % of hoiho
// (Luckie et al., CoNEXT 2021); here the conventions are written down and tested on real names.
//
// Contract: pure data and matching, no I/O after load(); immutable and shareable. Patterns run
// on the lower-case name without a trailing dot; named groups: `code` (required unless the
// reading is "none"), `cc` (a country label), `region` (a state or province label).
//
// Codes no table lists are read as abbreviations (see HostnameHintProvider): only the code the
// rule captured, only within the rule's scope, with less confidence than a table code.

#include <QHash>
#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace tracemap {

enum class RuleReading {
    Clli,   // "frnkge": four letters of the city, two of the state or country
    Iata,   // "fra", "lhr", "eddf": the operator's table first, then carrier metro, IATA and ICAO codes
    City,   // "frankfurt", "new-york", "sanjose": a place name, maybe cut short
    Table,  // only the operator's own table ("ffm", "kanc", "350ecermak")
    Abbrev, // the operator's table, else an abbreviation of a place in the rule's scope ("satx", "nash")
    None,   // names of this form carry no place (customer lines, addresses)
};

struct OperatorRule
{
    QString suffix; // "ntt.net"
    RuleReading reading = RuleReading::None;
    QString table; // code table name, may be empty
    QRegularExpression pattern;
    QString operatorName; // "NTT (AS2914)"
    QStringList scope;    // countries the operator names places in ("US", "AU"); empty: its table's, or any
    int line = 0;         // in the rules file, for messages
};

struct OperatorMatch
{
    const OperatorRule *rule = nullptr;
    QString code;    // the captured place code, lower case, without dashes for City readings
    QString country; // the captured country label, upper case ISO ("uk" -> "GB"), may be empty
    QString region;  // the captured region label, lower case, may be empty
};

// One row of an operator's code table: the code's place, by name as GeoNames spells it.
struct OperatorCode
{
    QString city;
    QString region; // admin-1 code ("VA", "05") or empty
    QString countryCode;
};

class OperatorRules
{
public:
    static std::shared_ptr<const OperatorRules> loadBuiltin();
    // The compiled-in rules loaded once per process, on first use (thread-safe).
    static std::shared_ptr<const OperatorRules> sharedBuiltin();
    static std::shared_ptr<const OperatorRules> load(const QString &rulesTsv, const QString &codesTsv);

    // The first rule whose suffix ends the name and whose pattern matches; nullopt when none.
    // `suffixKnown` (optional) says whether some rule's suffix matched at all.
    std::optional<OperatorMatch> match(const QString &lowerName, bool *suffixKnown = nullptr) const;
    std::optional<OperatorCode> code(const QString &table, const QString &code) const;
    // Whether some rule is written for the name's domain (its suffix ends the name), whether or
    // not a pattern matches: how bench/geo_accuracy splits "operator has a rule" from "no rule".
    // Any case, a trailing dot allowed.
    bool hasRuleFor(const QString &hostname) const;

    const QList<OperatorRule> &rules() const { return m_rules; }
    // Every (table, code) pair, for checking that each resolves to a place.
    QList<QPair<QString, QString>> allCodes() const;
    QStringList loadErrors() const { return m_errors; }

    static QString readingName(RuleReading reading);

private:
    void parseRules(const QString &path);
    void parseCodes(const QString &path);

    QList<OperatorRule> m_rules;
    QHash<QString, OperatorCode> m_codes; // "table:code"
    QStringList m_errors;
};

} // namespace tracemap
