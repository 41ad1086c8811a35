#pragma once
// The one User-Agent every HTTP request of tracemap carries: "tracemap/<version>
// (+https://github.com/tracemap/tracemap)". Tile servers and Nominatim ask for a stable agent
// that names the application and a way to reach its authors; a `purpose` ("geodb update")
// may be added for servers that want to tell our kinds of traffic apart.

#include <QByteArray>

namespace tracemap {

QByteArray userAgent();
QByteArray userAgent(const QByteArray &purpose); // "tracemap/<version> (<purpose>; +https://...)"

} // namespace tracemap
