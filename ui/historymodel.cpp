#include "historymodel.h"

#include "appsettings.h"
#include "documentcontroller.h"
#include "notifying.h"
#include "tracecontroller.h"
#include "uilogging.h"

#include <utility>

namespace tracemap {

HistoryModel::HistoryModel(const HistorySettings &settings, TraceController *trace,
                           DocumentController *documents, AppSettings *appSettings, QObject *parent)
    : QAbstractListModel(parent), m_settings(settings), m_trace(trace), m_documents(documents),
      m_appSettings(appSettings)
{
    connect(trace, &TraceController::finished, this, &HistoryModel::onTraceFinished);
}

HistoryModel::~HistoryModel() = default;

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QHash<int, QByteArray> HistoryModel::roleNames() const
{
    return {{IdRole, "entryId"},      {TargetRole, "target"}, {DestinationRole, "destination"},
            {StartedRole, "started"}, {HopsRole, "hops"},     {ReachedRole, "reached"}};
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const HistoryEntry &e = m_entries.at(index.row());
    switch (role) {
    case IdRole:
        return e.id;
    case TargetRole:
        return e.target;
    case DestinationRole:
        return e.destination;
    case StartedRole:
        return e.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case HopsRole:
        return e.hops;
    case ReachedRole:
        return e.reached;
    default:
        return {};
    }
}

bool HistoryModel::ensureOpen()
{
    if (!m_settings.enabled)
        return false;
    if (!m_history)
        m_history = std::make_unique<TraceHistory>(m_settings);
    if (m_history->isOpen())
        return true;
    const bool opened = m_history->open();
    // A damaged database was moved aside and a new one started: said once.
    if (!m_history->warning().isEmpty() && !m_warned) {
        m_warned = true;
        emit reported(m_history->warning(), true);
    }
    if (!opened)
        emit reported(QStringLiteral("The history is not available: %1").arg(m_history->errorMessage()),
                      true);
    return opened;
}

void HistoryModel::setFilter(const QString &filter)
{
    if (setAndNotify(this, m_filter, filter, &HistoryModel::filterChanged))
        refresh();
}

void HistoryModel::refresh()
{
    QList<HistoryEntry> entries;
    int stored = 0;
    if (ensureOpen()) {
        entries = m_history->list(m_filter, {}, {}, kListLimit);
        stored = m_history->count();
    }
    beginResetModel();
    m_entries = entries;
    m_storedCount = stored;
    endResetModel();
    emit countChanged();
}

qint64 HistoryModel::store(const TraceFile &file)
{
    if (!ensureOpen())
        return -1;
    const qint64 id = m_history->add(file);
    if (id < 0) {
        emit reported(
            QStringLiteral("The trace was not kept in the history: %1").arg(m_history->errorMessage()), true);
        return -1;
    }
    refresh();
    return id;
}

void HistoryModel::onTraceFinished()
{
    // An opened file is already kept; an empty (refused, unresolved) trace is nothing to keep.
    if (!m_appSettings->keepHistory() || m_trace->showingDocument() || m_trace->model()->rowCount() == 0)
        return;
    store(m_trace->currentDocument());
}

TraceFileReadResult HistoryModel::fetch(int row)
{
    TraceFileReadResult r;
    if (row < 0 || row >= m_entries.size() || !ensureOpen()) {
        r.error = TraceFileError::CannotOpen;
        r.message = QStringLiteral("no such history entry");
        return r;
    }
    return m_history->get(m_entries.at(row).id);
}

bool HistoryModel::reopen(int row)
{
    const TraceFileReadResult r = fetch(row);
    if (!r.ok()) {
        emit reported(QStringLiteral("Cannot reopen the trace: %1").arg(r.message), true);
        return false;
    }
    return m_documents->show(r.file, QStringLiteral("the history"));
}

bool HistoryModel::traceAgain(int row)
{
    if (row < 0 || row >= m_entries.size())
        return false;
    m_trace->setHost(m_entries.at(row).target);
    if (m_trace->start())
        return true;
    emit reported(m_trace->errorMessage(), true);
    return false;
}

bool HistoryModel::remove(int row)
{
    if (row < 0 || row >= m_entries.size() || !ensureOpen())
        return false;
    if (!m_history->remove(m_entries.at(row).id)) {
        emit reported(QStringLiteral("Cannot delete the trace: %1").arg(m_history->errorMessage()), true);
        return false;
    }
    beginRemoveRows({}, row, row);
    m_entries.removeAt(row);
    endRemoveRows();
    --m_storedCount;
    emit countChanged();
    return true;
}

bool HistoryModel::compareWithShown(int row)
{
    const TraceFileReadResult r = fetch(row);
    if (!r.ok()) {
        emit reported(QStringLiteral("Cannot compare: %1").arg(r.message), true);
        return false;
    }
    return m_documents->compareWith(r.file);
}

bool HistoryModel::compare(int rowA, int rowB)
{
    if (rowA == rowB) {
        emit reported(QStringLiteral("Cannot compare: choose two different traces."), true);
        return false;
    }
    TraceFileReadResult a = fetch(rowA);
    TraceFileReadResult b = fetch(rowB);
    if (!a.ok() || !b.ok()) {
        emit reported(QStringLiteral("Cannot compare: %1").arg(a.ok() ? b.message : a.message), true);
        return false;
    }
    // The earlier trace is "before"; at the same time, the lower one in the (newest first) list.
    const QDateTime startA = m_entries.at(rowA).startedAt, startB = m_entries.at(rowB).startedAt;
    if (startA > startB || (startA == startB && rowA < rowB))
        std::swap(a, b);
    return m_documents->show(b.file, QStringLiteral("the history")) && m_documents->compareWith(a.file);
}

} // namespace tracemap
