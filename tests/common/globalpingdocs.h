#pragma once
// Test helper: Globalping measurement documents for loopback fakes, derived from the saved ones
// in tests/data/globalping. Header-only (tests are built one file each, tests/common included).

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace tracemap::test {

// A finished measurement re-labelled as still running, with its second probe still measuring
// (no hop yet): what a poll answers before the measurement is over.
inline QByteArray globalpingStillRunning(const QByteArray &finished)
{
    QJsonObject o = QJsonDocument::fromJson(finished).object();
    o.insert(QStringLiteral("status"), QStringLiteral("in-progress"));
    QJsonArray results = o.value(QStringLiteral("results")).toArray();
    if (results.size() < 2) // a missing or short fixture: let the caller's checks fail, not crash
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
    QJsonObject second = results.at(1).toObject();
    QJsonObject result = second.value(QStringLiteral("result")).toObject();
    result.insert(QStringLiteral("status"), QStringLiteral("in-progress"));
    result.insert(QStringLiteral("hops"), QJsonArray{});
    second.insert(QStringLiteral("result"), result);
    results.replace(1, second);
    o.insert(QStringLiteral("results"), results);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace tracemap::test
