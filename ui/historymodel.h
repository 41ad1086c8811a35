#pragma once
// The History panel's model: the traces kept in the SQLite history (geo/tracehistory.h), newest
// first, one row per trace (target, time, hops, reached), filtered by target. Every trace that
// finishes in the window is stored automatically while AppSettings::keepHistory is on (bounded
// by count and size by the library, oldest dropped first); an opened file is not stored again.
// A row can be reopened (shown as saved, nothing probed), traced again, deleted, or compared
// with the trace shown; two rows can be compared with each other (the comparison goes to the
// DocumentController).
//
// The database is opened on first use. A damaged one is moved aside by the library; the model
// says so once, in the window's status area. Errors are reported, one line each.

#include "tracehistory.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

#include <memory>

namespace tracemap {

class AppSettings;
class DocumentController;
class TraceController;

class HistoryModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Created by the application")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    // Only traces whose target contains this text (case-insensitive); empty: all.
    Q_PROPERTY(QString filter READ filter WRITE setFilter NOTIFY filterChanged)
    // Traces stored in all (the list shows at most kListLimit of them).
    Q_PROPERTY(int storedCount READ storedCount NOTIFY countChanged)
public:
    enum Role { IdRole = Qt::UserRole + 1, TargetRole, DestinationRole, StartedRole, HopsRole, ReachedRole };
    Q_ENUM(Role)
    static constexpr int kListLimit = 2000;

    // All must outlive the model. settings.enabled false: nothing is opened or stored.
    HistoryModel(const HistorySettings &settings, TraceController *trace, DocumentController *documents,
                 AppSettings *appSettings, QObject *parent = nullptr);
    ~HistoryModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString filter() const { return m_filter; }
    void setFilter(const QString &filter);
    int storedCount() const { return m_storedCount; }

    // Reads the list again (the panel calls it when shown).
    Q_INVOKABLE void refresh();
    Q_INVOKABLE bool reopen(int row);
    Q_INVOKABLE bool traceAgain(int row);
    Q_INVOKABLE bool remove(int row);
    // The row's trace compared with the one shown (DocumentController::compareWith).
    Q_INVOKABLE bool compareWithShown(int row);
    // Two kept traces compared in one step: the newer one is shown, compared with the older.
    Q_INVOKABLE bool compare(int rowA, int rowB);
    // Stores a trace now; its id or -1. Called for every finished trace.
    qint64 store(const TraceFile &file);
    TraceFileReadResult fetch(int row);

signals:
    void countChanged();
    void filterChanged();
    void reported(const QString &message, bool isError);

private:
    bool ensureOpen();
    void onTraceFinished();

    HistorySettings m_settings;
    std::unique_ptr<TraceHistory> m_history;
    TraceController *m_trace;
    DocumentController *m_documents;
    AppSettings *m_appSettings;
    QList<HistoryEntry> m_entries;
    QString m_filter;
    int m_storedCount = 0;
    bool m_warned = false;
};

} // namespace tracemap
