#include "hostinfo.h"

#include "address.h"
#include "mmdbprovider.h"
#include "specialranges.h"

#include <QDnsLookup>
#include <QFutureWatcher>
#include <QHostInfo>
#include <QPromise>
#include <QRegularExpression>
#include <QThreadPool>
#include <QTimer>

Q_LOGGING_CATEGORY(lcHostInfo, "tracemap.geo.hostinfo", QtWarningMsg)

namespace tracemap {

namespace {

// A host name as DNS may carry it: at most 253 characters of letters, digits, '-', '_' and dots.
bool isPlausibleHostName(const QString &name)
{
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$"));
    return !name.isEmpty() && name.size() <= 253 && valid.match(name).hasMatch();
}

QString nibbles(const QHostAddress &address)
{
    const Q_IPV6ADDR bytes = address.toIPv6Address();
    QString out;
    for (int i = 15; i >= 0; --i) {
        const quint8 b = bytes.c[i];
        out += QString::number(b & 0xf, 16) + u'.' + QString::number(b >> 4, 16) + u'.';
    }
    return out;
}

// What a failed DNS query means for the lookup: no such record is an answer (not found), our
// own abort is the timeout, anything else a failure (asked again later).
LookupStatus failedQueryStatus(const QDnsLookup *lookup, const char *type)
{
    switch (lookup->error()) {
    case QDnsLookup::NotFoundError:
        return LookupStatus::NotFound;
    case QDnsLookup::OperationCancelledError:
        return LookupStatus::TimedOut;
    default:
        qCDebug(lcHostInfo).noquote() << type << lookup->name() << "failed:" << lookup->errorString();
        return LookupStatus::Failed;
    }
}

// The TXT records of a finished query, each one's strings joined; a record over 512 bytes is
// passed over (no honest answer is that long).
QStringList txtTexts(const QDnsLookup *lookup)
{
    QStringList texts;
    for (const QDnsTextRecord &record : lookup->textRecords()) {
        QByteArray text;
        for (const QByteArray &part : record.values())
            text += part;
        if (text.size() <= 512)
            texts << QString::fromUtf8(text);
    }
    return texts;
}

} // namespace

HostInfoResolver::HostInfoResolver(const HostInfoSettings &settings, QObject *parent)
    : QObject(parent), m_settings(settings)
{
    if (m_settings.timeoutMs <= 0)
        m_settings.timeoutMs = 3000;
    if (m_settings.asDatabasePaths.isEmpty())
        return;

    // The CSV AS table takes a second or two to parse: never on this (possibly the GUI) thread.
    m_asTableReady = false;
    using Table = std::shared_ptr<const AsDatabase>;
    auto promise = std::make_shared<QPromise<Table>>();
    auto *watcher = new QFutureWatcher<Table>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        if (watcher->future().resultCount() > 0)
            m_asTable = watcher->result();
        watcher->deleteLater();
        m_asTableReady = true;
        if (m_asTable && !m_asTable->isLoaded())
            qCWarning(lcHostInfo).noquote()
                << "no offline AS table:" << m_asTable->loadErrors().join(QStringLiteral("; "));
        const QList<QHostAddress> waiting = std::exchange(m_waitingForTable, {});
        for (const QHostAddress &address : waiting)
            resolveAs(address);
        emit asTableLoaded();
    });
    watcher->setFuture(promise->future());
    const QStringList paths = m_settings.asDatabasePaths;
    QThreadPool::globalInstance()->start([promise, paths] {
        promise->start();
        promise->addResult(std::make_shared<const AsDatabase>(paths));
        promise->finish();
    });
}

HostInfoResolver::~HostInfoResolver()
{
    // Lookups still running must not call back into a half-destroyed resolver.
    const auto lookups = findChildren<QDnsLookup *>(Qt::FindDirectChildrenOnly);
    for (QDnsLookup *lookup : lookups) {
        lookup->disconnect(this);
        delete lookup;
    }
}

bool HostInfoResolver::asTableReady() const
{
    return m_asTableReady;
}

QStringList HostInfoResolver::attributions() const
{
    return m_asTable ? m_asTable->attributions() : QStringList();
}

// a.b.c.d -> "d.c.b.a.<v4Zone>"; IPv6 -> its nibbles reversed, then <v6Zone>.
QString HostInfoResolver::reversedName(const QHostAddress &address, const QString &v4Zone,
                                       const QString &v6Zone)
{
    if (const std::optional<quint32> ip = ipv4Of(address)) {
        const quint32 v4 = *ip;
        return QStringLiteral("%1.%2.%3.%4.")
                   .arg(v4 & 0xff)
                   .arg((v4 >> 8) & 0xff)
                   .arg((v4 >> 16) & 0xff)
                   .arg(v4 >> 24) +
               v4Zone;
    }
    return nibbles(address) + v6Zone;
}

QString HostInfoResolver::reverseDnsName(const QHostAddress &address)
{
    return reversedName(address, QStringLiteral("in-addr.arpa"), QStringLiteral("ip6.arpa"));
}

QString HostInfoResolver::cymruOriginName(const QHostAddress &address)
{
    return reversedName(address, QStringLiteral("origin.asn.cymru.com"),
                        QStringLiteral("origin6.asn.cymru.com"));
}

bool HostInfoResolver::parseCymruOrigin(const QString &text, AsInfo *info)
{
    const QStringList fields = text.split(u'|');
    if (fields.size() < 3)
        return false;
    // Several origins come space-separated ("13335 15169"); the first is as good as any.
    bool ok = false;
    const quint32 number = fields.at(0).trimmed().section(u' ', 0, 0).toUInt(&ok);
    if (!ok || number == 0)
        return false;
    info->number = number;
    info->prefix = fields.at(1).trimmed();
    info->countryCode = fields.at(2).trimmed().toUpper();
    info->registry = fields.value(3).trimmed();
    return true;
}

bool HostInfoResolver::parseCymruAsName(const QString &text, AsInfo *info)
{
    const QStringList fields = text.split(u'|');
    if (fields.size() < 5)
        return false;
    bool ok = false;
    const quint32 number = fields.at(0).trimmed().toUInt(&ok);
    if (!ok || (info->number != 0 && number != info->number))
        return false;
    const QString name = fields.mid(4).join(u'|').trimmed();
    if (name.isEmpty())
        return false;
    info->name = name.left(200);
    return true;
}

void HostInfoResolver::armTimeout(QObject *lookup, std::function<void()> onTimeout)
{
    // Tied to the lookup object: a lookup that finished (and was deleted) cancels its timer.
    QTimer::singleShot(m_settings.timeoutMs, lookup, std::move(onTimeout));
}

// --- reverse DNS ------------------------------------------------------------------------------

void HostInfoResolver::reverseName(const QHostAddress &address, NameCallback done)
{
    if (address.isNull()) {
        done(LookupStatus::Failed, {});
        return;
    }
    const QString key = addressKey(address);
    if (m_names.answer(key, done))
        return;
    if (!m_settings.reverseDns) {
        done(LookupStatus::NotFound, {});
        return;
    }
    if (m_names.join(key, std::move(done)))
        return;

    if (m_settings.dnsServer.isNull()) {
        // The context object owns the timeout, so a finished lookup leaves no timer behind.
        auto *context = new QObject(this);
        const int id = QHostInfo::lookupHost(key, context, [this, key, context](const QHostInfo &info) {
            context->deleteLater();
            const QString name = info.hostName();
            if (info.error() == QHostInfo::NoError && name != key && isPlausibleHostName(name))
                finishName(key, LookupStatus::Resolved, name);
            else if (info.error() == QHostInfo::NoError || info.error() == QHostInfo::HostNotFound)
                finishName(key, LookupStatus::NotFound, {});
            else
                finishName(key, LookupStatus::Failed, {});
        });
        armTimeout(context, [this, key, id, context] {
            QHostInfo::abortHostLookup(id);
            context->deleteLater();
            finishName(key, LookupStatus::TimedOut, {});
        });
        return;
    }

    auto *lookup = new QDnsLookup(QDnsLookup::PTR, reverseDnsName(address), m_settings.dnsServer, this);
    connect(lookup, &QDnsLookup::finished, this, [this, key, lookup] {
        lookup->deleteLater();
        const auto records = lookup->pointerRecords();
        QString name = records.isEmpty() ? QString() : records.first().value();
        while (name.endsWith(u'.'))
            name.chop(1);
        if (lookup->error() != QDnsLookup::NoError)
            finishName(key, failedQueryStatus(lookup, "PTR"), {});
        else if (isPlausibleHostName(name))
            finishName(key, LookupStatus::Resolved, name);
        else
            finishName(key, name.isEmpty() ? LookupStatus::NotFound : LookupStatus::Failed, {});
    });
    armTimeout(lookup, [lookup] { lookup->abort(); });
    lookup->lookup();
}

void HostInfoResolver::finishName(const QString &key, LookupStatus status, const QString &name)
{
    m_names.finish(key, status, name);
}

// --- origin AS ----------------------------------------------------------------------------------

void HostInfoResolver::originAs(const QHostAddress &address, AsCallback done)
{
    if (address.isNull()) {
        done(LookupStatus::Failed, {});
        return;
    }
    const QString key = addressKey(address);
    if (m_as.answer(key, done) || m_as.join(key, std::move(done)))
        return;
    if (!m_asTableReady) {
        m_waitingForTable.append(QHostAddress(key));
        return;
    }
    resolveAs(QHostAddress(key));
}

void HostInfoResolver::resolveAs(const QHostAddress &address)
{
    const QString key = addressKey(address);
    if (m_asTable) {
        const AsInfo info = m_asTable->lookup(address);
        if (info.isValid()) {
            finishAs(key, LookupStatus::Resolved, info);
            return;
        }
    }
    // Private and other non-global addresses have no origin AS worth asking the internet about.
    if (m_settings.cymru && !classifySpecialAddress(address)) {
        queryCymruOrigin(address);
        return;
    }
    finishAs(key, LookupStatus::NotFound, {});
}

QDnsLookup *HostInfoResolver::startTxt(const QString &name)
{
    auto *lookup = m_settings.dnsServer.isNull()
                       ? new QDnsLookup(QDnsLookup::TXT, name, this)
                       : new QDnsLookup(QDnsLookup::TXT, name, m_settings.dnsServer, this);
    armTimeout(lookup, [lookup] { lookup->abort(); });
    return lookup;
}

void HostInfoResolver::queryCymruOrigin(const QHostAddress &address)
{
    const QString key = addressKey(address);
    QDnsLookup *lookup = startTxt(cymruOriginName(address));
    connect(lookup, &QDnsLookup::finished, this, [this, key, lookup] {
        lookup->deleteLater();
        if (lookup->error() != QDnsLookup::NoError) {
            finishAs(key, failedQueryStatus(lookup, "TXT"), {});
            return;
        }
        AsInfo info;
        for (const QString &text : txtTexts(lookup)) {
            if (parseCymruOrigin(text, &info))
                break;
        }
        if (!info.isValid()) {
            finishAs(key, lookup->textRecords().isEmpty() ? LookupStatus::NotFound : LookupStatus::Failed,
                     {});
            return;
        }
        queryCymruName(key, info);
    });
    lookup->lookup();
}

void HostInfoResolver::queryCymruName(const QString &key, AsInfo info)
{
    QDnsLookup *lookup = startTxt(QStringLiteral("AS%1.asn.cymru.com").arg(info.number));
    connect(lookup, &QDnsLookup::finished, this, [this, key, lookup, info]() mutable {
        lookup->deleteLater();
        // The number alone is an answer; the name is a bonus.
        if (lookup->error() == QDnsLookup::NoError) {
            for (const QString &text : txtTexts(lookup)) {
                if (parseCymruAsName(text, &info))
                    break;
            }
        }
        finishAs(key, LookupStatus::Resolved, info);
    });
    lookup->lookup();
}

void HostInfoResolver::finishAs(const QString &key, LookupStatus status, const AsInfo &info)
{
    m_as.finish(key, status, info);
}

} // namespace tracemap
