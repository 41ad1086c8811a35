// Test helper: runs the built tracemap-agent on 127.0.0.1 with a free port (the agent
// picks it with port 0 and prints it), and talks to it with QNetworkAccessManager or raw
// sockets. Only loopback is ever contacted; proxies are switched off.
#pragma once

#include <QDir>
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

struct HttpAnswer
{
    int status = 0;
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QHash<QByteArray, QByteArray> headers;
    qint64 elapsedMs = 0;
};

class AgentProcess
{
public:
    ~AgentProcess() { stop(); }

    // Starts the agent; returns false (with the agent's stderr in *error) if it exits or
    // does not report its port within the timeout.
    bool start(const QStringList &extraArgs, QString *error = nullptr)
    {
        m_process = std::make_unique<QProcess>();
        QStringList args{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")};
        args += extraArgs;
        m_process->start(qEnvironmentVariable("TRACEMAP_AGENT"), args);
        static const QRegularExpression listening(QStringLiteral("listening on http://\\S+:(\\d+)/"));
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 10000) {
            m_process->waitForReadyRead(100);
            m_stderr += m_process->readAllStandardError();
            const auto match = listening.match(QString::fromUtf8(m_stderr));
            if (match.hasMatch()) {
                m_port = quint16(match.captured(1).toUInt());
                return true;
            }
            if (m_process->state() == QProcess::NotRunning)
                break;
        }
        if (error)
            *error = QString::fromUtf8(m_stderr);
        return false;
    }

    void stop()
    {
        if (!m_process || m_process->state() == QProcess::NotRunning)
            return;
        m_process->terminate();
        if (!m_process->waitForFinished(5000)) {
            m_process->kill();
            m_process->waitForFinished(2000);
        }
    }

    QProcess *process() const { return m_process.get(); }
    quint16 port() const { return m_port; }
    QByteArray stderrText()
    {
        if (m_process)
            m_stderr += m_process->readAllStandardError();
        return m_stderr;
    }
    QUrl url(const QString &pathAndQuery) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(pathAndQuery));
    }

private:
    std::unique_ptr<QProcess> m_process;
    QByteArray m_stderr;
    quint16 m_port = 0;
};

// One QNetworkAccessManager without proxies.
class HttpClient
{
public:
    HttpClient() { m_manager.setProxy(QNetworkProxy::NoProxy); }

    QNetworkReply *send(const QUrl &url, const QByteArray &verb = "GET", const QByteArray &token = {})
    {
        QNetworkRequest request(url);
        request.setTransferTimeout(30000);
        if (!token.isEmpty())
            request.setRawHeader("Authorization", token);
        return m_manager.sendCustomRequest(request, verb);
    }

    static HttpAnswer collect(QNetworkReply *reply, qint64 elapsedMs = 0)
    {
        HttpAnswer a;
        a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        a.body = reply->readAll();
        a.error = reply->error();
        for (const auto &pair : reply->rawHeaderPairs())
            a.headers.insert(pair.first.toLower(), pair.second);
        a.elapsedMs = elapsedMs;
        reply->deleteLater();
        return a;
    }

    // Waits with QTRY semantics (the event loop runs, no nested loop of our own).
    HttpAnswer get(const QUrl &url, const QByteArray &token = {}, const QByteArray &verb = "GET",
                   int timeoutMs = 30000)
    {
        QElapsedTimer timer;
        timer.start();
        QNetworkReply *reply = send(url, verb, token);
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), timeoutMs);
        }();
        if (!reply->isFinished()) {
            reply->abort();
            return HttpAnswer{};
        }
        return collect(reply, timer.elapsed());
    }

    QNetworkAccessManager *manager() { return &m_manager; }

private:
    QNetworkAccessManager m_manager;
};

// Sends raw bytes and reads until the peer closes or the timeout; returns what came back.
inline QByteArray rawExchange(quint16 port, const QByteArray &data, int timeoutMs = 5000)
{
    QTcpSocket socket;
    socket.setProxy(QNetworkProxy::NoProxy);
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForConnected(timeoutMs))
        return "<no connection>";
    socket.write(data);
    socket.waitForBytesWritten(timeoutMs);
    QByteArray answer;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs && socket.state() == QAbstractSocket::ConnectedState) {
        if (socket.waitForReadyRead(100))
            answer += socket.readAll();
    }
    answer += socket.readAll();
    return answer;
}

inline int statusOfRaw(const QByteArray &answer)
{
    // "HTTP/1.1 431 Request Header Fields Too Large"
    const QList<QByteArray> parts = answer.left(answer.indexOf("\r\n")).split(' ');
    return parts.size() >= 2 ? parts.at(1).toInt() : 0;
}

inline QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write(content);
    return path;
}
