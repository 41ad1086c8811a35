#include "globalpingclient.h"

#include "apisession.h"

#include <QJsonDocument>

namespace tracemap {

static_assert(namesMeasurementFailures(GlobalpingClient::Error::BadToken),
              "GlobalpingClient::Error follows MeasurementClient::Failure");

// 500 ms between polls is the API's guideline.
GlobalpingClient::GlobalpingClient(QNetworkAccessManager *network, QObject *parent)
    : MeasurementClient(network,
                        {QStringLiteral("Globalping"), globalpingErrorMessage, kGlobalpingDefaultBase, 30000,
                         5 * 60 * 1000, 500},
                        parent)
{}

GlobalpingClient::~GlobalpingClient() = default;

void GlobalpingClient::begin()
{
    beginSession(m_token.isEmpty() ? QByteArray() : "Bearer " + m_token);
    m_measurement = {};
}

void GlobalpingClient::fail(Error error, const QString &message)
{
    cancel();
    emit finished(error, message);
}

QString GlobalpingClient::timeoutMessage(const HttpFetchResult &result) const
{
    const QString partial = m_measurement.routes.isEmpty()
                                ? QString()
                                : QStringLiteral("; %1 routes arrived").arg(m_measurement.routes.size());
    // A request cut short by the overall deadline says nothing the deadline does not.
    const QString why = session()->expired() ? QString() : QStringLiteral(" (%1)").arg(result.error);
    return QStringLiteral("Globalping measurement %1 did not finish in time%2%3")
        .arg(m_id.isEmpty() ? QStringLiteral("(not created)") : m_id, why, partial);
}

void GlobalpingClient::failAnswer(Failure failure, const QString &message)
{
    fail(Error(int(failure)), message);
}

void GlobalpingClient::start(const GlobalpingSpec &spec)
{
    begin();
    if (const QString problem = validate(spec); !problem.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this, problem] { fail(Error::InvalidRequest, problem); }, Qt::QueuedConnection);
        return;
    }
    const QByteArray body = QJsonDocument(globalpingCreationBody(spec)).toJson(QJsonDocument::Compact);
    session()->call("POST", globalpingCreateUrl(baseUrl()), body, [this](const HttpFetchResult &result) {
        if (failedAnswer(result, {202, 201}))
            return;
        QString error;
        int probes = -1;
        m_id = parseGlobalpingCreated(result.body, &probes, &error);
        if (m_id.isEmpty()) {
            fail(Error::BadAnswer, error);
            return;
        }
        emit created(m_id, probes);
        // The guideline: wait about 500 ms before the first poll too.
        session()->after(pollIntervalMs(), [this] { poll(); });
    });
}

void GlobalpingClient::fetch(const QString &id)
{
    begin();
    m_id = id;
    poll();
}

void GlobalpingClient::poll()
{
    session()->call(
        "GET", globalpingMeasurementUrl(baseUrl(), m_id), {}, [this](const HttpFetchResult &result) {
            if (failedAnswer(result, {200}))
                return;
            GlobalpingParseOutcome parsed = parseGlobalpingMeasurement(result.body);
            if (!parsed.ok()) {
                fail(Error::BadAnswer,
                     QStringLiteral("Globalping measurement %1: %2").arg(m_id, parsed.message));
                return;
            }
            m_measurement = parsed.measurement;
            emit progress(m_measurement);
            if (!m_measurement.inProgress()) {
                cancel();
                emit finished(Error::None, QString());
                return;
            }
            if (session()->expired()) {
                fail(Error::Timeout,
                     QStringLiteral("Globalping measurement %1 did not finish in time; %2 routes arrived")
                         .arg(m_id)
                         .arg(m_measurement.routes.size()));
                return;
            }
            session()->after(pollIntervalMs(), [this] { poll(); });
        });
}

} // namespace tracemap
