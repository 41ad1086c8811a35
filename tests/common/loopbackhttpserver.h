#pragma once
// A scriptable HTTP/1.1 server on 127.0.0.1 for tests that must not touch the internet.
//
//   LoopbackHttpServer server;
//   QVERIFY(server.listen());
//   server.route("/search", [](const LoopbackHttpServer::Request &r) {
//       return LoopbackHttpServer::json(R"([{"lat":"50.1","lon":"8.6"}])");
//   });
//   QUrl base = server.url();                  // http://127.0.0.1:<port>
//   ... server.requests(), server.requestCount("/search"), server.maxOpenConnections() ...
//
// A handler returns a Response: status, headers and body, optionally delayed, never sent,
// sent in slow chunks (chunked transfer encoding), sent as raw bytes (malformed answers) or
// followed by closing the connection. Every request is logged with its headers and the time
// the server received it (a monotonic clock, for rate-limit checks). Connections are counted
// (accepted, open now, most open at once) so clients can be checked for politeness.
//
// Header-only and without Q_OBJECT on purpose: tests/CMakeLists.txt builds each tst_*.cpp alone
// with tests/common on the include path, so this file must not need moc or its own .cpp.

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>
#include <functional>
#include <memory>
#include <utility>

namespace tracemap::test {

class LoopbackHttpServer : public QObject
{
public:
    using Header = std::pair<QByteArray, QByteArray>;

    struct Request
    {
        QByteArray method;
        QByteArray target; // as sent: path plus query, percent-encoded
        QString path;      // decoded path without the query
        QUrlQuery query;
        QList<Header> headers; // names in lower case, in the order received
        QByteArray body;
        qint64 receivedMs = 0; // server clock (elapsedMs()) when the request head was complete
        int connectionId = 0;  // 1 for the first connection accepted, 2 for the next, ...

        QByteArray header(const QByteArray &name) const
        {
            const QByteArray lower = name.toLower();
            for (const Header &h : headers) {
                if (h.first == lower)
                    return h.second;
            }
            return {};
        }
    };

    struct Response
    {
        int status = 200;
        QByteArray reason; // empty = standard phrase
        QList<Header> headers;
        QByteArray body;
        int delayMs = 0;           // wait this long before sending anything
        bool neverAnswer = false;  // keep the connection open and never send a byte
        int chunkSize = 0;         // > 0: chunked transfer encoding, this many body bytes per chunk
        int chunkIntervalMs = 0;   // pause between chunks (slow bodies)
        QByteArray raw;            // non-empty: sent verbatim instead of status/headers/body
        bool closeAfter = false;   // close the connection once sent (also for raw answers)
        qint64 contentLength = -1; // >= 0: announce this Content-Length whatever the body is

        Response &header(const QByteArray &name, const QByteArray &value)
        {
            headers.append({name, value});
            return *this;
        }
        Response &delayed(int ms)
        {
            delayMs = ms;
            return *this;
        }
    };

    using Handler = std::function<Response(const Request &)>;

    explicit LoopbackHttpServer(QObject *parent = nullptr) : QObject(parent)
    {
        m_clock.start();
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] { acceptConnections(); });
    }

    ~LoopbackHttpServer() override
    {
        // Connections are children of the server; stop their timers from firing into us.
        const auto sockets = m_connections.keys();
        for (QTcpSocket *socket : sockets) {
            QObject::disconnect(socket, nullptr, this, nullptr);
            socket->abort();
        }
    }

    // Listens on 127.0.0.1 at a port the kernel picks.
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    QUrl url(const QString &path = QString()) const
    {
        QUrl u;
        u.setScheme(QStringLiteral("http"));
        u.setHost(QStringLiteral("127.0.0.1"));
        u.setPort(port());
        u.setPath(path);
        return u;
    }

    // Handlers by exact path; requests to other paths go to the default handler (404 unless set).
    void route(const QString &path, Handler handler) { m_routes.insert(path, std::move(handler)); }
    void setDefaultHandler(Handler handler) { m_default = std::move(handler); }

    // The log of requests, oldest first.
    QList<Request> requests() const { return m_requests; }
    int requestCount() const { return int(m_requests.size()); }
    int requestCount(const QString &path) const
    {
        return int(std::count_if(m_requests.cbegin(), m_requests.cend(),
                                 [&](const Request &r) { return r.path == path; }));
    }
    void clearLog() { m_requests.clear(); }

    int connectionsAccepted() const { return m_accepted; }
    int openConnections() const { return int(m_connections.size()); }
    int maxOpenConnections() const { return m_maxOpen; }
    void resetConnectionStats()
    {
        m_accepted = 0;
        m_maxOpen = int(m_connections.size());
    }

    // Closes every open connection (a server going away mid-answer).
    void dropConnections()
    {
        const auto sockets = m_connections.keys();
        for (QTcpSocket *socket : sockets)
            socket->abort();
    }

    qint64 elapsedMs() const { return m_clock.elapsed(); }

    // Shorthands for handlers.
    static Response json(const QByteArray &body, int status = 200)
    {
        Response r;
        r.status = status;
        r.body = body;
        r.header("Content-Type", "application/json; charset=utf-8");
        return r;
    }
    static Response text(const QByteArray &body, int status = 200)
    {
        Response r;
        r.status = status;
        r.body = body;
        r.header("Content-Type", "text/plain; charset=utf-8");
        return r;
    }

private:
    struct Connection
    {
        int id = 0;
        QByteArray buffer;
        bool busy = false; // a response is being produced; later requests wait (no pipelining)
        bool closing = false;
    };

    void acceptConnections()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            socket->setParent(this);
            Connection c;
            c.id = ++m_nextConnectionId;
            m_connections.insert(socket, c);
            ++m_accepted;
            m_maxOpen = std::max(m_maxOpen, int(m_connections.size()));
            QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readFrom(socket); });
            QObject::connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                m_connections.remove(socket);
                socket->deleteLater();
            });
            if (socket->bytesAvailable() > 0)
                readFrom(socket);
        }
    }

    void readFrom(QTcpSocket *socket)
    {
        auto it = m_connections.find(socket);
        if (it == m_connections.end())
            return;
        it->buffer += socket->readAll();
        processBuffer(socket);
    }

    // Takes one complete request off the connection's buffer, if there is one and the
    // connection is not still answering the previous one.
    void processBuffer(QTcpSocket *socket)
    {
        auto it = m_connections.find(socket);
        if (it == m_connections.end() || it->busy || it->closing)
            return;
        const qsizetype headEnd = it->buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return;
        Request request;
        request.connectionId = it->id;
        const QList<QByteArray> lines = it->buffer.left(headEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        request.method = requestLine.value(0);
        request.target = requestLine.value(1);
        qint64 contentLength = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            Header h{line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()};
            if (h.first == "content-length")
                contentLength = h.second.toLongLong();
            request.headers.append(h);
        }
        if (it->buffer.size() < headEnd + 4 + contentLength)
            return; // body not complete yet
        request.body = it->buffer.mid(headEnd + 4, contentLength);
        it->buffer.remove(0, headEnd + 4 + contentLength);
        const QUrl targetUrl = QUrl::fromEncoded(QByteArray("http://127.0.0.1") + request.target);
        request.path = targetUrl.path();
        request.query = QUrlQuery(targetUrl);
        request.receivedMs = m_clock.elapsed();
        m_requests.append(request);

        // A copy: a handler may add routes while it runs.
        const Handler handler = m_routes.value(request.path, m_default);
        Response response = handler ? handler(request) : text("not found\n", 404);
        it->busy = true;
        if (response.neverAnswer)
            return; // stays busy until the client gives up
        QPointer<QTcpSocket> guard(socket);
        auto send = [this, guard, response] {
            if (guard)
                sendResponse(guard, response);
        };
        if (response.delayMs > 0)
            QTimer::singleShot(response.delayMs, this, send);
        else
            send();
    }

    static QByteArray reasonPhrase(int status)
    {
        switch (status) {
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 204:
            return "No Content";
        case 304:
            return "Not Modified";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        default:
            return "Status";
        }
    }

    void sendResponse(QTcpSocket *socket, const Response &response)
    {
        if (!response.raw.isEmpty()) {
            socket->write(response.raw);
            finishResponse(socket, response.closeAfter);
            return;
        }
        QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' +
                          (response.reason.isEmpty() ? reasonPhrase(response.status) : response.reason) +
                          "\r\n";
        for (const Header &h : response.headers)
            head += h.first + ": " + h.second + "\r\n";
        const bool chunked = response.chunkSize > 0;
        if (chunked)
            head += "Transfer-Encoding: chunked\r\n";
        else
            head += "Content-Length: " +
                    QByteArray::number(response.contentLength >= 0 ? response.contentLength
                                                                   : qint64(response.body.size())) +
                    "\r\n";
        if (response.closeAfter)
            head += "Connection: close\r\n";
        head += "\r\n";
        socket->write(head);
        if (!chunked) {
            socket->write(response.body);
            finishResponse(socket, response.closeAfter);
            return;
        }
        sendChunk(QPointer<QTcpSocket>(socket), response, 0);
    }

    void sendChunk(QPointer<QTcpSocket> socket, const Response &response, qsizetype offset)
    {
        if (!socket)
            return;
        while (offset < response.body.size()) {
            const QByteArray piece = response.body.mid(offset, response.chunkSize);
            socket->write(QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n");
            offset += piece.size();
            if (response.chunkIntervalMs > 0) {
                QTimer::singleShot(response.chunkIntervalMs, this,
                                   [this, socket, response, offset] { sendChunk(socket, response, offset); });
                return;
            }
        }
        socket->write("0\r\n\r\n");
        finishResponse(socket, response.closeAfter);
    }

    void finishResponse(QTcpSocket *socket, bool close)
    {
        auto it = m_connections.find(socket);
        if (it == m_connections.end())
            return;
        if (close) {
            it->closing = true;
            socket->disconnectFromHost(); // flushes what was written, then closes
            return;
        }
        it->busy = false;
        processBuffer(socket); // a request that arrived while we were answering
    }

    QTcpServer m_server;
    QElapsedTimer m_clock;
    QHash<QString, Handler> m_routes;
    Handler m_default;
    QList<Request> m_requests;
    QHash<QTcpSocket *, Connection> m_connections;
    int m_nextConnectionId = 0;
    int m_accepted = 0;
    int m_maxOpen = 0;
};

} // namespace tracemap::test
