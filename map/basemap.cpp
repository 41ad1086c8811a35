#include "basemap.h"
#include "maplogging.h"

#include <QFile>
#include <QImage>
#include <QMutex>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tracemap {

namespace {

class Reader
{
public:
    explicit Reader(const QByteArray &data) : m_data(data) {}
    bool ok() const { return m_ok; }
    quint8 byte()
    {
        if (m_pos >= m_data.size()) {
            m_ok = false;
            return 0;
        }
        return quint8(m_data[m_pos++]);
    }
    double float64()
    {
        if (m_pos + 8 > m_data.size()) {
            m_ok = false;
            return 0;
        }
        quint64 bits = 0;
        for (int i = 0; i < 8; ++i)
            bits |= quint64(quint8(m_data[m_pos + i])) << (8 * i);
        m_pos += 8;
        double value;
        std::memcpy(&value, &bits, sizeof value);
        return value;
    }
    quint64 varint()
    {
        quint64 value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            const quint8 b = byte();
            value |= quint64(b & 0x7f) << shift;
            if (!(b & 0x80) || !m_ok)
                return value;
        }
        m_ok = false;
        return 0;
    }
    qint64 zigzag()
    {
        const quint64 v = varint();
        return qint64(v >> 1) ^ -qint64(v & 1);
    }
    // A count that must fit in what is left of the file (each item takes at least one byte).
    qsizetype count()
    {
        const quint64 n = varint();
        if (n > quint64(m_data.size() - m_pos)) {
            m_ok = false;
            return 0;
        }
        return qsizetype(n);
    }

private:
    const QByteArray &m_data;
    qsizetype m_pos = 4;
    bool m_ok = true;
};

QRectF boundsOf(const QList<QPointF> &points)
{
    if (points.isEmpty())
        return {};
    double minX = points[0].x(), maxX = minX, minY = points[0].y(), maxY = minY;
    for (const QPointF &p : points) {
        minX = std::min(minX, p.x());
        maxX = std::max(maxX, p.x());
        minY = std::min(minY, p.y());
        maxY = std::max(maxY, p.y());
    }
    return QRectF(QPointF(minX, minY), QPointF(maxX, maxY));
}

// An edge of a land ring that is a cut of the data (the antimeridian or the south pole), not a coast.
bool isCut(QPointF a, QPointF b)
{
    constexpr double Eps = 1e-6;
    const bool west = a.x() < Eps && b.x() < Eps;
    const bool east = a.x() > 1 - Eps && b.x() > 1 - Eps;
    const bool south = a.y() > 1 - Eps && b.y() > 1 - Eps;
    const bool north = a.y() < Eps && b.y() < Eps;
    return west || east || south || north;
}

// Sutherland-Hodgman against an axis-aligned rectangle.
QList<QPointF> clipPolygon(const QList<QPointF> &polygon, const QRectF &rect)
{
    QList<QPointF> output = polygon;
    for (int edge = 0; edge < 4 && !output.isEmpty(); ++edge) {
        const QList<QPointF> input = std::move(output);
        output.clear();
        auto inside = [&](QPointF p) {
            switch (edge) {
            case 0:
                return p.x() >= rect.left();
            case 1:
                return p.x() <= rect.right();
            case 2:
                return p.y() >= rect.top();
            default:
                return p.y() <= rect.bottom();
            }
        };
        auto intersect = [&](QPointF a, QPointF b) {
            double t = 0;
            switch (edge) {
            case 0:
                t = (rect.left() - a.x()) / (b.x() - a.x());
                break;
            case 1:
                t = (rect.right() - a.x()) / (b.x() - a.x());
                break;
            case 2:
                t = (rect.top() - a.y()) / (b.y() - a.y());
                break;
            default:
                t = (rect.bottom() - a.y()) / (b.y() - a.y());
                break;
            }
            return a + (b - a) * t;
        };
        QPointF previous = input.last();
        for (const QPointF &current : input) {
            if (inside(current)) {
                if (!inside(previous))
                    output.append(intersect(previous, current));
                output.append(current);
            } else if (inside(previous)) {
                output.append(intersect(previous, current));
            }
            previous = current;
        }
    }
    return output;
}

QList<QPointF> project(const QList<QPointF> &lonLat)
{
    QList<QPointF> points;
    points.reserve(lonLat.size());
    for (const QPointF &p : lonLat)
        points.append(WebMercator::coordinateToNormalized(p.y(), p.x()));
    return points;
}

// Natural Earth in world-atlas is spherical: Russia, Fiji and Antarctica cross ±180°. A ring is
// unwrapped into continuous longitudes (closed over the pole when it circles it) and clipped into
// the [-180, 180] window of each copy of the world it covers.
QList<QList<QPointF>> cutAtAntimeridian(const QList<QPointF> &ring)
{
    if (ring.size() < 3)
        return {};
    QList<QPointF> unwrapped;
    unwrapped.reserve(ring.size() + 2);
    double offset = 0.0, minX = ring[0].x(), maxX = ring[0].x(), latitudeSum = 0.0;
    bool jumps = false;
    for (qsizetype i = 0; i < ring.size(); ++i) {
        if (i > 0) {
            const double delta = ring[i].x() - ring[i - 1].x();
            if (std::abs(delta) > 180.0) {
                offset += delta > 0 ? -360.0 : 360.0;
                jumps = true;
            }
        }
        const QPointF p(ring[i].x() + offset, ring[i].y());
        unwrapped.append(p);
        minX = std::min(minX, p.x());
        maxX = std::max(maxX, p.x());
        latitudeSum += p.y();
    }
    if (!jumps)
        return {ring};
    if (std::abs(unwrapped.last().x() - unwrapped.first().x()) > 180.0) {
        // Circles a pole: close it along the pole.
        const double pole = latitudeSum / unwrapped.size() < 0 ? -90.0 : 90.0;
        unwrapped.append(QPointF(unwrapped.last().x(), pole));
        unwrapped.append(QPointF(unwrapped.first().x(), pole));
    }
    QList<QList<QPointF>> pieces;
    for (int k = int(std::floor((minX + 180.0) / 360.0)); k <= int(std::floor((maxX + 180.0) / 360.0)); ++k) {
        const QRectF window(-180.0 + 360.0 * k, -90.5, 360.0, 181.0);
        QList<QPointF> piece = clipPolygon(unwrapped, window);
        if (piece.size() < 3)
            continue;
        for (QPointF &p : piece)
            p.rx() = std::clamp(p.x() - 360.0 * k, -180.0, 180.0);
        pieces.append(piece);
    }
    return pieces;
}

// Lines are simply broken where they jump across the map.
QList<QList<QPointF>> splitAtJumps(const QList<QPointF> &line)
{
    QList<QList<QPointF>> pieces(1);
    for (qsizetype i = 0; i < line.size(); ++i) {
        if (i > 0 && std::abs(line[i].x() - line[i - 1].x()) > 180.0)
            pieces.append(QList<QPointF>());
        pieces.last().append(line[i]);
    }
    pieces.removeIf([](const QList<QPointF> &piece) { return piece.size() < 2; });
    return pieces;
}

// Liang-Barsky for one segment; false when it misses the rectangle.
bool clipSegment(QPointF &a, QPointF &b, const QRectF &rect)
{
    double t0 = 0, t1 = 1;
    const double dx = b.x() - a.x(), dy = b.y() - a.y();
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {a.x() - rect.left(), rect.right() - a.x(), a.y() - rect.top(),
                         rect.bottom() - a.y()};
    for (int i = 0; i < 4; ++i) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return false;
            continue;
        }
        const double t = q[i] / p[i];
        if (p[i] < 0)
            t0 = std::max(t0, t);
        else
            t1 = std::min(t1, t);
        if (t0 > t1)
            return false;
    }
    const QPointF start = a + QPointF(dx, dy) * t0;
    b = a + QPointF(dx, dy) * t1;
    a = start;
    return true;
}

// Adds the parts of a polyline inside `rect` to `path`, mapped by `map`.
template<typename Map>
void addClippedPolyline(QPainterPath &path, const QList<QPointF> &line, const QRectF &rect, Map map)
{
    bool open = false;
    for (qsizetype i = 1; i < line.size(); ++i) {
        QPointF a = line[i - 1], b = line[i];
        if (!clipSegment(a, b, rect)) {
            open = false;
            continue;
        }
        if (!open || a != line[i - 1])
            path.moveTo(map(a));
        path.lineTo(map(b));
        open = (b == line[i]);
    }
}

} // namespace

std::shared_ptr<const Basemap> Basemap::fromData(const QByteArray &data, QString *error)
{
    auto fail = [&](const QString &why) -> std::shared_ptr<const Basemap> {
        if (error)
            *error = why;
        return nullptr;
    };
    if (data.size() < 6 || !data.startsWith("TMBM"))
        return fail(QStringLiteral("not a tracemap basemap file"));
    Reader reader(data);
    if (reader.byte() != 1)
        return fail(QStringLiteral("unsupported basemap version"));
    auto basemap = std::make_shared<Basemap>();
    const int levelCount = reader.byte();
    for (int level = 0; level < levelCount && reader.ok(); ++level) {
        Level decoded;
        decoded.scaleDenominator = reader.byte();
        const double scaleX = reader.float64(), scaleY = reader.float64();
        const double translateX = reader.float64(), translateY = reader.float64();
        // Arcs in (longitude, latitude); projected once rings are cut at the antimeridian.
        QList<QList<QPointF>> arcs(reader.count());
        for (QList<QPointF> &arc : arcs) {
            const qsizetype points = reader.count();
            arc.reserve(points);
            qint64 x = 0, y = 0;
            for (qsizetype i = 0; i < points && reader.ok(); ++i) {
                x += reader.zigzag();
                y += reader.zigzag();
                arc.append(QPointF(x * scaleX + translateX, y * scaleY + translateY));
            }
        }
        const qsizetype rings = reader.count();
        for (qsizetype r = 0; r < rings && reader.ok(); ++r) {
            QList<QPointF> ring;
            const qsizetype refs = reader.count();
            for (qsizetype i = 0; i < refs && reader.ok(); ++i) {
                const qint64 ref = reader.zigzag();
                const qint64 index = ref >= 0 ? ref : ~ref;
                if (index >= arcs.size())
                    return fail(QStringLiteral("basemap ring refers to a missing arc"));
                QList<QPointF> arc = arcs[index];
                if (ref < 0)
                    std::reverse(arc.begin(), arc.end());
                // Consecutive arcs share their end points.
                ring.append(ring.isEmpty() ? arc : arc.mid(1));
            }
            for (const QList<QPointF> &piece : cutAtAntimeridian(ring)) {
                const QList<QPointF> projected = project(piece);
                if (projected.size() < 3)
                    continue;
                // Coasts: the ring's edges minus the cuts (antimeridian, poles).
                QList<QPointF> coast;
                for (qsizetype i = 0; i <= projected.size(); ++i) {
                    const QPointF &p = projected[i % projected.size()];
                    if (i > 0 && isCut(coast.last(), p)) {
                        if (coast.size() > 1)
                            decoded.coasts.append({coast, boundsOf(coast)});
                        coast.clear();
                    }
                    coast.append(p);
                }
                if (coast.size() > 1)
                    decoded.coasts.append({coast, boundsOf(coast)});
                decoded.land.append({projected, boundsOf(projected)});
            }
        }
        const qsizetype borders = reader.count();
        for (qsizetype b = 0; b < borders && reader.ok(); ++b) {
            const quint64 index = reader.varint();
            if (index >= quint64(arcs.size()))
                return fail(QStringLiteral("basemap border refers to a missing arc"));
            for (const QList<QPointF> &piece : splitAtJumps(arcs[index])) {
                const QList<QPointF> projected = project(piece);
                decoded.borders.append({projected, boundsOf(projected)});
            }
        }
        basemap->m_levels.append(std::move(decoded));
    }
    if (!reader.ok())
        return fail(QStringLiteral("basemap file is truncated"));
    if (basemap->m_levels.isEmpty())
        return fail(QStringLiteral("basemap file has no levels"));
    return basemap;
}

QList<BasemapPlace> Basemap::placesFromData(const QByteArray &data, QString *error)
{
    QList<BasemapPlace> places;
    const QList<QByteArray> lines = data.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const QList<QByteArray> fields = line.split('\t');
        bool ok = fields.size() == 6;
        BasemapPlace place;
        if (ok) {
            place.name = QString::fromUtf8(fields[0]).trimmed();
            bool latOk = false, lonOk = false, popOk = false, rankOk = false, zoomOk = false;
            place.latitude = fields[1].toDouble(&latOk);
            place.longitude = fields[2].toDouble(&lonOk);
            place.population = fields[3].toLongLong(&popOk);
            const int rank = fields[4].toInt(&rankOk);
            place.minZoom = fields[5].trimmed().toInt(&zoomOk);
            place.rank = BasemapPlace::Rank(std::clamp(rank, 0, 2));
            ok = !place.name.isEmpty() && latOk && lonOk && popOk && rankOk && zoomOk &&
                 std::abs(place.latitude) <= 90.0 && std::abs(place.longitude) <= 180.0 &&
                 place.population >= 0 && rank >= 0 && rank <= 2 && place.minZoom >= 0 &&
                 place.minZoom <= int(WebMercator::MaxZoom);
        }
        if (!ok) {
            if (error)
                *error = QStringLiteral("basemap places: line %1 is not name, latitude, longitude, "
                                        "population, rank (0-2), min zoom")
                             .arg(i + 1);
            return {};
        }
        places.append(std::move(place));
    }
    return places;
}

std::shared_ptr<const Basemap> Basemap::builtIn()
{
    static QMutex mutex;
    static std::shared_ptr<const Basemap> world;
    QMutexLocker lock(&mutex);
    if (!world) {
        QFile file(QString::fromLatin1(ResourcePath));
        QString error = file.errorString();
        std::shared_ptr<const Basemap> decoded;
        if (file.open(QIODevice::ReadOnly))
            decoded = fromData(file.readAll(), &error);
        if (!decoded) {
            qCWarning(lcMap) << "built-in basemap unavailable:" << error;
            decoded = std::make_shared<Basemap>();
        }
        auto withPlaces = std::make_shared<Basemap>(*decoded);
        QFile places(QString::fromLatin1(PlacesResourcePath));
        error = places.errorString();
        if (places.open(QIODevice::ReadOnly))
            withPlaces->m_places = placesFromData(places.readAll(), &error);
        if (withPlaces->m_places.isEmpty())
            qCWarning(lcMap) << "built-in basemap places unavailable:" << error;
        world = std::move(withPlaces);
    }
    return world;
}

const Basemap::Level &Basemap::levelFor(int tileZoom) const
{
    Q_ASSERT(!m_levels.isEmpty());
    return tileZoom <= 2 || m_levels.size() == 1 ? m_levels.first() : m_levels[1];
}

void Basemap::paintTile(QPainter &painter, const TileId &tile, const QRectF &target,
                        const BasemapStyle &style) const
{
    painter.fillRect(target, style.ocean);
    if (isEmpty())
        return;
    const double count = double(1 << tile.zoom);
    // Clip a little outside the tile so strokes at the edge are not cut short.
    const double margin = 2.0 / (WebMercator::TileSize * count);
    const QRectF tileRect(tile.x / count, tile.y / count, 1.0 / count, 1.0 / count);
    const QRectF clip = tileRect.adjusted(-margin, -margin, margin, margin);
    const double scale = target.width() * count;
    auto map = [&](QPointF p) {
        return target.topLeft() + (p - tileRect.topLeft()) * scale;
    };

    const Level &level = levelFor(tile.zoom);
    QPainterPath land;
    land.setFillRule(Qt::OddEvenFill);
    for (const Shape &ring : level.land) {
        if (!ring.bounds.intersects(clip) && !clip.contains(ring.bounds))
            continue;
        const QList<QPointF> clipped = clipPolygon(ring.points, clip);
        if (clipped.size() < 3)
            continue;
        land.moveTo(map(clipped.first()));
        for (qsizetype i = 1; i < clipped.size(); ++i)
            land.lineTo(map(clipped[i]));
        land.closeSubpath();
    }
    QPainterPath coasts, borders;
    for (const Shape &line : level.coasts) {
        if (line.bounds.intersects(clip) || line.bounds.width() == 0 || line.bounds.height() == 0)
            addClippedPolyline(coasts, line.points, clip, map);
    }
    for (const Shape &line : level.borders) {
        if (line.bounds.intersects(clip) || line.bounds.width() == 0 || line.bounds.height() == 0)
            addClippedPolyline(borders, line.points, clip, map);
    }
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setClipRect(target);
    painter.fillPath(land, style.land);
    const double width = tile.zoom <= 3 ? 0.6 : 0.9;
    painter.strokePath(coasts, QPen(style.coast, width));
    painter.strokePath(borders, QPen(style.border, width, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.restore();
}

QImage Basemap::renderTile(const TileId &tile, const BasemapStyle &style) const
{
    QImage image(WebMercator::TileSize, WebMercator::TileSize, QImage::Format_RGB32);
    QPainter painter(&image);
    paintTile(painter, tile, QRectF(0, 0, WebMercator::TileSize, WebMercator::TileSize), style);
    return image;
}

} // namespace tracemap
