// The hops of one trace as a list model, one row per TTL in TTL order. Fed by the trace
// controller from the engine's hopUpdated signals (already queued to the GUI thread) and
// from GeoService::located; read by the hop table and the map item through role names.
#pragma once

#include "geotypes.h"
#include "hoproles.h"
#include "tracetypes.h"

#include <QAbstractListModel>
#include <QHostAddress>
#include <QSet>
#include <QtQml/qqmlregistration.h>

namespace tracemap {

class HopListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The hop model belongs to a TraceController")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(int placedCount READ placedCount NOTIFY placedCountChanged)
public:
    using enum HopRoles::SharedHopRole; // TtlRole .. HighlightedRole, the map's
    enum Role {
        HostnameRole = FirstOwnHopRole,
        AsnRole,
        AsNameRole,
        LastRttMsRole,
        BestRttMsRole,
        WorstRttMsRole,
        LossPercentRole,
        ReasonRole,
        ProviderRole,
        ConfidenceRole,
        RespondersRole,
        SentRole,
        ReceivedRole,
        ReachedRole,
        GeoStatusRole,
        HintRuleRole, // which hostname rule placed the hop (hintrule.h), empty when none did
    };
    Q_ENUM(Role)

    explicit HopListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Inserts the hop at its TTL position or updates the row already there.
    // Returns the row.
    int updateHop(const Hop &hop);
    // Writes a geolocation decision into every row whose first responder is that address.
    // Returns the number of rows changed.
    int applyGeoResult(const GeoResult &result);
    void clear();

    // The TTLs the comparison marks as changed; empty: none. Cleared by clear().
    void setHighlightedTtls(const QSet<int> &ttls);

    int placedCount() const;
    int rowForTtl(int ttl) const; // -1 when absent
    Hop hopAt(int row) const;
    QHostAddress firstResponderAt(int row) const;

    // Every role of a row by name, for tooltips and details in QML.
    Q_INVOKABLE QVariantMap get(int row) const;
    // An RTT for people: "-" unknown, 3 decimals under 1 ms, 2 under 10 ms, else 1.
    static QString rttText(double ms);
    // "City, CC" (or the display name) for people.
    static QString placeName(const GeoPlace &place);
    // The table as tab-separated text with a header line (clipboard, Ctrl+C).
    Q_INVOKABLE QString toText() const;

signals:
    void countChanged();
    void placedCountChanged();

private:
    struct Row
    {
        Hop hop;
        GeoResult geo; // status Pending until a decision arrives
        bool geoKnown = false;
    };
    QVariant roleValue(const Row &row, int role) const;
    static QString statusReason(const Row &row);

    QList<Row> m_rows; // sorted by ttl
    QSet<int> m_highlighted;
    int m_placed = 0;
};

} // namespace tracemap
