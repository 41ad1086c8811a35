#include "hostnamehints.h"

#include <QHostAddress>
#include <QRegularExpression>
#include <QSet>
#include <QtMath>

#include <algorithm>

Q_LOGGING_CATEGORY(lcHostnameHints, "tracemap.geo.hostname", QtWarningMsg)

namespace tracemap {

namespace {

// Tokens that name interfaces, router roles or access technologies rather than places; several
// are also IATA codes (CCR Concord, MPR McPherson, POP Puerto Plata, MAN Manchester) or cities
// (Mobile, AL) and would otherwise be read as one.
const QSet<QString> &notPlaces()
{
    // clang-format off
    static const QSet<QString> words{
        "ae", "be", "et", "xe", "ge", "te", "hu", "fo", "gi", "so", "po", "lo", "ix", "tengig", "tengige",
        "gige", "hundredgige", "fortygige", "gigabitethernet", "ethernet", "eth", "bundle", "ether", "lag",
        "vlan", "vl", "irb", "bvi", "pos", "ten", "hun", "gig", "fa", "ccr", "mpr", "bbr", "agr", "core",
        "tcore", "edge", "border", "peer", "peering", "transit", "cust", "customer", "customers", "static",
        "dynamic", "dyn", "pool", "dsl", "adsl", "vdsl", "ftth", "fttx", "cable", "fiber", "fibre",
        "broadband", "wifi", "gpon", "olt", "bng", "bras", "lns", "cpe", "rtr", "router", "gw", "gateway",
        "sw", "switch", "csw", "dsw", "asw", "esr", "pe", "rr", "ar", "cr", "br", "er", "ibr", "ebr",
        "cbr", "sbr", "igw", "int", "ext", "mgmt", "oob", "loopback", "net", "com", "org", "www", "mail",
        "smtp", "dns", "ns", "cdn", "cache", "fw", "lb", "nat", "ipv", "ip", "ips", "bb", "gin", "atlas",
        "zip", "man", "pop", "isp", "ppp", "res", "rev", "ptr", "arpa", "addr", "host", "hosts", "server",
        "srv", "vps", "cloud", "mobile", "dial", "dialup", "business", "home", "user", "users", "client",
        "access", "agg", "aggr", "dist", "metro", "backbone", "link", "uplink", "inet", "internet",
        "telecom", "level", "colo", "dc", "datacenter", "lan", "wan", "mpls", "vpn", "bgp", "ospf", "any",
        "unknown", "not", "assigned", "unassigned", "reverse", "in", "out", "the", "and", "red", "blue",
        "green", "ear", "car", "bar", "csr", "msr", "hsd", "dip", "range", "compute", "deploy", "clients",
        "unn"
    };
    // clang-format on
    return words;
}

// Two-letter labels that are not meant as countries even when they are country codes.
const QSet<QString> &notCountryLabels()
{
    static const QSet<QString> labels{"bb", "ip", "gw", "cr", "br", "ar", "er", "pe", "lo", "mx", "ns", "rr",
                                      "sw", "ae", "be", "et", "ge", "xe", "te", "so", "po", "ix", "fo", "hu"};
    return labels;
}

QString countryFromLabel(const QString &label)
{
    if (label == QLatin1String("uk"))
        return QStringLiteral("GB");
    return label.toUpper();
}

double distanceKm(double lat1, double lon1, double lat2, double lon2)
{
    const double p1 = qDegreesToRadians(lat1), p2 = qDegreesToRadians(lat2);
    const double dp = p2 - p1, dl = qDegreesToRadians(lon2 - lon1);
    const double a = qSin(dp / 2) * qSin(dp / 2) + qCos(p1) * qCos(p2) * qSin(dl / 2) * qSin(dl / 2);
    return 6371.0 * 2 * qAtan2(qSqrt(a), qSqrt(1 - a));
}

struct Candidate
{
    PlaceEntry place;
    QString token;
    QString kind; // "clli", "metro", "iata", "city"
    double score = 0.0;
    QStringList evidence; // other tokens that point at the same place
};

QString kindPhrase(const QString &kind)
{
    if (kind == QLatin1String("clli"))
        return QStringLiteral("CLLI-style code");
    if (kind == QLatin1String("metro"))
        return QStringLiteral("carrier code");
    if (kind == QLatin1String("iata"))
        return QStringLiteral("IATA airport code");
    return QStringLiteral("city name");
}

double accuracyFor(const QString &kind)
{
    if (kind == QLatin1String("iata"))
        return 40.0; // airports lie outside the cities they serve
    if (kind == QLatin1String("metro"))
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

} // namespace

HostnameHintProvider::HostnameHintProvider(std::shared_ptr<const PlaceDictionary> places)
    : m_places(std::move(places))
{}

QString HostnameHintProvider::id() const
{
    return QStringLiteral("hostname");
}

void HostnameHintProvider::lookup(const GeoQuery &query, Callback done)
{
    done(hintFor(query.hostname));
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

    // The registered domain (cogentco.com, ntt.net, co.uk domains) names the operator, not a place.
    QStringList labels = name.split(u'.', Qt::SkipEmptyParts);
    qsizetype domainLabels = labels.size() >= 2 ? 2 : 0;
    static const QSet<QString> secondLevel{"co", "com", "net", "org", "ac", "ne",
                                           "or", "gov", "edu", "ad",  "gr"};
    if (labels.size() >= 3 && labels.last().size() == 2 && secondLevel.contains(labels.at(labels.size() - 2)))
        domainLabels = 3;
    QString weakCountry;
    if (domainLabels > 0 && labels.last().size() == 2 &&
        m_places->isCountryCode(countryFromLabel(labels.last())))
        weakCountry = countryFromLabel(labels.last());
    labels.resize(labels.size() - domainLabels);

    QString strongCountry, countryLabel;
    static const QRegularExpression separators(QStringLiteral("[-_]+"));
    static const QRegularExpression leadingLetters(QStringLiteral("^[0-9]*([a-z]+)"));
    QStringList tokens;
    QSet<QString> joined; // "losangeles" from "los-angeles": a longer, more specific name
    for (const QString &label : std::as_const(labels)) {
        if (label.size() == 2 && !notCountryLabels().contains(label) &&
            m_places->isCountryCode(countryFromLabel(label))) {
            if (strongCountry.isEmpty()) {
                strongCountry = countryFromLabel(label);
                countryLabel = label;
            }
            continue;
        }
        // "frnkge13" -> "frnkge", "100ge1" -> "ge", "Frankfurt1" -> "frankfurt"; neighbours are
        // also tried together ("los-angeles" -> "losangeles"). A label that spells out an address
        // ("c-73-15-22-1", "unn-1-2-3-4") names a customer line, not a place.
        const QStringList parts = label.split(separators, Qt::SkipEmptyParts);
        static const QRegularExpression digitsOnly(QStringLiteral("^[0-9]+$"));
        if (std::count_if(parts.cbegin(), parts.cend(),
                          [](const QString &p) { return digitsOnly.match(p).hasMatch(); }) >= 3)
            continue;
        QString previous;
        for (const QString &part : parts) {
            const auto match = leadingLetters.match(part);
            if (!match.hasMatch()) {
                previous.clear();
                continue;
            }
            const QString token = match.captured(1);
            if (!tokens.contains(token))
                tokens << token;
            if (!previous.isEmpty() && !tokens.contains(previous + token)) {
                tokens << previous + token;
                joined.insert(previous + token);
            }
            previous = token;
        }
    }

    QList<Candidate> candidates;
    auto add = [&](const PlaceEntry &place, const QString &token, const QString &kind, double score) {
        candidates.append(Candidate{place, token, kind, score, {}});
    };
    for (const QString &token : std::as_const(tokens)) {
        if (token.size() < 3 || notPlaces().contains(token))
            continue;
        for (const PlaceEntry &entry : m_places->findCode(token)) {
            if (entry.kind == QLatin1String("clli"))
                add(entry, token, entry.kind, 0.75);
            else if (entry.kind == QLatin1String("metro"))
                add(entry, token, entry.kind, 0.6);
            else if (entry.kind == QLatin1String("iata") && token.size() == 3)
                add(entry, token, entry.kind, entry.rank >= 2 ? 0.55 : entry.rank == 1 ? 0.45 : 0.3);
        }
        if (token.size() >= 4) {
            const QList<PlaceEntry> cities = m_places->findCity(token);
            for (qsizetype i = 0; i < cities.size() && i < 3; ++i)
                add(cities.at(i), token, QStringLiteral("city"),
                    (i == 0 ? 0.65 : 0.5) + (joined.contains(token) ? 0.05 : 0.0));
        }
    }
    if (candidates.isEmpty()) {
        answer.reason = QStringLiteral("No place code or city name recognised in \"%1\".").arg(name);
        return answer;
    }

    // A country label (".de.", ".uk.") or ccTLD confirms or weakens each candidate.
    for (Candidate &c : candidates) {
        if (!strongCountry.isEmpty())
            c.score *= c.place.countryCode == strongCountry ? 1.2 : 0.6;
        else if (!weakCountry.isEmpty())
            c.score *= c.place.countryCode == weakCountry ? 1.1 : 0.85;
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate &a, const Candidate &b) { return a.score > b.score; });

    // Tokens that point at the same city (pvu + paris) are one candidate, a little surer.
    QList<Candidate> merged;
    for (const Candidate &c : std::as_const(candidates)) {
        auto same = std::find_if(merged.begin(), merged.end(), [&](const Candidate &m) {
            return m.place.countryCode == c.place.countryCode &&
                   distanceKm(m.place.latitude, m.place.longitude, c.place.latitude, c.place.longitude) <
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

    const Candidate &best = merged.first();
    answer.status = GeoStatus::Located;
    answer.place = toGeoPlace(best);
    answer.confidence = std::min(best.score, 0.85);
    answer.providerDetail = best.kind + QLatin1Char(':') + best.token;
    answer.reason =
        QStringLiteral("%1 '%2' (%3)").arg(kindPhrase(best.kind), best.token, placeText(best.place));
    if (!best.evidence.isEmpty())
        answer.reason += QStringLiteral(", also '%1'").arg(best.evidence.join(QStringLiteral("', '")));
    if (!countryLabel.isEmpty() && best.place.countryCode == strongCountry)
        answer.reason += QStringLiteral(", country label '%1'").arg(countryLabel);
    QStringList others;
    for (qsizetype i = 1; i < merged.size() && i <= 5; ++i) {
        answer.alternatives.append(toGeoPlace(merged.at(i)));
        others << QStringLiteral("%1 (%2 '%3')")
                      .arg(placeText(merged.at(i).place), kindPhrase(merged.at(i).kind), merged.at(i).token);
    }
    if (!others.isEmpty())
        answer.reason += QStringLiteral("; could also be ") + others.join(QStringLiteral(", "));
    answer.reason += u'.';
    qCDebug(lcHostnameHints).noquote() << name << "->" << answer.reason;
    return answer;
}

} // namespace tracemap
