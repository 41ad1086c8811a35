#include "appsettings.h"

#include "geooptions.h"
#include "tracetypes.h"

namespace tracemap {

// A number kept in the settings with its one default and range: read and write both clamp to it,
// so a hand-edited file or a QML binding cannot set what the setter would refuse.
template<typename T> struct BoundedSetting
{
    QString key;
    T fallback;
    T low;
    T high;
};

namespace {
const QString kTileUrl = QStringLiteral("map/tileUrl");
const QString kOffline = QStringLiteral("geo/offline");
const QString kKeepHistory = QStringLiteral("history/keep");
const QString kDatabases = QStringLiteral("geo/databasePaths");
const QString kOverrides = QStringLiteral("geo/overridePaths");
const QString kNominatim = QStringLiteral("geo/nominatimUrl");
const QString kOnline = QStringLiteral("geo/onlineLookups");
const BoundedSetting<int> kLookupTimeout{QStringLiteral("geo/lookupTimeoutMs"), 4000, 100, 60000};
const QString kSource = QStringLiteral("geo/sourceLocation");
const QString kMethod = QStringLiteral("trace/defaultMethod");
const BoundedSetting<double> kProbeTimeout{QStringLiteral("trace/probeTimeoutSec"), 2.0, 0.1, 60.0};
const BoundedSetting<int> kMaxTtl{QStringLiteral("trace/maxTtl"), 30, 1, 255};
const QString kRecent = QStringLiteral("trace/recentHosts");
const QString kWatchColumns = QStringLiteral("watch/columns");
const BoundedSetting<int> kWatchPaneWidth{QStringLiteral("watch/paneWidth"), 0, 0, 10000};
const BoundedSetting<int> kWatchTableHeight{QStringLiteral("watch/tableHeight"), 0, 0, 10000};
const QString kDefaultNominatim = QStringLiteral("https://nominatim.openstreetmap.org");
// What a setting feeds besides its own property: the geolocation service is rebuilt from the
// Geo ones.
enum class Affects { Ui, Geo };

// After AppSettings::store(): on a change, the setting's own signal, then geoSettingsChanged for
// a Geo setting.
void notifyIfStored(AppSettings *settings, bool stored, void (AppSettings::*changed)(),
                    Affects affects = Affects::Ui)
{
    if (!stored)
        return;
    emit(settings->*changed)();
    if (affects == Affects::Geo)
        emit settings->geoSettingsChanged();
}

} // namespace

AppSettings::AppSettings(QObject *parent)
    : QObject(parent),
      m_settings(std::make_unique<QSettings>(QStringLiteral("tracemap"), QStringLiteral("tracemap")))
{}

AppSettings::AppSettings(const QString &iniPath, QObject *parent)
    : QObject(parent), m_settings(std::make_unique<QSettings>(iniPath, QSettings::IniFormat))
{}

AppSettings::AppSettings(InMemoryTag) : QObject(nullptr) {}

std::unique_ptr<AppSettings> AppSettings::inMemory()
{
    return std::unique_ptr<AppSettings>(new AppSettings(InMemoryTag{}));
}

AppSettings::~AppSettings() = default;

template<typename T> T AppSettings::read(const BoundedSetting<T> &setting) const
{
    return std::clamp(value(setting.key, setting.fallback).template value<T>(), setting.low, setting.high);
}

template<typename T> bool AppSettings::write(const BoundedSetting<T> &setting, T value)
{
    return store(setting.key, std::clamp(value, setting.low, setting.high), setting.fallback);
}

QVariant AppSettings::value(const QString &key, const QVariant &fallback) const
{
    if (const auto it = m_session.constFind(key); it != m_session.cend())
        return *it;
    if (m_settings)
        return m_settings->value(key, fallback);
    return m_memory.value(key, fallback);
}

bool AppSettings::store(const QString &key, const QVariant &newValue, const QVariant &fallback)
{
    if (value(key, fallback) == newValue)
        return false;
    if (m_sessionOnly) {
        m_session.insert(key, newValue);
        return true;
    }
    m_session.remove(key);
    if (m_settings)
        m_settings->setValue(key, newValue);
    else
        m_memory.insert(key, newValue);
    return true;
}

QString AppSettings::tileUrl() const
{
    return value(kTileUrl, kDefaultTileUrl).toString();
}

void AppSettings::setTileUrl(const QString &url)
{
    const QString trimmed = url.trimmed().isEmpty() ? kDefaultTileUrl : url.trimmed();
    notifyIfStored(this, store(kTileUrl, trimmed, kDefaultTileUrl), &AppSettings::tileUrlChanged);
}

bool AppSettings::offline() const
{
    return value(kOffline, false).toBool();
}

void AppSettings::setOffline(bool offline)
{
    notifyIfStored(this, store(kOffline, offline, false), &AppSettings::offlineChanged, Affects::Geo);
}

bool AppSettings::keepHistory() const
{
    return value(kKeepHistory, true).toBool();
}

void AppSettings::setKeepHistory(bool keep)
{
    notifyIfStored(this, store(kKeepHistory, keep, true), &AppSettings::keepHistoryChanged);
}

QStringList AppSettings::databasePaths() const
{
    return value(kDatabases, QStringList()).toStringList();
}

void AppSettings::setDatabasePaths(const QStringList &paths)
{
    notifyIfStored(this, store(kDatabases, paths, QStringList()), &AppSettings::databasePathsChanged,
                   Affects::Geo);
}

QStringList AppSettings::overridePaths() const
{
    return value(kOverrides, QStringList()).toStringList();
}

void AppSettings::setOverridePaths(const QStringList &paths)
{
    notifyIfStored(this, store(kOverrides, paths, QStringList()), &AppSettings::overridePathsChanged,
                   Affects::Geo);
}

QString AppSettings::nominatimUrl() const
{
    return value(kNominatim, kDefaultNominatim).toString();
}

void AppSettings::setNominatimUrl(const QString &url)
{
    const QString trimmed = url.trimmed().isEmpty() ? kDefaultNominatim : url.trimmed();
    notifyIfStored(this, store(kNominatim, trimmed, kDefaultNominatim), &AppSettings::nominatimUrlChanged,
                   Affects::Geo);
}

bool AppSettings::onlineLookups() const
{
    return value(kOnline, false).toBool();
}

void AppSettings::setOnlineLookups(bool on)
{
    notifyIfStored(this, store(kOnline, on, false), &AppSettings::onlineLookupsChanged, Affects::Geo);
}

TraceController::Method AppSettings::defaultMethod() const
{
    // UDP by default, as tracemap-cli traces: the same user gets the same probes from both. The
    // file keeps the method's name ("udp"), as the command line spells it.
    const std::optional<ProbeMethod> method = probeMethodFromString(value(kMethod, QString()).toString());
    return TraceController::fromProbeMethod(method.value_or(ProbeMethod::Udp));
}

void AppSettings::setDefaultMethod(TraceController::Method method)
{
    if (method < TraceController::Auto || method > TraceController::Tcp)
        return;
    notifyIfStored(this,
                   store(kMethod, toString(TraceController::toProbeMethod(method)), QStringLiteral("udp")),
                   &AppSettings::defaultMethodChanged);
}

double AppSettings::probeTimeoutSec() const
{
    return read(kProbeTimeout);
}

void AppSettings::setProbeTimeoutSec(double seconds)
{
    notifyIfStored(this, write(kProbeTimeout, seconds), &AppSettings::probeTimeoutSecChanged);
}

int AppSettings::lookupTimeoutMs() const
{
    return read(kLookupTimeout);
}

void AppSettings::setLookupTimeoutMs(int ms)
{
    notifyIfStored(this, write(kLookupTimeout, ms), &AppSettings::lookupTimeoutMsChanged, Affects::Geo);
}

int AppSettings::maxTtl() const
{
    return read(kMaxTtl);
}

void AppSettings::setMaxTtl(int ttl)
{
    notifyIfStored(this, write(kMaxTtl, ttl), &AppSettings::maxTtlChanged);
}

QString AppSettings::sourceLocation() const
{
    return value(kSource, QString()).toString();
}

void AppSettings::setSourceLocation(const QString &latLon)
{
    const QString trimmed = latLon.trimmed();
    double lat = 0, lon = 0;
    if (!trimmed.isEmpty() && !parseLatLon(trimmed, &lat, &lon))
        return;
    notifyIfStored(this, store(kSource, trimmed, QString()), &AppSettings::sourceLocationChanged,
                   Affects::Geo);
}

QStringList AppSettings::recentHosts() const
{
    return value(kRecent, QStringList()).toStringList();
}

void AppSettings::setRecentHosts(const QStringList &hosts)
{
    QStringList bounded;
    for (const QString &h : hosts) {
        const QString t = h.trimmed();
        if (!t.isEmpty() && !bounded.contains(t))
            bounded << t;
        if (bounded.size() == kMaxRecentHosts)
            break;
    }
    notifyIfStored(this, store(kRecent, bounded, QStringList()), &AppSettings::recentHostsChanged);
}

QStringList AppSettings::watchColumns() const
{
    return value(kWatchColumns, QStringList()).toStringList();
}

void AppSettings::setWatchColumns(const QStringList &columns)
{
    notifyIfStored(this, store(kWatchColumns, columns, QStringList()), &AppSettings::watchColumnsChanged);
}

int AppSettings::watchPaneWidth() const
{
    return read(kWatchPaneWidth);
}

void AppSettings::setWatchPaneWidth(int px)
{
    notifyIfStored(this, write(kWatchPaneWidth, px), &AppSettings::watchPaneWidthChanged);
}

int AppSettings::watchTableHeight() const
{
    return read(kWatchTableHeight);
}

void AppSettings::setWatchTableHeight(int px)
{
    notifyIfStored(this, write(kWatchTableHeight, px), &AppSettings::watchTableHeightChanged);
}

void AppSettings::rememberHost(const QString &host)
{
    QStringList hosts = recentHosts();
    hosts.removeAll(host.trimmed());
    hosts.prepend(host.trimmed());
    setRecentHosts(hosts);
}

void AppSettings::clearRecentHosts()
{
    setRecentHosts({});
}

GeoSettings AppSettings::geoSettings() const
{
    GeoSettings s;
    s.offline = offline();
    s.onlineLookups = onlineLookups();
    s.databasePaths = databasePaths();
    s.overridePaths = overridePaths();
    s.nominatimUrl = QUrl(nominatimUrl());
    s.lookupTimeoutMs = lookupTimeoutMs();
    double lat = 0, lon = 0;
    if (parseLatLon(sourceLocation(), &lat, &lon)) {
        s.sourceLatitude = lat;
        s.sourceLongitude = lon;
    }
    return s;
}

} // namespace tracemap
