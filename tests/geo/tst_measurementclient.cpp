// MeasurementClient::failedAnswer: every measurement API client reads an answer the same way:
// an expected status passes; the deadline, the network, a wrong credential, a 429 past the
// deadline and other refusals each end the measurement with their failure and message. Pure:
// the answers are built here, nothing is sent.
#include "httpfetch.h"
#include "measurementclient.h"

#include <QTest>

using namespace tracemap;

namespace {

QString refusalText(int status, const QByteArray &body)
{
    return QStringLiteral("refused %1: %2").arg(status).arg(QString::fromUtf8(body));
}

// Records what failedAnswer() hands over instead of ending a measurement.
class RecordingClient : public MeasurementClient
{
public:
    RecordingClient()
        : MeasurementClient(nullptr, {QStringLiteral("Test API"), refusalText, {}, 1, 1, 1}, nullptr)
    {}
    using MeasurementClient::failedAnswer;

    int failures = 0;
    Failure failure = Failure::Api;
    QString message;

private:
    void failAnswer(Failure f, const QString &m) override
    {
        ++failures;
        failure = f;
        message = m;
    }
    QString timeoutMessage(const HttpFetchResult &result) const override
    {
        return QStringLiteral("late: ") + result.error;
    }
};

enum class Shared { None, InvalidRequest, BadCredential, RateLimited, Network, Timeout, BadAnswer, Api };
static_assert(namesMeasurementFailures(Shared::BadCredential));

HttpFetchResult answer(int status, const QByteArray &body = "no")
{
    HttpFetchResult r;
    r.outcome = HttpFetchResult::Outcome::Answered;
    r.httpStatus = status;
    r.body = body;
    return r;
}

HttpFetchResult unanswered(HttpFetchResult::Outcome outcome, const QString &error)
{
    HttpFetchResult r;
    r.outcome = outcome;
    r.error = error;
    return r;
}

} // namespace

Q_DECLARE_METATYPE(tracemap::HttpFetchResult)

class tst_MeasurementClient : public QObject
{
    Q_OBJECT
private slots:
    void failedAnswer_data()
    {
        QTest::addColumn<HttpFetchResult>("result");
        QTest::addColumn<QList<int>>("expected");
        QTest::addColumn<int>("failure"); // 0: passes
        QTest::addColumn<QString>("message");
        using F = MeasurementClient::Failure;
        QTest::newRow("200 expected") << answer(200) << QList<int>{200} << 0 << QString();
        QTest::newRow("201 among 202, 201") << answer(201) << QList<int>{202, 201} << 0 << QString();
        QTest::newRow("200 where 202 is expected")
            << answer(200) << QList<int>{202} << int(F::Api) << "refused 200: no";
        QTest::newRow("401") << answer(401, "key") << QList<int>{200} << int(F::BadCredential)
                             << "refused 401: key";
        QTest::newRow("403") << answer(403) << QList<int>{200} << int(F::BadCredential) << "refused 403: no";
        QTest::newRow("429 past the deadline")
            << answer(429) << QList<int>{200} << int(F::RateLimited)
            << "refused 429: no (the wait it asks for passes the deadline)";
        QTest::newRow("500") << answer(500) << QList<int>{200} << int(F::Api) << "refused 500: no";
        QTest::newRow("timed out") << unanswered(HttpFetchResult::Outcome::TimedOut, QStringLiteral("30 s"))
                                   << QList<int>{200} << int(F::Timeout) << "late: 30 s";
        QTest::newRow("network") << unanswered(HttpFetchResult::Outcome::NetworkError,
                                               QStringLiteral("reset"))
                                 << QList<int>{200} << int(F::Network) << "Test API: reset";
        QTest::newRow("too large") << unanswered(HttpFetchResult::Outcome::TooLarge,
                                                 QStringLiteral("over 1 MB"))
                                   << QList<int>{200} << int(F::Network) << "Test API: over 1 MB";
    }

    void failedAnswer()
    {
        QFETCH(HttpFetchResult, result);
        QFETCH(QList<int>, expected);
        QFETCH(int, failure);
        QFETCH(QString, message);
        RecordingClient client;
        const bool failed = client.failedAnswer(
            result, expected.size() == 1 ? std::initializer_list<int>{expected.at(0)}
                                         : std::initializer_list<int>{expected.at(0), expected.at(1)});
        QCOMPARE(failed, failure != 0);
        QCOMPARE(client.failures, failure != 0 ? 1 : 0);
        if (failure != 0) {
            QCOMPARE(int(client.failure), failure);
            QCOMPARE(client.message, message);
        }
    }
};

QTEST_GUILESS_MAIN(tst_MeasurementClient)
#include "tst_measurementclient.moc"
