// The desktop app's first-run offer of the offline IP database (DB-IP City Lite).
//
// The database is data with its own licence and size (about 140 MB), so the packages do not
// carry it. When none is installed and the person has not said "not now", the window shows an
// offer; accepting it runs the same GeoDatabaseUpdater as `tracemap-cli geodb update` (checksum
// verified, files swapped in atomically) and reports its progress lines. Meanwhile, and if it
// fails, the app keeps working with host-name hints and overrides.
//
// Contract: `installed()` fires once after a successful install, so the application can
// rebuild its GeoService; every NOTIFY fires only on a real change; "not now" is remembered in
// the user's settings unless the setup was created without persistence (scripted runs, tests).
#pragma once

#include <QObject>
#include <QString>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QNetworkAccessManager;

namespace tracemap {

class GeoDatabaseUpdater;

class GeoDbSetup : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Created by the application")
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(QString message READ message NOTIFY messageChanged)
    Q_PROPERTY(bool offerVisible READ offerVisible NOTIFY offerVisibleChanged)
public:
    enum class State {
        Installed,  // a database is installed or configured: nothing to offer
        Missing,    // none: offer it (unless dismissed)
        Installing, // an update is running; message() is its latest progress line
        Failed,     // the last attempt failed; message() says why; may be retried
    };
    Q_ENUM(State)

    struct Options
    {
        QUrl registryUrl = QUrl(QStringLiteral("https://registry.npmjs.org"));
        bool persistent = true;           // remember "not now" in the user's settings
        QString settingsPath;             // INI file instead of the user's settings (tests)
        bool databasesConfigured = false; // the person chose database files in Settings
        bool offline = false;             // offline mode: never offer a download
    };

    explicit GeoDbSetup(const Options &options, QObject *parent = nullptr);
    ~GeoDbSetup() override;

    State state() const { return m_state; }
    QString message() const { return m_message; }
    bool offerVisible() const;

    // Starts the download and install; ignored while one is running or once installed.
    Q_INVOKABLE void install();
    // "Not now": hides the offer for good (Settings still shows the database state).
    Q_INVOKABLE void dismiss();

signals:
    void stateChanged();
    void messageChanged();
    void offerVisibleChanged();
    void installed();

private:
    void setState(State state, const QString &message);

    Options m_options;
    State m_state = State::Missing;
    QString m_message;
    bool m_dismissed = false;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<GeoDatabaseUpdater> m_updater;
};

} // namespace tracemap
