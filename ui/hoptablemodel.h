// The hop table's columns over HopListModel, sortable: TTL, address, reverse name, AS, place,
// loss, last/avg/best/worst RTT and the note. Display text, a sort key per cell, the full text as
// tooltip, and per row the source row (the map and the controller speak source rows), the RTT
// and whether the hop is placed (for the colour mark). Sorting is QSortFilterProxyModel's;
// rows stay live while a trace streams in.
#pragma once

#include "hoplistmodel.h"

#include <QPointer>
#include <QSortFilterProxyModel>
#include <QtQml/qqmlregistration.h>

namespace tracemap {

class HopColumns;

class HopTableModel : public QSortFilterProxyModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(tracemap::HopListModel *hops READ hops WRITE setHops NOTIFY hopsChanged)
    Q_PROPERTY(int sortColumn READ sortColumn NOTIFY sortChanged)
    Q_PROPERTY(Qt::SortOrder sortOrder READ sortOrder NOTIFY sortChanged)
public:
    enum Column { Ttl, Address, Hostname, As, Place, Loss, Last, Avg, Best, Worst, Note, ColumnCount };
    Q_ENUM(Column)
    enum Role { SortRole = Qt::UserRole + 100, SourceRowRole, AvgRttMsRole, HasLocationRole, NumericRole };

    explicit HopTableModel(QObject *parent = nullptr);
    ~HopTableModel() override;

    HopListModel *hops() const;
    void setHops(HopListModel *hops);
    QHash<int, QByteArray> roleNames() const override;

    // Clicking a header: sorts by that column, ascending first, again = the other way round.
    Q_INVOKABLE void sortBy(int column);
    // Table row <-> HopListModel row (-1 when absent).
    Q_INVOKABLE int sourceRowAt(int row) const;
    Q_INVOKABLE int rowForSource(int sourceRow) const;

signals:
    void hopsChanged();
    void sortChanged();

private:
    HopColumns *m_columns;
};

} // namespace tracemap
