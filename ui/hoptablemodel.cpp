#include "hoptablemodel.h"

#include <QAbstractTableModel>

namespace tracemap {

// The columns as a table model: one source row, eleven cells.
class HopColumns : public QAbstractTableModel
{
public:
    explicit HopColumns(QObject *parent) : QAbstractTableModel(parent) {}

    void setHops(HopListModel *hops)
    {
        beginResetModel();
        if (m_hops)
            disconnect(m_hops, nullptr, this, nullptr);
        m_hops = hops;
        if (hops) {
            connect(hops, &QAbstractItemModel::rowsAboutToBeInserted, this,
                    [this](const QModelIndex &, int first, int last) { beginInsertRows({}, first, last); });
            connect(hops, &QAbstractItemModel::rowsInserted, this, [this] { endInsertRows(); });
            connect(hops, &QAbstractItemModel::rowsAboutToBeRemoved, this,
                    [this](const QModelIndex &, int first, int last) { beginRemoveRows({}, first, last); });
            connect(hops, &QAbstractItemModel::rowsRemoved, this, [this] { endRemoveRows(); });
            connect(hops, &QAbstractItemModel::modelAboutToBeReset, this, [this] { beginResetModel(); });
            connect(hops, &QAbstractItemModel::modelReset, this, [this] { endResetModel(); });
            connect(hops, &QAbstractItemModel::dataChanged, this,
                    [this](const QModelIndex &from, const QModelIndex &to) {
                        emit dataChanged(index(from.row(), 0),
                                         index(to.row(), HopTableModel::ColumnCount - 1));
                    });
        }
        endResetModel();
    }
    HopListModel *hops() const { return m_hops; }

    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() || !m_hops ? 0 : m_hops->rowCount();
    }
    int columnCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : HopTableModel::ColumnCount;
    }
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        static const QStringList titles{tr("TTL"),   tr("Address"), tr("Reverse name"), tr("AS"),
                                        tr("Place"), tr("Loss"),    tr("Last"),         tr("Avg"),
                                        tr("Best"),  tr("Worst"),   tr("Note")};
        if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
            return {};
        return titles.value(section);
    }
    QVariant data(const QModelIndex &index, int role) const override
    {
        if (!m_hops || !index.isValid())
            return {};
        const QModelIndex hop = m_hops->index(index.row());
        auto value = [&](int r) {
            return hop.data(r);
        };
        switch (role) {
        case HopTableModel::SourceRowRole:
            return index.row();
        case HopTableModel::AvgRttMsRole:
            return value(HopListModel::AvgRttMsRole);
        case HopTableModel::HasLocationRole:
            return value(HopListModel::HasLocationRole);
        case HopTableModel::NumericRole:
            return index.column() == HopTableModel::Ttl ||
                   (index.column() >= HopTableModel::Loss && index.column() <= HopTableModel::Worst);
        case HopTableModel::SortRole:
            return sortKey(index.column(), hop);
        case Qt::DisplayRole:
        case Qt::ToolTipRole:
            return text(index.column(), hop);
        }
        return {};
    }

private:
    // A role of the hop model: its own (HopListModel::Role) or one it shares (SharedHopRole).
    static int rttRole(int column)
    {
        return column == HopTableModel::Last   ? int(HopListModel::LastRttMsRole)
               : column == HopTableModel::Avg  ? int(HopListModel::AvgRttMsRole)
               : column == HopTableModel::Best ? int(HopListModel::BestRttMsRole)
                                               : int(HopListModel::WorstRttMsRole);
    }
    static QVariant sortKey(int column, const QModelIndex &hop)
    {
        switch (column) {
        case HopTableModel::Ttl:
            return hop.data(HopListModel::TtlRole);
        case HopTableModel::As:
            return hop.data(HopListModel::AsnRole);
        case HopTableModel::Loss:
            return hop.data(HopListModel::LossPercentRole);
        case HopTableModel::Last:
        case HopTableModel::Avg:
        case HopTableModel::Best:
        case HopTableModel::Worst: {
            const double ms = hop.data(rttRole(column)).toDouble();
            return ms < 0 ? 1e12 : ms; // unknown RTTs sort last
        }
        }
        return text(column, hop).toLower();
    }
    static QString text(int column, const QModelIndex &hop)
    {
        switch (column) {
        case HopTableModel::Ttl:
            return hop.data(HopListModel::TtlRole).toString();
        case HopTableModel::Address: {
            const QString address = hop.data(HopListModel::AddressRole).toString();
            const int others = int(hop.data(HopListModel::RespondersRole).toStringList().size()) - 1;
            if (address.isEmpty())
                return QStringLiteral("*");
            return others > 0 ? tr("%1  (+%2)").arg(address).arg(others) : address;
        }
        case HopTableModel::Hostname:
            return hop.data(HopListModel::HostnameRole).toString();
        case HopTableModel::As: {
            const int asn = hop.data(HopListModel::AsnRole).toInt();
            const QString name = hop.data(HopListModel::AsNameRole).toString();
            return asn > 0 ? QStringLiteral("AS%1 %2").arg(asn).arg(name).trimmed() : QString();
        }
        case HopTableModel::Place:
            return hop.data(HopListModel::PlaceNameRole).toString();
        case HopTableModel::Loss: {
            const double loss = hop.data(HopListModel::LossPercentRole).toDouble();
            const int received = hop.data(HopListModel::ReceivedRole).toInt();
            return received > 0 || loss > 0 ? QStringLiteral("%1%").arg(loss, 0, 'f', 0) : QString();
        }
        case HopTableModel::Last:
        case HopTableModel::Avg:
        case HopTableModel::Best:
        case HopTableModel::Worst:
            return HopListModel::rttText(hop.data(rttRole(column)).toDouble());
        case HopTableModel::Note:
            return hop.data(HopListModel::ReasonRole).toString();
        }
        return {};
    }

    QPointer<HopListModel> m_hops;
};

HopTableModel::HopTableModel(QObject *parent) : QSortFilterProxyModel(parent), m_columns(new HopColumns(this))
{
    setSourceModel(m_columns);
    setSortRole(SortRole);
    setDynamicSortFilter(true);
}

HopTableModel::~HopTableModel() = default;

HopListModel *HopTableModel::hops() const
{
    return m_columns->hops();
}

void HopTableModel::setHops(HopListModel *hops)
{
    if (hops == m_columns->hops())
        return;
    m_columns->setHops(hops);
    emit hopsChanged();
}

QHash<int, QByteArray> HopTableModel::roleNames() const
{
    return {{Qt::DisplayRole, "display"}, {Qt::ToolTipRole, "toolTip"},     {SourceRowRole, "sourceRow"},
            {AvgRttMsRole, "avgRttMs"},   {HasLocationRole, "hasLocation"}, {NumericRole, "numeric"}};
}

void HopTableModel::sortBy(int column)
{
    if (column < 0 || column >= ColumnCount)
        return;
    const Qt::SortOrder order = sortColumn() == column && sortOrder() == Qt::AscendingOrder
                                    ? Qt::DescendingOrder
                                    : Qt::AscendingOrder;
    sort(column, order);
    emit sortChanged();
}

int HopTableModel::sourceRowAt(int row) const
{
    const QModelIndex source = mapToSource(index(row, 0));
    return source.isValid() ? source.row() : -1;
}

int HopTableModel::rowForSource(int sourceRow) const
{
    const QModelIndex proxy = mapFromSource(m_columns->index(sourceRow, 0));
    return proxy.isValid() ? proxy.row() : -1;
}

} // namespace tracemap
