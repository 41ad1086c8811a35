#include "hintrule.h"

#include <utility>

namespace tracemap {

QString HintRule::ruleName() const
{
    return suffix.isEmpty() ? QStringLiteral("generic reading") : QStringLiteral("operator rule ") + suffix;
}

QString HintRule::describe() const
{
    return QStringLiteral("%1: %2 '%3' → %4").arg(ruleName(), hintKindPhrase(kind), token, place);
}

QString hintKindPhrase(const QString &kind)
{
    // The kinds hostnamehints writes into providerDetail, and how a person would call them.
    static constexpr std::pair<const char *, const char *> kPhrases[] = {
        {"clli", "CLLI-style code"},          {"metro", "carrier code"},
        {"iata", "IATA airport code"},        {"icao", "ICAO airport code"},
        {"locode", "UN/LOCODE-style code"},   {"operator", "operator's code"},
        {"abbrev", "abbreviated place name"}, {"region", "city and region"},
    };
    for (const auto &[name, phrase] : kPhrases) {
        if (kind == QLatin1String(name))
            return QString::fromLatin1(phrase);
    }
    return QStringLiteral("city name");
}

QString hintProviderDetail(const QString &suffix, const QString &kind, const QString &token)
{
    const QString detail = kind + u':' + token;
    return suffix.isEmpty() ? detail : suffix + u'/' + detail;
}

std::optional<HintRule> hintRuleOf(const GeoResult &result)
{
    if (result.provider != QLatin1String("hostname") || result.status != GeoStatus::Located)
        return std::nullopt;
    const QString &detail = result.providerDetail;
    const qsizetype slash = detail.indexOf(u'/');
    const qsizetype colon = detail.indexOf(u':', slash + 1);
    if (colon <= slash + 1 || colon + 1 >= detail.size())
        return std::nullopt;
    HintRule rule;
    rule.suffix = slash > 0 ? detail.left(slash) : QString();
    rule.kind = detail.mid(slash + 1, colon - slash - 1);
    rule.token = detail.mid(colon + 1);
    QStringList parts;
    for (const QString &part : {result.place.city, result.place.countryCode}) {
        if (!part.isEmpty())
            parts << part;
    }
    rule.place = parts.join(QStringLiteral(", "));
    return rule;
}

QJsonObject hintRuleToJson(const HintRule &rule)
{
    return QJsonObject{{QStringLiteral("rule"), rule.ruleName()},
                       {QStringLiteral("kind"), rule.kind},
                       {QStringLiteral("token"), rule.token},
                       {QStringLiteral("place"), rule.place}};
}

std::optional<HintRule> hintRuleFromJson(const QJsonObject &object, QString *error)
{
    HintRule rule;
    const std::pair<const char *, QString *> fields[] = {
        {"rule", nullptr}, {"kind", &rule.kind}, {"token", &rule.token}, {"place", &rule.place}};
    QString ruleName;
    for (const auto &[name, target] : fields) {
        const QJsonValue value = object.value(QLatin1String(name));
        if (!value.isString() || value.toString().isEmpty()) {
            if (error)
                *error = QStringLiteral("'%1' must be a non-empty string").arg(QLatin1String(name));
            return std::nullopt;
        }
        (target ? *target : ruleName) = value.toString();
    }
    const QLatin1String operatorPrefix("operator rule ");
    if (ruleName.startsWith(operatorPrefix)) {
        rule.suffix = ruleName.mid(operatorPrefix.size());
    } else if (ruleName != QLatin1String("generic reading")) {
        if (error)
            *error = QStringLiteral("'rule' must be \"generic reading\" or \"operator rule DOMAIN\"");
        return std::nullopt;
    }
    return rule;
}

} // namespace tracemap
