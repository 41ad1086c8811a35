#include "useragent.h"

#ifndef TRACEMAP_VERSION
#define TRACEMAP_VERSION "0"
#endif

namespace tracemap {

namespace {
constexpr char kProjectUrl[] = "+https://github.com/tracemap/tracemap";
}

QByteArray userAgent()
{
    return QByteArrayLiteral("tracemap/" TRACEMAP_VERSION " (") + kProjectUrl + ')';
}

QByteArray userAgent(const QByteArray &purpose)
{
    if (purpose.isEmpty())
        return userAgent();
    return QByteArrayLiteral("tracemap/" TRACEMAP_VERSION " (") + purpose + "; " + kProjectUrl + ')';
}

} // namespace tracemap
