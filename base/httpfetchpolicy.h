#pragma once
// How one HTTP client fetches (base/httpfetch.h): the network its requests go through, each
// request's total deadline and the cap on each body, kept together so that a client starts every
// request the same way. Contract: the deadline is at least 1 ms whatever the caller asks for.

#include "httpfetch.h"

#include <QNetworkAccessManager>
#include <QPointer>

#include <algorithm>
#include <utility>

namespace tracemap {

struct HttpFetchPolicy
{
    HttpFetchPolicy(QNetworkAccessManager *network, int timeoutMs, qint64 maxBodyBytes)
        : network(network), timeoutMs(std::max(1, timeoutMs)), maxBodyBytes(maxBodyBytes)
    {}

    HttpFetch *start(const QNetworkRequest &request, HttpFetch::Done done, QObject *parent) const
    {
        return HttpFetch::start(network, request, timeoutMs, maxBodyBytes, std::move(done), parent);
    }

    QPointer<QNetworkAccessManager> network;
    int timeoutMs;
    qint64 maxBodyBytes;
};

} // namespace tracemap
