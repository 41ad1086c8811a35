#include "hostnametokens.h"

#include "placedictionary.h"

#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace tracemap {

namespace {

// Tokens that name interfaces, router roles or access technologies rather than places; several
// are also IATA codes (CCR Concord, MPR McPherson, POP Puerto Plata, MAN Manchester) or cities
// (Mobile, AL; Cable, WI; Pool) and would otherwise be read as one.
const QSet<QString> &notPlaces()
{
    // clang-format off
    static const QSet<QString> words{
        "ae", "be", "et", "xe", "ge", "te", "hu", "fo", "gi", "so", "po", "lo", "ix", "tengig", "tengige",
        "gige", "hundredgige", "fortygige", "gigabitethernet", "ethernet", "eth", "bundle", "ether", "lag",
        "vlan", "vl", "irb", "bvi", "pos", "ten", "hun", "gig", "fa", "ccr", "mpr", "bbr", "agr", "core",
        "tcore", "hcore", "qcore", "edge", "border", "peer", "peering", "transit", "cust", "customer",
        "customers", "static", "dynamic", "dyn", "pool", "dsl", "adsl", "vdsl", "ftth", "fttx", "cable",
        "fiber", "fibre", "broadband", "wifi", "gpon", "olt", "bng", "bras", "lns", "cpe", "rtr", "router",
        "gw", "gateway", "sw", "switch", "csw", "dsw", "asw", "esr", "pe", "rr", "ar", "cr", "br", "er",
        "ibr", "ebr", "cbr", "sbr", "igw", "int", "ext", "mgmt", "oob", "loopback", "net", "com", "org",
        "www", "mail", "smtp", "dns", "ns", "cdn", "cache", "fw", "lb", "nat", "ipv", "ip", "ips", "bb",
        "gin", "atlas", "zip", "man", "pop", "isp", "ppp", "res", "rev", "ptr", "arpa", "addr", "host",
        "hosts", "server", "srv", "vps", "cloud", "mobile", "dial", "dialup", "business", "home", "user",
        "users", "client", "access", "agg", "aggr", "dist", "metro", "backbone", "link", "uplink", "inet",
        "internet", "telecom", "level", "colo", "dc", "datacenter", "lan", "wan", "mpls", "vpn", "bgp",
        "ospf", "any", "unknown", "not", "assigned", "unassigned", "reverse", "in", "out", "the", "and",
        "red", "blue", "green", "ear", "car", "bar", "csr", "msr", "hsd", "dip", "range", "compute",
        "deploy", "clients", "unn", "port", "channel", "portchannel", "ve", "ten", "hundredge", "tengige",
        "ecr", "icr", "ier", "owr", "lcr", "mse", "rar", "ppr", "cbs", "bcr", "tbone", "ibone", "ce",
        "link", "vfttp", "hsi", "hsipaccess", "gar", "mcs", "cs", "ter", "tr", "nr", "rcr", "mpd",
        "leaf", "spine", "box", "web", "hosting", "local", "localdomain", "lan", "domain", "ic",
        "svc", "pni", "bbnet", "netops", "infra", "google", "amazon", "amazoncom", "microsoft", "cloudflare",
        "mygateway", "speedport", "fritz", "modem", "quantum", "fios", "desktop", "laptop",
        "static", "pool", "gateway", "sur", "ur", "ar", "cs", "rc", "cc", "aa", "ie", "wlan", "gwc", "vl",
        "asymm", "cust", "ri", "agg", "ptp", "p2p", "pod", "central", "xcr", "bdr", "lsr", "rgr", "uacc",
        "intl", "ecore", "mcore", "ncore", "dsr", "pcr", "tcr", "vlan", "bundle"
    };
    // clang-format on
    return words;
}

// Everyday English and Spanish words and common surnames that are also the name or code of a
// place (PER Perth, Ortega, Anderson, Jackson): in a name without an operator rule they more
// often name a building, a person's server or a role ("anderson.ucla.net", "ortega-vlan4",
// "per" for a peering router) than a town, so they count only where a country label confirms
// the place. An operator rule that captures one still reads it (the rule names the label).
const QSet<QString> &commonWords()
{
    // clang-format off
    static const QSet<QString> words{
        "adams", "aguilar", "all", "allen", "and", "anderson", "any", "are", "aux", "back", "bailey",
        "baker", "bell", "bennett", "big", "box", "brooks", "brown", "campbell", "campus", "carter",
        "casa", "castillo", "center", "centre", "clark", "collins", "con", "cook", "cooper", "cox", "cruz",
        "davis", "del", "demo", "dev", "diaz", "east", "edwards", "end", "este", "evans", "flores", "for",
        "foster", "front", "fun", "garcia", "get", "gomez", "gonzalez", "gray", "guest", "gutierrez",
        "hall", "harris", "herrera", "high", "hill", "house", "howard", "hub", "hughes", "jackson",
        "james", "johnson", "jones", "kelly", "key", "king", "lab", "lee", "lewis", "library", "log",
        "long", "lopez", "los", "low", "main", "martin", "martinez", "master", "max", "medina", "miller",
        "min", "mitchell", "moore", "morales", "morgan", "morris", "murphy", "myers", "nelson", "new",
        "norte", "north", "not", "oeste", "office", "old", "one", "ortega", "ortiz", "para", "park",
        "parker", "per", "perez", "peterson", "phillips", "por", "price", "primary", "private", "public",
        "put", "ramirez", "reed", "reyes", "richardson", "rivera", "roberts", "robinson", "rodriguez",
        "rogers", "romero", "ross", "run", "san", "sanchez", "sanders", "scott", "secondary", "set",
        "slave", "smith", "south", "stewart", "student", "sun", "sys", "taylor", "test", "the", "thomas",
        "thompson", "tmp", "top", "torres", "turner", "two", "vargas", "via", "walker", "ward", "watson",
        "web", "west", "white", "williams", "wilson", "wood", "wright", "young"
    };
    // clang-format on
    return words;
}

// Two-letter labels that are not meant as countries even when they are country codes.
const QSet<QString> &notCountryLabels()
{
    static const QSet<QString> labels{"bb", "ip", "gw", "cr", "br", "ar", "er", "pe", "lo", "mx", "ns",
                                      "rr", "sw", "ae", "be", "et", "ge", "xe", "te", "so", "po", "ix",
                                      "fo", "hu", "ce", "cs", "bi", "bx", "pr", "na", "lb"};
    return labels;
}

// Three or more numbers of which at least two are too big for interface numbering (> 9), all
// of them octets.
bool spellsAddress(const QStringList &parts)
{
    int numbers = 0, big = 0;
    for (const QString &p : parts) {
        bool ok = false;
        const int value = p.toInt(&ok);
        if (!ok || p.isEmpty() || !p.front().isDigit())
            continue;
        if (value > 255)
            return false;
        ++numbers;
        big += value > 9 ? 1 : 0;
    }
    return numbers >= 3 && big >= 2;
}

// "sa" in a .au name is South Australia, not Saudi Arabia.
bool isRegionOf(const QString &label, const QString &country, const PlaceDictionary &places)
{
    if (country.isEmpty())
        return false;
    const QStringList regions = places.gazetteer().regionsForAbbreviation(label);
    return std::any_of(regions.cbegin(), regions.cend(),
                       [&](const QString &r) { return r.startsWith(country); });
}

} // namespace

QString countryFromLabel(const QString &label)
{
    if (label == QLatin1String("uk"))
        return QStringLiteral("GB");
    return label.toUpper();
}

bool isNotPlaceWord(const QString &token)
{
    return notPlaces().contains(token);
}

bool isCommonWord(const QString &token)
{
    return commonWords().contains(token);
}

bool isRackSwitchWord(const QString &token)
{
    return token == QLatin1String("tor") || token == QLatin1String("rsw");
}

HostnameLabels splitHostname(const QString &lowerName, const PlaceDictionary &places)
{
    HostnameLabels out;
    // The registered domain (cogentco.com, ntt.net, co.uk domains) names the operator, not a place.
    QStringList labels = lowerName.split(u'.', Qt::SkipEmptyParts);
    qsizetype domainLabels = labels.size() >= 2 ? 2 : 0;
    static const QSet<QString> secondLevel{"co", "com", "net", "org", "ac", "ne",
                                           "or", "gov", "edu", "ad",  "gr"};
    if (labels.size() >= 3 && labels.last().size() == 2 && secondLevel.contains(labels.at(labels.size() - 2)))
        domainLabels = 3;
    // Country-code domains sold worldwide as brands say nothing about where a router is.
    static const QSet<QString> vanityDomains{"tv", "io", "me", "ai", "fm", "gg",
                                             "ly", "to", "cc", "ws", "nu", "sh"};
    if (domainLabels > 0 && labels.last().size() == 2 && !vanityDomains.contains(labels.last()) &&
        places.isCountryCode(countryFromLabel(labels.last())))
        out.weakCountry = countryFromLabel(labels.last());
    labels.resize(labels.size() - domainLabels);
    for (const QString &label : std::as_const(labels)) {
        if (out.strongCountry.isEmpty() && label.size() == 2 && !notCountryLabels().contains(label) &&
            places.isCountryCode(countryFromLabel(label)) && !isRegionOf(label, out.weakCountry, places)) {
            out.strongCountry = countryFromLabel(label);
            out.countryLabel = label;
        }
    }
    out.labels = labels;
    return out;
}

QList<HostnameToken> tokenize(const HostnameLabels &labels)
{
    static const QRegularExpression separators(QStringLiteral("[-_]+"));
    static const QRegularExpression leadingLetters(QStringLiteral("^[0-9]*([a-z]+)([0-9]?)"));
    static const QRegularExpression letters(QStringLiteral("^[a-z]{2,3}$"));
    // A device or line-card token: a short code glued to numbers and more letters ("alb2nqp8").
    static const QRegularExpression deviceToken(QStringLiteral("^[a-z]{1,3}[0-9]+[a-z]{2,}[0-9]*[a-z]*$"));
    QList<HostnameToken> tokens;
    QSet<QString> seen;
    const QStringList &all = labels.labels;
    for (int li = 0; li < all.size(); ++li) {
        const QString &label = all.at(li);
        const QStringList parts = label.split(separators, Qt::SkipEmptyParts);
        // A label that spells out an address ("c-73-15-22-1", "63-216-176-73") names a customer
        // line, not a place; interface numbering ("te0-1-0-1-jnb2-p1", "xe-1-3-2-19") has as many
        // numbers but small ones, and the PoP code beside it still counts.
        if (spellsAddress(parts))
            continue;
        QString previous;
        for (qsizetype pi = 0; pi < parts.size(); ++pi) {
            const QString &part = parts.at(pi);
            const auto match = leadingLetters.match(part);
            if (!match.hasMatch() || deviceToken.match(part).hasMatch()) {
                previous.clear();
                continue;
            }
            HostnameToken t;
            t.text = match.captured(1);
            t.label = li;
            t.siteNumber = !match.captured(2).isEmpty();
            t.lastLabel = li == all.size() - 1;
            if (pi + 1 < parts.size() && letters.match(parts.at(pi + 1)).hasMatch())
                t.next = parts.at(pi + 1);
            else if (pi + 1 == parts.size() && li + 1 < all.size() &&
                     letters.match(all.at(li + 1)).hasMatch())
                t.next = all.at(li + 1);
            if (!seen.contains(t.text)) {
                seen.insert(t.text);
                tokens << t;
            }
            if (!previous.isEmpty() && !seen.contains(previous + t.text)) {
                HostnameToken joined = t;
                joined.text = previous + t.text;
                joined.joined = true;
                seen.insert(joined.text);
                tokens << joined;
            }
            previous = t.text;
        }
    }
    return tokens;
}

} // namespace tracemap
