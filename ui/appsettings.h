// The desktop app's preferences, persisted with QSettings (organisation "tracemap",
// application "tracemap") unless created in-memory for scripted runs and tests.
#pragma once

#include "geoservice.h"
#include "tracecontroller.h"

#include <QObject>
#include <QSettings>
#include <QStringList>
#include <QVariantHash>
#include <QtQml/qqmlregistration.h>

#include <memory>

namespace tracemap {

template<typename T> struct BoundedSetting;

class AppSettings : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Created by the application")
    Q_PROPERTY(QString tileUrl READ tileUrl WRITE setTileUrl NOTIFY tileUrlChanged)
    Q_PROPERTY(bool offline READ offline WRITE setOffline NOTIFY offlineChanged)
    Q_PROPERTY(
        QStringList databasePaths READ databasePaths WRITE setDatabasePaths NOTIFY databasePathsChanged)
    Q_PROPERTY(
        QStringList overridePaths READ overridePaths WRITE setOverridePaths NOTIFY overridePathsChanged)
    Q_PROPERTY(QString nominatimUrl READ nominatimUrl WRITE setNominatimUrl NOTIFY nominatimUrlChanged)
    Q_PROPERTY(bool onlineLookups READ onlineLookups WRITE setOnlineLookups NOTIFY onlineLookupsChanged)
    // The method the toolbar starts with, as QML's TraceController.Udp, .Icmp, ...
    Q_PROPERTY(tracemap::TraceController::Method defaultMethod READ defaultMethod WRITE setDefaultMethod
                   NOTIFY defaultMethodChanged)
    Q_PROPERTY(
        double probeTimeoutSec READ probeTimeoutSec WRITE setProbeTimeoutSec NOTIFY probeTimeoutSecChanged)
    Q_PROPERTY(
        int lookupTimeoutMs READ lookupTimeoutMs WRITE setLookupTimeoutMs NOTIFY lookupTimeoutMsChanged)
    Q_PROPERTY(int maxTtl READ maxTtl WRITE setMaxTtl NOTIFY maxTtlChanged)
    Q_PROPERTY(
        QString sourceLocation READ sourceLocation WRITE setSourceLocation NOTIFY sourceLocationChanged)
    Q_PROPERTY(QStringList recentHosts READ recentHosts WRITE setRecentHosts NOTIFY recentHostsChanged)
    Q_PROPERTY(bool persistent READ persistent CONSTANT)
    // Finished traces go to the history (ui/historymodel.h).
    Q_PROPERTY(bool keepHistory READ keepHistory WRITE setKeepHistory NOTIFY keepHistoryChanged)
    // The watch table's shown columns (WatchHopModel keys); empty: its default set.
    Q_PROPERTY(QStringList watchColumns READ watchColumns WRITE setWatchColumns NOTIFY watchColumnsChanged)
    // Watch mode's split as last dragged, in px (0: the window's default): the chart column's
    // width and the watch table's height.
    Q_PROPERTY(int watchPaneWidth READ watchPaneWidth WRITE setWatchPaneWidth NOTIFY watchPaneWidthChanged)
    Q_PROPERTY(
        int watchTableHeight READ watchTableHeight WRITE setWatchTableHeight NOTIFY watchTableHeightChanged)
public:
    static constexpr int kMaxRecentHosts = 12;
    static inline const QString kDefaultTileUrl =
        QStringLiteral("https://tile.openstreetmap.org/{z}/{x}/{y}.png");

    // Persistent: the user's QSettings; or an INI file at iniPath (tests).
    explicit AppSettings(QObject *parent = nullptr);
    explicit AppSettings(const QString &iniPath, QObject *parent = nullptr);
    // Nothing read or written: defaults only, changes live in memory (scripted export).
    static std::unique_ptr<AppSettings> inMemory();
    ~AppSettings() override;

    QString tileUrl() const;
    void setTileUrl(const QString &url);
    bool offline() const;
    void setOffline(bool offline);
    bool keepHistory() const;
    void setKeepHistory(bool keep);
    QStringList databasePaths() const;
    void setDatabasePaths(const QStringList &paths);
    QStringList overridePaths() const;
    void setOverridePaths(const QStringList &paths);
    QString nominatimUrl() const;
    void setNominatimUrl(const QString &url);
    bool onlineLookups() const;
    void setOnlineLookups(bool on);
    TraceController::Method defaultMethod() const;
    void setDefaultMethod(TraceController::Method method);
    double probeTimeoutSec() const;
    void setProbeTimeoutSec(double seconds);
    int lookupTimeoutMs() const;
    void setLookupTimeoutMs(int ms);
    int maxTtl() const;
    void setMaxTtl(int ttl);
    // "LAT,LON" where traces start; empty = unknown (the first located hop is used).
    QString sourceLocation() const;
    void setSourceLocation(const QString &latLon);
    QStringList recentHosts() const;
    void setRecentHosts(const QStringList &hosts);
    QStringList watchColumns() const;
    void setWatchColumns(const QStringList &columns);
    int watchPaneWidth() const;
    void setWatchPaneWidth(int px);
    int watchTableHeight() const;
    void setWatchTableHeight(int px);
    bool persistent() const { return bool(m_settings); }
    // While on, setters change this session only: the command line's options (--offline,
    // --geo-overrides, ...) win for this run without being saved. A later change made with it
    // off (the Settings dialog) is saved and replaces the session's value.
    void setSessionOnly(bool on) { m_sessionOnly = on; }

    // Puts host first in the recent list (deduplicated, bounded).
    Q_INVOKABLE void rememberHost(const QString &host);
    Q_INVOKABLE void clearRecentHosts();

    // What GeoService needs from these settings.
    GeoSettings geoSettings() const;

signals:
    void tileUrlChanged();
    void offlineChanged();
    void keepHistoryChanged();
    void databasePathsChanged();
    void overridePathsChanged();
    void nominatimUrlChanged();
    void onlineLookupsChanged();
    void defaultMethodChanged();
    void probeTimeoutSecChanged();
    void lookupTimeoutMsChanged();
    void maxTtlChanged();
    void sourceLocationChanged();
    void recentHostsChanged();
    void watchColumnsChanged();
    void watchPaneWidthChanged();
    void watchTableHeightChanged();
    // Any setting GeoService is built from changed (offline, databases, overrides, ...).
    void geoSettingsChanged();

private:
    struct InMemoryTag
    {};
    explicit AppSettings(InMemoryTag);
    QVariant value(const QString &key, const QVariant &fallback) const;
    // Stores and returns whether the value changed.
    bool store(const QString &key, const QVariant &value, const QVariant &fallback);
    // A number setting with its default and range (appsettings.cpp): clamped on read and write.
    template<typename T> T read(const BoundedSetting<T> &setting) const;
    template<typename T> bool write(const BoundedSetting<T> &setting, T value);

    std::unique_ptr<QSettings> m_settings; // null: in memory only
    QVariantHash m_memory;
    QVariantHash m_session; // values of this run only (see setSessionOnly)
    bool m_sessionOnly = false;
};

} // namespace tracemap
