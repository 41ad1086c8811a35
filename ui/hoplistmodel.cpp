#include "hoplistmodel.h"

#include "hintrule.h"

#include <algorithm>

namespace tracemap {

HopListModel::HopListModel(QObject *parent) : QAbstractListModel(parent) {}

QString HopListModel::rttText(double ms)
{
    if (ms < 0)
        return QStringLiteral("-");
    // Sub-millisecond RTTs (the LAN, loopback) keep their digits instead of reading "0.00".
    if (ms < 0.001)
        return QStringLiteral("<0.001");
    return QString::number(ms, 'f', ms < 1 ? 3 : ms < 10 ? 2 : 1);
}

int HopListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QHash<int, QByteArray> HopListModel::roleNames() const
{
    // The map item reads the shared roles (hoproles.h) by name; the rest are the hop table's.
    QHash<int, QByteArray> names = sharedHopRoleNames();
    names.insert(QHash<int, QByteArray>{
        {HostnameRole, "hostname"},
        {AsnRole, "asn"},
        {AsNameRole, "asName"},
        {LastRttMsRole, "lastRttMs"},
        {BestRttMsRole, "bestRttMs"},
        {WorstRttMsRole, "worstRttMs"},
        {LossPercentRole, "lossPercent"},
        {ReasonRole, "reason"},
        {ProviderRole, "provider"},
        {ConfidenceRole, "confidence"},
        {RespondersRole, "responders"},
        {SentRole, "sent"},
        {ReceivedRole, "received"},
        {ReachedRole, "reached"},
        {GeoStatusRole, "geoStatus"},
        {HintRuleRole, "hintRule"},
    });
    return names;
}

QVariant HopListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    return roleValue(m_rows.at(index.row()), role);
}

QString HopListModel::placeName(const GeoPlace &place)
{
    QStringList parts;
    if (!place.city.isEmpty())
        parts << place.city;
    if (!place.countryCode.isEmpty())
        parts << place.countryCode;
    else if (!place.country.isEmpty())
        parts << place.country;
    if (parts.isEmpty() && !place.displayName.isEmpty())
        return place.displayName;
    return parts.join(QStringLiteral(", "));
}

QString HopListModel::statusReason(const Row &row)
{
    if (!row.hop.anyAnswer())
        return row.hop.complete ? QStringLiteral("no reply") : QStringLiteral("waiting for replies");
    if (!row.geoKnown)
        return QStringLiteral("locating…");
    if (!row.geo.reason.isEmpty())
        return row.geo.reason;
    if (!row.geo.error.isEmpty())
        return row.geo.error;
    switch (row.geo.status) {
    case GeoStatus::Pending:
        return QStringLiteral("locating…");
    case GeoStatus::Located:
        return QStringLiteral("located");
    case GeoStatus::Unlocatable:
        return QStringLiteral("no place known for this address");
    case GeoStatus::Failed:
        return QStringLiteral("lookup failed");
    case GeoStatus::TimedOut:
        return QStringLiteral("lookup timed out");
    }
    return {};
}

QVariant HopListModel::roleValue(const Row &row, int role) const
{
    const bool placed =
        row.geoKnown && row.geo.status == GeoStatus::Located && row.geo.place.hasCoordinates();
    switch (role) {
    case TtlRole:
        return row.hop.ttl;
    case LatitudeRole:
        return placed ? row.geo.place.latitude : qQNaN();
    case LongitudeRole:
        return placed ? row.geo.place.longitude : qQNaN();
    case HasLocationRole:
        return placed;
    case AccuracyKmRole:
        return placed ? row.geo.place.accuracyKm : -1.0;
    case AvgRttMsRole:
        return row.hop.stats().avgMs;
    case AddressRole: {
        const QList<QHostAddress> responders = row.hop.responders();
        return responders.isEmpty() ? QString() : responders.first().toString();
    }
    case HostnameRole:
        return row.geoKnown ? row.geo.hostname : QString();
    case PlaceNameRole:
        return placed ? placeName(row.geo.place) : QString();
    case AsnRole:
        return row.geoKnown ? int(row.geo.as.number) : 0;
    case AsNameRole:
        return row.geoKnown ? row.geo.as.name : QString();
    case LastRttMsRole:
        return row.hop.stats().lastMs;
    case BestRttMsRole:
        return row.hop.stats().bestMs;
    case WorstRttMsRole:
        return row.hop.stats().worstMs;
    case LossPercentRole:
        return row.hop.stats().lossPercent;
    case ReasonRole:
        return statusReason(row);
    case ProviderRole:
        return row.geoKnown ? row.geo.provider : QString();
    case ConfidenceRole:
        return row.geoKnown ? row.geo.confidence : 0.0;
    case RespondersRole: {
        QStringList list;
        for (const QHostAddress &a : row.hop.responders())
            list << a.toString();
        return list;
    }
    case SentRole:
        return row.hop.probesSent;
    case ReceivedRole:
        return row.hop.stats().received;
    case ReachedRole:
        return row.hop.reachedDestination();
    case GeoStatusRole:
        return row.geoKnown ? geoStatusName(row.geo.status) : QStringLiteral("pending");
    case HighlightedRole:
        return m_highlighted.contains(row.hop.ttl);
    case HintRuleRole: {
        const std::optional<HintRule> hint = row.geoKnown ? hintRuleOf(row.geo) : std::nullopt;
        return hint ? hint->describe() : QString();
    }
    default:
        return {};
    }
}

int HopListModel::rowForTtl(int ttl) const
{
    const auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), ttl,
                                     [](const Row &r, int t) { return r.hop.ttl < t; });
    return (it != m_rows.cend() && it->hop.ttl == ttl) ? int(it - m_rows.cbegin()) : -1;
}

int HopListModel::updateHop(const Hop &hop)
{
    const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), hop.ttl,
                                     [](const Row &r, int t) { return r.hop.ttl < t; });
    const int row = int(it - m_rows.begin());
    if (it != m_rows.end() && it->hop.ttl == hop.ttl) {
        if (it->hop == hop)
            return row;
        const QHostAddress before = firstResponderAt(row);
        it->hop = hop;
        const QHostAddress after = firstResponderAt(row);
        if (before != after && it->geoKnown) {
            // A different first responder (e.g. a late answer with a lower query index):
            // the old place no longer belongs to this row.
            const bool wasPlaced = it->geo.status == GeoStatus::Located;
            it->geo = GeoResult();
            it->geoKnown = false;
            if (wasPlaced) {
                --m_placed;
                emit placedCountChanged();
            }
        }
        const QModelIndex i = index(row);
        emit dataChanged(i, i);
        return row;
    }
    beginInsertRows({}, row, row);
    m_rows.insert(row, Row{hop, {}, false});
    endInsertRows();
    emit countChanged();
    return row;
}

void HopListModel::setHighlightedTtls(const QSet<int> &ttls)
{
    if (m_highlighted == ttls)
        return;
    m_highlighted = ttls;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0), index(int(m_rows.size()) - 1), {HighlightedRole});
}

int HopListModel::applyGeoResult(const GeoResult &result)
{
    if (result.address.isNull())
        return 0;
    int changed = 0;
    for (int row = 0; row < m_rows.size(); ++row) {
        if (firstResponderAt(row) != result.address)
            continue;
        Row &r = m_rows[row];
        const bool wasPlaced =
            r.geoKnown && r.geo.status == GeoStatus::Located && r.geo.place.hasCoordinates();
        r.geo = result;
        r.geoKnown = result.status != GeoStatus::Pending;
        const bool isPlaced =
            r.geoKnown && r.geo.status == GeoStatus::Located && r.geo.place.hasCoordinates();
        if (wasPlaced != isPlaced) {
            m_placed += isPlaced ? 1 : -1;
            emit placedCountChanged();
        }
        const QModelIndex i = index(row);
        emit dataChanged(i, i);
        ++changed;
    }
    return changed;
}

void HopListModel::clear()
{
    m_highlighted.clear();
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
    emit countChanged();
    if (m_placed != 0) {
        m_placed = 0;
        emit placedCountChanged();
    }
}

int HopListModel::placedCount() const
{
    return m_placed;
}

Hop HopListModel::hopAt(int row) const
{
    return (row >= 0 && row < m_rows.size()) ? m_rows.at(row).hop : Hop();
}

QHostAddress HopListModel::firstResponderAt(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return {};
    for (const ProbeReply &reply : m_rows.at(row).hop.replies) {
        if (!reply.responder.isNull())
            return reply.responder;
    }
    return {};
}

QVariantMap HopListModel::get(int row) const
{
    QVariantMap map;
    if (row < 0 || row >= m_rows.size())
        return map;
    const QHash<int, QByteArray> names = roleNames();
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        map.insert(QString::fromLatin1(it.value()), roleValue(m_rows.at(row), it.key()));
    return map;
}

QString HopListModel::toText() const
{
    QStringList lines;
    lines << QStringLiteral("TTL\tAddress\tHostname\tAS\tPlace\tLoss%\tLast\tAvg\tBest\tWorst\tNote");
    for (const Row &row : m_rows) {
        const RttStats stats = row.hop.stats();
        const QVariant asn = roleValue(row, AsnRole);
        const QString asText = asn.toInt() > 0
                                   ? QStringLiteral("AS%1 %2").arg(asn.toInt()).arg(row.geo.as.name).trimmed()
                                   : QString();
        QString address = roleValue(row, AddressRole).toString();
        if (address.isEmpty())
            address = QStringLiteral("*");
        lines << QStringList{QString::number(row.hop.ttl),
                             address,
                             roleValue(row, HostnameRole).toString(),
                             asText,
                             roleValue(row, PlaceNameRole).toString(),
                             QString::number(stats.lossPercent, 'f', 0),
                             rttText(stats.lastMs),
                             rttText(stats.avgMs),
                             rttText(stats.bestMs),
                             rttText(stats.worstMs),
                             statusReason(row)}
                     .join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace tracemap
