#include "watchhopmodel.h"

#include "hoplistmodel.h"

namespace tracemap {

namespace {

struct ColumnInfo
{
    const char *key;
    const char *title;
    bool numeric;
};

// Titles as mtr prints them, so its users find their columns.
constexpr ColumnInfo kColumns[WatchHopModel::ColumnCount] = {
    {"ttl", "TTL", true},     {"host", "Host", false}, {"place", "Place", false},
    {"as", "AS", false},      {"loss", "Loss%", true}, {"sent", "Sent", true},
    {"recv", "Recv", true},   {"last", "Last", true},  {"avg", "Avg", true},
    {"best", "Best", true},   {"wrst", "Wrst", true},  {"stdev", "StDev", true},
    {"gmean", "Gmean", true}, {"jttr", "Jttr", true},  {"javg", "Javg", true},
    {"jmax", "Jmax", true},   {"jint", "Jint", true},  {"graph", "Recent RTT", false},
};

bool located(const WatchHopRow &row)
{
    return row.geo.status == GeoStatus::Located && row.geo.place.hasCoordinates();
}

QString asText(const WatchHopRow &row)
{
    return row.geo.as.number > 0
               ? QStringLiteral("AS%1 %2").arg(row.geo.as.number).arg(row.geo.as.name).trimmed()
               : QString();
}

} // namespace

QList<WatchHopRow> watchHopRows(const WatchStats &stats, const PathChangeDetector &paths, qint64 fromMs,
                                qint64 toMs, int highlightTtl,
                                const std::function<GeoResult(const QHostAddress &)> &placeOf)
{
    const QList<HopSummary> hops = toMs > fromMs ? stats.window(fromMs, toMs) : stats.total();
    QList<WatchHopRow> rows;
    rows.reserve(hops.size());
    for (const HopSummary &hop : hops) {
        WatchHopRow row;
        row.summary = hop;
        row.address = paths.dominant(hop.ttl);
        if (row.address.isNull() && !hop.responders.isEmpty())
            row.address = hop.responders.constFirst().address;
        if (!row.address.isNull())
            row.geo = placeOf(row.address);
        row.loadBalanced = paths.loadBalanced(hop.ttl);
        row.highlighted = hop.ttl == highlightTtl;
        if (const RttSeries *series = stats.series(hop.ttl)) {
            const std::deque<RttSeries::Sample> &samples = series->samples();
            const auto from =
                samples.size() > kSparklineSamples ? samples.end() - kSparklineSamples : samples.begin();
            for (auto it = from; it != samples.end(); ++it)
                row.recentRtt << it->rttMs;
        }
        rows << row;
    }
    return rows;
}

WatchHopModel::WatchHopModel(QObject *parent) : QAbstractTableModel(parent)
{
    setVisibleColumns({});
}

QString WatchHopModel::columnKey(int column)
{
    return column >= 0 && column < ColumnCount ? QString::fromLatin1(kColumns[column].key) : QString();
}

int WatchHopModel::columnForKey(const QString &key)
{
    for (int c = 0; c < ColumnCount; ++c) {
        if (key == QLatin1String(kColumns[c].key))
            return c;
    }
    return -1;
}

QStringList WatchHopModel::defaultColumns()
{
    // mtr's default view plus place and AS, which are the map's reason to exist.
    return {QStringLiteral("ttl"),  QStringLiteral("host"), QStringLiteral("place"), QStringLiteral("as"),
            QStringLiteral("loss"), QStringLiteral("sent"), QStringLiteral("last"),  QStringLiteral("avg"),
            QStringLiteral("best"), QStringLiteral("wrst"), QStringLiteral("stdev"), QStringLiteral("graph")};
}

int WatchHopModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int WatchHopModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_visible.size());
}

QHash<int, QByteArray> WatchHopModel::roleNames() const
{
    QHash<int, QByteArray> names = sharedHopRoleNames();
    names.insert(QHash<int, QByteArray>{{Qt::DisplayRole, "display"},
                                        {Qt::ToolTipRole, "toolTip"},
                                        {LossPctRole, "lossPct"},
                                        {RateLimitedRole, "rateLimited"},
                                        {NumericRole, "numeric"},
                                        {SparklineRole, "sparkline"},
                                        {ColumnKeyRole, "columnKey"}});
    return names;
}

QVariant WatchHopModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 ||
        section >= m_visible.size())
        return {};
    return tr(kColumns[m_visible.at(section)].title);
}

QVariant WatchHopModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= m_visible.size())
        return {};
    const WatchHopRow &row = m_rows.at(index.row());
    const int column = m_visible.at(index.column());
    const RttSummary &s = row.summary.stats;
    switch (role) {
    case Qt::DisplayRole:
        return text(column, row);
    case Qt::ToolTipRole:
        if (column == Loss && row.summary.rateLimited && s.sent > s.received)
            return tr("%1 lost here, but later hops answered every probe: this router limits its ICMP "
                      "answers; the path itself loses nothing here.")
                .arg(text(column, row));
        if (column == Host && row.summary.responders.size() > 1) {
            QStringList all;
            for (const ResponderSummary &r : row.summary.responders)
                all << QStringLiteral("%1 (%2%)").arg(r.address.toString()).arg(r.sharePercent, 0, 'f', 0);
            return all.join(QStringLiteral(", "));
        }
        return text(column, row);
    case TtlRole:
        return row.summary.ttl;
    case LatitudeRole:
        return located(row) ? row.geo.place.latitude : qQNaN();
    case LongitudeRole:
        return located(row) ? row.geo.place.longitude : qQNaN();
    case HasLocationRole:
        return located(row);
    case AccuracyKmRole:
        return row.geo.place.accuracyKm;
    case AvgRttMsRole:
        return s.avgMs();
    case AddressRole:
        return row.address.isNull() ? QString() : row.address.toString();
    case PlaceNameRole:
        return HopListModel::placeName(row.geo.place);
    case LossPctRole:
        return s.sent > 0 ? s.lossPercent() : -1.0;
    case HighlightedRole:
        return row.highlighted;
    case RateLimitedRole:
        return row.summary.rateLimited;
    case NumericRole:
        return kColumns[column].numeric;
    case SparklineRole: {
        QList<qreal> values;
        values.reserve(row.recentRtt.size());
        for (float v : row.recentRtt)
            values << qreal(v);
        return QVariant::fromValue(values);
    }
    case ColumnKeyRole:
        return columnKey(column);
    }
    return {};
}

QString WatchHopModel::text(int column, const WatchHopRow &row) const
{
    const RttSummary &s = row.summary.stats;
    auto ms = [](double v) {
        return v < 0 ? QStringLiteral("-") : QString::number(v, 'f', v < 10 ? 2 : 1);
    };
    switch (column) {
    case Ttl:
        return QString::number(row.summary.ttl);
    case Host: {
        QString host = row.address.isNull() ? QStringLiteral("???") : row.address.toString();
        if (!row.geo.hostname.isEmpty())
            host = QStringLiteral("%1 (%2)").arg(row.geo.hostname, host);
        const int others = int(row.summary.responders.size()) - 1;
        if (others > 0)
            host += row.loadBalanced ? tr("  (+%1, balanced)").arg(others) : tr("  (+%1)").arg(others);
        return host;
    }
    case Place:
        return HopListModel::placeName(row.geo.place);
    case As:
        return asText(row);
    case Loss:
        return s.sent > 0 ? QStringLiteral("%1%").arg(s.lossPercent(), 0, 'f', 1) : QString();
    case Sent:
        return QString::number(s.sent);
    case Recv:
        return QString::number(s.received);
    case Last:
        return ms(s.lastMs);
    case Avg:
        return ms(s.avgMs());
    case Best:
        return ms(s.bestMs);
    case Wrst:
        return ms(s.worstMs);
    case StDev:
        return s.received > 0 ? ms(s.stddevMs()) : ms(-1);
    case Gmean:
        return s.received > 0 ? ms(s.gmeanMs()) : ms(-1);
    case Jttr:
        return ms(s.jitterMs);
    case Javg:
        return ms(s.jitterAvgMs());
    case Jmax:
        return ms(s.jitterMaxMs);
    case Jint:
        return ms(s.jitterInterarrivalMs);
    }
    return {};
}

void WatchHopModel::setRows(const QList<WatchHopRow> &rows)
{
    bool sameTtls = rows.size() == m_rows.size();
    for (qsizetype i = 0; sameTtls && i < rows.size(); ++i)
        sameTtls = rows.at(i).summary.ttl == m_rows.at(i).summary.ttl;
    if (sameTtls) {
        m_rows = rows;
        if (!m_rows.isEmpty() && !m_visible.isEmpty())
            emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, int(m_visible.size()) - 1));
        return;
    }
    const qsizetype before = m_rows.size();
    beginResetModel();
    m_rows = rows;
    endResetModel();
    if (before != m_rows.size())
        emit countChanged();
}

int WatchHopModel::placedCount() const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(), located));
}

int WatchHopModel::rowForTtl(int ttl) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).summary.ttl == ttl)
            return int(i);
    }
    return -1;
}

QStringList WatchHopModel::visibleColumns() const
{
    QStringList keys;
    for (int c : m_visible)
        keys << columnKey(c);
    return keys;
}

void WatchHopModel::setVisibleColumns(const QStringList &keys)
{
    QList<int> visible;
    for (const QString &key : keys.isEmpty() ? defaultColumns() : keys) {
        const int c = columnForKey(key);
        if (c >= 0 && !visible.contains(c))
            visible << c;
    }
    if (visible.isEmpty())
        visible << Ttl;
    std::sort(visible.begin(), visible.end()); // always in table order
    if (visible == m_visible)
        return;
    beginResetModel();
    m_visible = visible;
    endResetModel();
    emit visibleColumnsChanged();
}

QVariantList WatchHopModel::columns() const
{
    QVariantList out;
    for (int c = 0; c < ColumnCount; ++c)
        out << QVariantMap{{QStringLiteral("key"), columnKey(c)},
                           {QStringLiteral("title"), tr(kColumns[c].title)},
                           {QStringLiteral("shown"), m_visible.contains(c)}};
    return out;
}

QStringList WatchHopModel::toggledColumns(const QString &key) const
{
    QStringList keys = visibleColumns();
    if (keys.contains(key))
        keys.removeAll(key);
    else if (columnForKey(key) >= 0)
        keys << key;
    if (keys.isEmpty())
        keys << QStringLiteral("ttl"); // an empty list would mean "the default set"
    return keys;
}

QVariantMap WatchHopModel::get(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return {};
    const WatchHopRow &r = m_rows.at(row);
    const RttSummary &s = r.summary.stats;
    QStringList responders;
    for (const ResponderSummary &rs : r.summary.responders)
        responders << rs.address.toString();
    return {{QStringLiteral("ttl"), r.summary.ttl},
            {QStringLiteral("address"), r.address.isNull() ? QString() : r.address.toString()},
            {QStringLiteral("responders"), responders},
            {QStringLiteral("hostname"), r.geo.hostname},
            {QStringLiteral("placeName"), HopListModel::placeName(r.geo.place)},
            {QStringLiteral("accuracyKm"), r.geo.place.accuracyKm},
            {QStringLiteral("asn"), r.geo.as.number},
            {QStringLiteral("asName"), r.geo.as.name},
            {QStringLiteral("provider"), r.geo.provider},
            {QStringLiteral("reason"), r.geo.reason},
            {QStringLiteral("avgRttMs"), s.avgMs()},
            {QStringLiteral("lossPercent"), s.lossPercent()},
            {QStringLiteral("sent"), s.sent},
            {QStringLiteral("received"), s.received},
            {QStringLiteral("rateLimited"), r.summary.rateLimited},
            {QStringLiteral("loadBalanced"), r.loadBalanced}};
}

QString WatchHopModel::toText() const
{
    QStringList lines;
    QStringList header;
    for (int c : m_visible) {
        if (c != Graph)
            header << tr(kColumns[c].title);
    }
    lines << header.join(QLatin1Char('\t'));
    for (const WatchHopRow &row : m_rows) {
        QStringList cells;
        for (int c : m_visible) {
            if (c != Graph)
                cells << text(c, row);
        }
        lines << cells.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace tracemap
