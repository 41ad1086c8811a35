#include "operatorrules.h"

#include "datalines.h"
#include "enumnames.h"

#include <algorithm>

namespace tracemap {

namespace {

// Read back through readingName(), so each reading's name is written once.
std::optional<RuleReading> readingFromName(const QString &name)
{
    return enumFromName({RuleReading::Clli, RuleReading::Iata, RuleReading::City, RuleReading::Table,
                         RuleReading::Abbrev, RuleReading::None},
                        name, &OperatorRules::readingName);
}

} // namespace

QString OperatorRules::readingName(RuleReading reading)
{
    switch (reading) {
    case RuleReading::Clli:
        return QStringLiteral("clli");
    case RuleReading::Iata:
        return QStringLiteral("iata");
    case RuleReading::City:
        return QStringLiteral("city");
    case RuleReading::Table:
        return QStringLiteral("table");
    case RuleReading::Abbrev:
        return QStringLiteral("abbrev");
    case RuleReading::None:
        break;
    }
    return QStringLiteral("none");
}

std::shared_ptr<const OperatorRules> OperatorRules::loadBuiltin()
{
    return load(QStringLiteral(":/geo/operator-rules.tsv"), QStringLiteral(":/geo/operator-codes.tsv"));
}

std::shared_ptr<const OperatorRules> OperatorRules::sharedBuiltin()
{
    static const std::shared_ptr<const OperatorRules> shared = loadBuiltin();
    return shared;
}

std::shared_ptr<const OperatorRules> OperatorRules::load(const QString &rulesTsv, const QString &codesTsv)
{
    auto rules = std::make_shared<OperatorRules>();
    rules->parseRules(rulesTsv);
    rules->parseCodes(codesTsv);
    return rules;
}

// suffix <TAB> reading <TAB> table <TAB> pattern <TAB> operator [<TAB> scope: "US" or "US,CA"]
void OperatorRules::parseRules(const QString &path)
{
    for (const DataLine &line : readDataLines(path, &m_errors)) {
        const QStringList f = line.text.split(u'\t');
        const QString where = QStringLiteral("%1:%2").arg(path).arg(line.number);
        const auto reading = readingFromName(f.value(1));
        if (f.size() < 4 || f.at(0).isEmpty() || !reading) {
            m_errors << where + QStringLiteral(": expected suffix, reading, table, pattern, operator");
            continue;
        }
        OperatorRule rule;
        rule.suffix = f.at(0).toLower();
        rule.reading = *reading;
        rule.table = f.at(2);
        rule.pattern = QRegularExpression(f.at(3));
        rule.operatorName = f.value(4);
        rule.line = line.number;
        for (const QString &cc : f.value(5).split(u',', Qt::SkipEmptyParts)) {
            if (cc.trimmed().size() != 2) {
                m_errors << where + QStringLiteral(": scope must list two-letter country codes");
                continue;
            }
            rule.scope << cc.trimmed().toUpper();
        }
        if (!rule.pattern.isValid()) {
            m_errors << where + QStringLiteral(": bad pattern: ") + rule.pattern.errorString();
            continue;
        }
        if (rule.reading != RuleReading::None && !rule.pattern.namedCaptureGroups().contains(u"code"_qs)) {
            m_errors << where + QStringLiteral(": the pattern has no (?<code>...) group");
            continue;
        }
        rule.pattern.optimize();
        m_rules.append(rule);
    }
}

// table <TAB> code <TAB> city <TAB> region <TAB> country
void OperatorRules::parseCodes(const QString &path)
{
    for (const DataLine &line : readDataLines(path, &m_errors)) {
        const QStringList f = line.text.split(u'\t');
        if (f.size() < 5 || f.at(0).isEmpty() || f.at(1).isEmpty() || f.at(2).isEmpty() ||
            f.at(4).size() != 2) {
            m_errors << QStringLiteral("%1:%2: expected table, code, city, region, country")
                            .arg(path)
                            .arg(line.number);
            continue;
        }
        m_codes.insert(f.at(0) + u':' + f.at(1).toLower(), OperatorCode{f.at(2), f.at(3), f.at(4).toUpper()});
    }
}

bool OperatorRules::hasRuleFor(const QString &hostname) const
{
    QString name = hostname.trimmed().toLower();
    while (name.endsWith(u'.'))
        name.chop(1);
    return std::any_of(m_rules.cbegin(), m_rules.cend(), [&](const OperatorRule &rule) {
        return name == rule.suffix || name.endsWith(u'.' + rule.suffix);
    });
}

std::optional<OperatorMatch> OperatorRules::match(const QString &lowerName, bool *suffixKnown) const
{
    if (suffixKnown)
        *suffixKnown = false;
    for (const OperatorRule &rule : m_rules) {
        if (!(lowerName == rule.suffix || lowerName.endsWith(u'.' + rule.suffix)))
            continue;
        if (suffixKnown)
            *suffixKnown = true;
        const QRegularExpressionMatch m = rule.pattern.match(lowerName);
        if (!m.hasMatch())
            continue;
        OperatorMatch result;
        result.rule = &rule;
        result.code = m.captured(u"code");
        if (rule.reading == RuleReading::City)
            result.code.remove(u'-');
        result.country = m.captured(u"cc").toUpper();
        if (result.country == QLatin1String("UK"))
            result.country = QStringLiteral("GB");
        result.region = m.captured(u"region");
        return result;
    }
    return std::nullopt;
}

std::optional<OperatorCode> OperatorRules::code(const QString &table, const QString &code) const
{
    const auto it = m_codes.constFind(table + u':' + code);
    if (it == m_codes.cend())
        return std::nullopt;
    return *it;
}

QList<QPair<QString, QString>> OperatorRules::allCodes() const
{
    QList<QPair<QString, QString>> out;
    for (auto it = m_codes.cbegin(); it != m_codes.cend(); ++it)
        out.append({it.key().section(u':', 0, 0), it.key().section(u':', 1)});
    return out;
}

} // namespace tracemap
