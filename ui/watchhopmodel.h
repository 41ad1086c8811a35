// The watch mode's hop table: one row per TTL with the mtr columns (Loss%, Sent, Recv, Last,
// Avg, Best, Wrst, StDev, Gmean, Jttr, Javg, Jmax, Jint; docs/watch.md defines them), the
// dominant responder with its place, AS and name as in the trace table, and a sparkline of
// recent RTTs. Rows are set whole by the WatchController (statistics over its focus period);
// the model only presents them. Which columns are shown is visibleColumns (keys, kept in
// AppSettings::watchColumns); hidden columns are simply not columns of the model.
// The map reads it like the trace's hop model, by role name: ttl, latitude, longitude,
// hasLocation, avgRttMs (focus period), placeName, address, lossPct (marks loss) and
// highlighted (the TTLs of the selected path change).
#pragma once

#include "geotypes.h"
#include "hoproles.h"
#include "pathchanges.h"
#include "watchstats.h"

#include <QAbstractTableModel>
#include <QHostAddress>
#include <QtQml/qqmlregistration.h>

#include <functional>

namespace tracemap {

inline constexpr int kSparklineSamples = 60; // recent RTTs per row

struct WatchHopRow
{
    HopSummary summary;     // over the focus period
    QHostAddress address;   // the dominant responder; null: none answered
    GeoResult geo;          // status Pending while unknown
    QList<float> recentRtt; // the last samples, oldest first; < 0: lost
    bool loadBalanced = false;
    bool highlighted = false;
};

// The table's rows from a watch's statistics: over [fromMs, toMs) when toMs > fromMs, else
// the whole watch; the dominant responder per TTL from `paths`, its place from `placeOf`
// (a Pending result when unknown); the hop at highlightTtl highlighted (-1: none).
QList<WatchHopRow> watchHopRows(const WatchStats &stats, const PathChangeDetector &paths, qint64 fromMs,
                                qint64 toMs, int highlightTtl,
                                const std::function<GeoResult(const QHostAddress &)> &placeOf);

class WatchHopModel : public QAbstractTableModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The watch hop model belongs to a WatchController")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(
        QStringList visibleColumns READ visibleColumns WRITE setVisibleColumns NOTIFY visibleColumnsChanged)
    // Every column for a chooser: [{key, title, shown}] in table order.
    Q_PROPERTY(QVariantList columns READ columns NOTIFY visibleColumnsChanged)
    Q_PROPERTY(int placedCount READ placedCount NOTIFY countChanged)
public:
    enum Column {
        Ttl,
        Host,
        Place,
        As,
        Loss,
        Sent,
        Recv,
        Last,
        Avg,
        Best,
        Wrst,
        StDev,
        Gmean,
        Jttr,
        Javg,
        Jmax,
        Jint,
        Graph,
        ColumnCount
    };
    Q_ENUM(Column)
    using enum HopRoles::SharedHopRole; // TtlRole .. HighlightedRole, the map's
    enum Role {
        LossPctRole = FirstOwnHopRole,
        RateLimitedRole,
        NumericRole,
        SparklineRole,
        ColumnKeyRole,
    };
    Q_ENUM(Role)

    explicit WatchHopModel(QObject *parent = nullptr);

    static QString columnKey(int column);
    static int columnForKey(const QString &key); // -1 when unknown
    static QStringList defaultColumns();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setRows(const QList<WatchHopRow> &rows);
    const QList<WatchHopRow> &rows() const { return m_rows; }
    int count() const { return int(m_rows.size()); }
    int placedCount() const;
    int rowForTtl(int ttl) const;

    QStringList visibleColumns() const;
    void setVisibleColumns(const QStringList &keys); // unknown keys ignored; empty: default
    QVariantList columns() const;
    // Shows or hides one column; returns the keys now shown (for the settings).
    Q_INVOKABLE QStringList toggledColumns(const QString &key) const;

    // A row's values by name (tooltips, the map's hover text).
    Q_INVOKABLE QVariantMap get(int row) const;
    // The table as tab-separated text with a header line (shown columns, Graph left out).
    Q_INVOKABLE QString toText() const;

signals:
    void countChanged();
    void visibleColumnsChanged();

private:
    QString text(int column, const WatchHopRow &row) const;

    QList<WatchHopRow> m_rows;
    QList<int> m_visible; // Column values, in table order
};

} // namespace tracemap
