#include "geodbsetup.h"

#include "geodbupdater.h"
#include "mmdbprovider.h"
#include "uilogging.h"

#include <QNetworkAccessManager>
#include <QSettings>

namespace tracemap {

namespace {

const QString kDismissedKey = QStringLiteral("firstRun/geoDatabaseOfferDismissed");

std::unique_ptr<QSettings> openSettings(const GeoDbSetup::Options &options)
{
    if (!options.persistent)
        return {};
    if (!options.settingsPath.isEmpty())
        return std::make_unique<QSettings>(options.settingsPath, QSettings::IniFormat);
    return std::make_unique<QSettings>(QStringLiteral("tracemap"), QStringLiteral("tracemap"));
}

} // namespace

GeoDbSetup::GeoDbSetup(const Options &options, QObject *parent) : QObject(parent), m_options(options)
{
    if (const auto settings = openSettings(m_options))
        m_dismissed = settings->value(kDismissedKey, false).toBool();
    const bool present = m_options.databasesConfigured || !defaultDatabasePaths().isEmpty();
    m_state = present ? State::Installed : State::Missing;
    if (!present)
        m_message = tr("No offline IP database is installed: hops are placed by host names and "
                       "overrides only. Install DB-IP City Lite (about 140 MB, CC BY 4.0)?");
}

GeoDbSetup::~GeoDbSetup() = default;

bool GeoDbSetup::offerVisible() const
{
    switch (m_state) {
    case State::Installed:
        return false;
    case State::Missing:
        return !m_dismissed && !m_options.offline;
    case State::Installing:
    case State::Failed:
        return true;
    }
    return false;
}

void GeoDbSetup::setState(State state, const QString &message)
{
    const bool wasVisible = offerVisible();
    if (m_state != state) {
        m_state = state;
        emit stateChanged();
    }
    if (m_message != message) {
        m_message = message;
        emit messageChanged();
    }
    if (offerVisible() != wasVisible)
        emit offerVisibleChanged();
}

void GeoDbSetup::install()
{
    if (m_state == State::Installing || m_state == State::Installed)
        return;
    if (!m_network)
        m_network = std::make_unique<QNetworkAccessManager>();
    m_updater =
        std::make_unique<GeoDatabaseUpdater>(m_network.get(), defaultDataDirectory(), m_options.registryUrl);
    connect(m_updater.get(), &GeoDatabaseUpdater::progress, this,
            [this](const QString &line) { setState(State::Installing, line); });
    connect(m_updater.get(), &GeoDatabaseUpdater::finished, this, [this](bool ok, const QString &message) {
        qCInfo(lcUi) << "offline IP database install:" << (ok ? "done" : "failed") << message;
        if (ok) {
            setState(State::Installed, message);
            emit installed();
        } else {
            setState(State::Failed, tr("The IP database could not be installed: %1").arg(message));
        }
    });
    setState(State::Installing, tr("Downloading the offline IP database…"));
    m_updater->start();
}

void GeoDbSetup::dismiss()
{
    if (m_dismissed || m_state == State::Installing)
        return;
    const bool wasVisible = offerVisible();
    m_dismissed = true;
    if (const auto settings = openSettings(m_options))
        settings->setValue(kDismissedKey, true);
    if (m_state == State::Failed)
        setState(State::Missing, m_message);
    if (offerVisible() != wasVisible)
        emit offerVisibleChanged();
}

} // namespace tracemap
