// Accuracy of the hostname hints on real router names (tests/data/router-names.tsv, see its
// README): for each kind of hint (city name, IATA, CLLI, operator code) the share placed within
// 100 km of the labelled city, and for names without a place the share left alone. The goal of
// issue 13: >= 95 % of hint-bearing names within 100 km, >= 98 % of hint-free names without a
// hint place.
//
//   geo_accuracy [--data FILE] [--misses|--verbose] [--codes FILE]
//   (exit 0 when both goals are met, 1 otherwise)
//
// A second table splits the names by whether operator-rules.tsv has a rule for their domain
// (OperatorRules::hasRuleFor): a convention the rules know, one they do not, no place at all.
//
// --codes FILE replaces the operators' code tables (resources/geo/operator-codes.tsv) and keeps
// their rules: with an empty file, what the conventions alone read; with an older table, how
// the hints fare on codes that table did not list yet.
//
// Offline and pure: the names are data, never resolved or contacted.

#include "hostnamehints.h"
#include "plausibility.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QMap>

#include <cstdio>

using namespace tracemap;

namespace {

struct Tally
{
    int total = 0, good = 0, wrong = 0, missing = 0;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QString path = QStringLiteral(TRACEMAP_SOURCE_DIR "/tests/data/router-names.tsv");
    bool misses = false;
    bool verbose = false;
    QString codesPath;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--data") && i + 1 < args.size()) {
            path = args[++i];
        } else if (args[i] == QLatin1String("--misses")) {
            misses = true;
        } else if (args[i] == QLatin1String("--verbose")) {
            misses = verbose = true;
        } else if (args[i] == QLatin1String("--codes") && i + 1 < args.size()) {
            codesPath = args[++i];
        } else {
            std::fprintf(stderr, "usage: geo_accuracy [--data FILE] [--misses|--verbose] [--codes FILE]\n");
            return 2;
        }
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "geo_accuracy: %s: %s\n", qPrintable(path), qPrintable(file.errorString()));
        return 2;
    }
    const auto places = PlaceDictionary::loadBuiltin();
    std::shared_ptr<const OperatorRules> rules = OperatorRules::sharedBuiltin();
    if (!codesPath.isEmpty()) {
        rules = OperatorRules::load(QStringLiteral(":/geo/operator-rules.tsv"), codesPath);
        if (!rules->loadErrors().isEmpty()) {
            std::fprintf(stderr, "geo_accuracy: %s\n", qPrintable(rules->loadErrors().join(u'\n')));
            return 2;
        }
    }
    const HostnameHintProvider hints(places, rules);
    for (const QString &e : hints.ruleErrors())
        std::fprintf(stderr, "rule problem: %s\n", qPrintable(e));

    QMap<QString, Tally> byKind;
    Tally hinted, hintFree, withRule, withoutRule;
    int lineNumber = 0;
    qint64 nanos = 0;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        ++lineNumber;
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        const QStringList f = line.split(u'\t');
        if (f.size() < 5) {
            std::fprintf(stderr, "%s:%d: expected name, city, region, country, kind\n", qPrintable(path),
                         lineNumber);
            return 2;
        }
        const QString &name = f[0], &city = f[1], &region = f[2], &country = f[3], &kind = f[4];
        QElapsedTimer timer;
        timer.start();
        const GeoAnswer answer = hints.hintFor(name);
        nanos += timer.nsecsElapsed();
        Tally &t = byKind[kind];
        ++t.total;
        const bool ruled = rules->hasRuleFor(name);
        if (kind == QLatin1String("none")) {
            ++hintFree.total;
            if (answer.status == GeoStatus::Located) {
                ++t.wrong;
                ++hintFree.wrong;
                if (misses)
                    std::printf("FALSE  %-55s -> %s (%s, %.2f)\n", qPrintable(name),
                                qPrintable(answer.place.city), qPrintable(answer.providerDetail),
                                answer.confidence);
            } else {
                ++t.good;
                ++hintFree.good;
            }
            continue;
        }
        ++hinted.total;
        Tally &split = ruled ? withRule : withoutRule;
        ++split.total;
        PlaceEntry truth;
        bool resolved = false;
        for (const PlaceEntry &p : places->findCity(city, country)) {
            if (region.isEmpty() || p.regionCode == region) {
                truth = p;
                resolved = true;
                break;
            }
        }
        if (!resolved) {
            std::fprintf(stderr, "%s:%d: label %s|%s|%s is not in the gazetteer\n", qPrintable(path),
                         lineNumber, qPrintable(city), qPrintable(region), qPrintable(country));
            return 2;
        }
        if (answer.status != GeoStatus::Located) {
            ++t.missing;
            ++hinted.missing;
            ++split.missing;
            if (misses)
                std::printf("NONE   %-55s want %s%s: %s\n", qPrintable(name), qPrintable(city),
                            ruled ? " [rule]" : "", qPrintable(answer.reason));
            continue;
        }
        const double km =
            greatCircleKm(answer.place.latitude, answer.place.longitude, truth.latitude, truth.longitude);
        if (verbose)
            std::printf("OK     %-55s -> %s (%s, %.2f)\n", qPrintable(name), qPrintable(answer.place.city),
                        qPrintable(answer.providerDetail), answer.confidence);
        if (km <= 100.0) {
            ++t.good;
            ++hinted.good;
            ++split.good;
        } else {
            ++t.wrong;
            ++hinted.wrong;
            ++split.wrong;
            if (misses)
                std::printf("WRONG  %-55s -> %s, %s (%s, %.0f km) want %s%s\n", qPrintable(name),
                            qPrintable(answer.place.city), qPrintable(answer.place.countryCode),
                            qPrintable(answer.providerDetail), km, qPrintable(city), ruled ? " [rule]" : "");
        }
    }

    std::printf("\n%-10s %6s %8s %8s %8s %9s\n", "kind", "names", "placed", "wrong", "no hint", "accuracy");
    for (auto it = byKind.cbegin(); it != byKind.cend(); ++it) {
        const Tally &t = it.value();
        std::printf("%-10s %6d %8d %8d %8d %8.1f%%\n", qPrintable(it.key()), t.total, t.good, t.wrong,
                    t.missing, t.total ? 100.0 * t.good / t.total : 0.0);
    }
    std::printf("\n%-22s %6s %8s %8s %8s %9s\n", "split", "names", "placed", "wrong", "no hint", "accuracy");
    const auto row = [](const char *label, const Tally &t) {
        std::printf("%-22s %6d %8d %8d %8d %8.1f%%\n", label, t.total, t.good, t.wrong, t.missing,
                    t.total ? 100.0 * t.good / t.total : 0.0);
    };
    row("operator has a rule", withRule);
    row("no rule", withoutRule);
    row("no place in the name", hintFree);
    const double hintRate = hinted.total ? 100.0 * hinted.good / hinted.total : 0.0;
    const double freeRate = hintFree.total ? 100.0 * hintFree.good / hintFree.total : 0.0;
    std::printf("\nhint-bearing names placed within 100 km: %d of %d = %.1f %% (goal 95 %%)\n", hinted.good,
                hinted.total, hintRate);
    std::printf("hint-free names left without a hint place: %d of %d = %.1f %% (goal 98 %%)\n", hintFree.good,
                hintFree.total, freeRate);
    const int total = hinted.total + hintFree.total;
    std::printf("%d names, %.1f us per name\n", total, total ? nanos / 1000.0 / total : 0.0);
    return hintRate >= 95.0 && freeRate >= 98.0 ? 0 : 1;
}
