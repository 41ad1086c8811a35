#include "placelabels.h"
#include "mapstyle.h"

#include <QFontMetricsF>
#include <QHash>

#include <algorithm>
#include <cmath>
#include <optional>

namespace tracemap {

namespace {

struct Candidate
{
    qsizetype place;
    QPointF dot;
};

// Labels keep this much air between each other (not against obstacles: those are padded by the
// caller where it matters).
constexpr double LabelSpacing = 2.0;

// What is taken, bucketed in square cells so that a test looks at its neighbourhood only: with
// 100 vantage routes the obstacles are a few thousand dots, and scanning all of them for every
// position of every label cost ~10 ms a frame. Cells are limited to the view and one cell
// around it (labels stay inside the view), so a huge or far rectangle costs few buckets.
class TakenRects
{
public:
    explicit TakenRects(const QRectF &bounds) : m_bounds(bounds.adjusted(-Cell, -Cell, Cell, Cell)) {}

    void append(const QRectF &rect)
    {
        const qsizetype index = m_rects.size();
        m_rects.append(rect);
        forCells(rect, [&](quint64 key) {
            m_cells[key].append(index);
            return false;
        });
    }
    bool collides(const QRectF &rect) const
    {
        return forCells(rect, [&](quint64 key) {
            const auto it = m_cells.constFind(key);
            return it != m_cells.cend() && std::any_of(it->cbegin(), it->cend(), [&](qsizetype i) {
                       return m_rects[i].intersects(rect);
                   });
        });
    }

private:
    static constexpr double Cell = 64.0;
    // Calls `visit` with each cell `rect` touches until it returns true; returns whether it did.
    template<typename Visit> bool forCells(const QRectF &rect, Visit visit) const
    {
        const QRectF r = rect.normalized().intersected(m_bounds);
        if (r.isEmpty())
            return false;
        const int left = int(std::floor(r.left() / Cell)), right = int(std::floor(r.right() / Cell));
        const int top = int(std::floor(r.top() / Cell)), bottom = int(std::floor(r.bottom() / Cell));
        for (int y = top; y <= bottom; ++y) {
            for (int x = left; x <= right; ++x) {
                if (visit((quint64(quint32(y)) << 32) | quint32(x)))
                    return true;
            }
        }
        return false;
    }

    QRectF m_bounds;
    QList<QRectF> m_rects;
    QHash<quint64, QList<qsizetype>> m_cells;
};

} // namespace

QFont PlaceLabels::font()
{
    return mapstyle::uiFont(11);
}

QList<PlaceLabel> PlaceLabels::place(const MapViewport &viewport, const QList<BasemapPlace> &places,
                                     const QList<QRectF> &obstacles, const QFont &font)
{
    const QRectF bounds(QPointF(0, 0), viewport.size());
    if (bounds.isEmpty() || places.isEmpty())
        return {};
    const double zoom = viewport.zoom();

    // Every visible copy of every place offered at this zoom.
    QList<Candidate> candidates;
    for (qsizetype i = 0; i < places.size(); ++i) {
        const BasemapPlace &place = places[i];
        if (place.minZoom > zoom)
            continue;
        const QPointF world = WebMercator::coordinateToWorldPixel(
            place.latitude, WebMercator::wrapLongitude(place.longitude), zoom);
        for (double shift : viewport.visibleCopies(world.x(), world.x())) {
            const QPointF dot = viewport.worldPixelToPixel(world + QPointF(shift, 0));
            if (bounds.contains(dot))
                candidates.append({i, dot});
        }
    }
    std::stable_sort(candidates.begin(), candidates.end(), [&](const Candidate &a, const Candidate &b) {
        const BasemapPlace &pa = places[a.place], &pb = places[b.place];
        if (pa.rank != pb.rank)
            return pa.rank < pb.rank;
        return pa.population > pb.population;
    });

    // A label avoids covering the dots of places still to come; when every free position covers
    // one, it covers the least important (so London's name does not hide Paris at world zoom).
    QList<QRectF> dotBoxes;
    dotBoxes.reserve(candidates.size());
    for (const Candidate &candidate : candidates)
        dotBoxes.append(
            QRectF(candidate.dot - QPointF(DotRadius, DotRadius), QSizeF(2 * DotRadius, 2 * DotRadius)));
    auto firstCovered = [&](const QRectF &box, qsizetype after) {
        for (qsizetype j = after + 1; j < dotBoxes.size(); ++j) {
            if (dotBoxes[j].intersects(box))
                return j;
        }
        return dotBoxes.size();
    };

    const QFontMetricsF metrics(font);
    const double height = std::ceil(metrics.height()) + 2 * Halo;
    TakenRects taken(bounds);
    for (const QRectF &obstacle : obstacles)
        taken.append(obstacle);
    QList<PlaceLabel> labels;
    for (qsizetype k = 0; k < candidates.size(); ++k) {
        const Candidate &candidate = candidates[k];
        const QRectF &dotBox = dotBoxes[k];
        if (!bounds.contains(dotBox) || taken.collides(dotBox))
            continue;
        const QString &text = places[candidate.place].name;
        const QSizeF size(std::ceil(metrics.horizontalAdvance(text)) + 2 * Halo, height);
        const QPointF dot = candidate.dot;
        const double reach = DotRadius + Gap - Halo;
        const double w = size.width(), h = size.height(), corner = DotRadius * 0.7;
        const QRectF positions[] = {
            QRectF(QPointF(dot.x() + reach, dot.y() - h / 2), size),           // right
            QRectF(QPointF(dot.x() - reach - w, dot.y() - h / 2), size),       // left
            QRectF(QPointF(dot.x() - w / 2, dot.y() - reach - h), size),       // above
            QRectF(QPointF(dot.x() - w / 2, dot.y() + reach), size),           // below
            QRectF(QPointF(dot.x() + corner, dot.y() - corner - h), size),     // above right
            QRectF(QPointF(dot.x() + corner, dot.y() + corner), size),         // below right
            QRectF(QPointF(dot.x() - corner - w, dot.y() - corner - h), size), // above left
            QRectF(QPointF(dot.x() - corner - w, dot.y() + corner), size),     // below left
        };
        std::optional<QRectF> best;
        qsizetype bestCovered = -1;
        for (const QRectF &box : positions) {
            const QRectF spaced = box.adjusted(-LabelSpacing, -LabelSpacing, LabelSpacing, LabelSpacing);
            if (!bounds.contains(box) || taken.collides(spaced))
                continue;
            const qsizetype covered = firstCovered(box, k);
            if (covered > bestCovered) {
                best = box;
                bestCovered = covered;
            }
            if (covered == dotBoxes.size())
                break;
        }
        if (!best)
            continue;
        taken.append(dotBox);
        taken.append(*best);
        labels.append({candidate.place, text, dot, dotBox, *best});
    }
    return labels;
}

} // namespace tracemap
