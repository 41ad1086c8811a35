#include "imageexporter.h"

#include "uilogging.h"

#include <QClipboard>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QQuickItem>
#include <QQuickItemGrabResult>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>

namespace tracemap {

ImageExporter::ImageExporter(QObject *parent) : QObject(parent) {}

void ImageExporter::copyText(const QString &text)
{
    QGuiApplication::clipboard()->setText(text);
}

bool ImageExporter::copyItemImage(QQuickItem *item)
{
    if (!item || !item->window())
        return false;
    const QSharedPointer<QQuickItemGrabResult> grab = item->grabToImage();
    if (!grab)
        return false;
    connect(grab.data(), &QQuickItemGrabResult::ready, this, [this, grab] {
        const QImage image = grab->image();
        if (!image.isNull())
            QGuiApplication::clipboard()->setImage(image);
        emit imageCopied(!image.isNull());
    });
    return true;
}

bool ImageExporter::saveItemImage(QQuickItem *item, const QString &path, const QSize &size)
{
    if (!item || !item->window()) {
        emit saved(path, QStringLiteral("Nothing to export."));
        return false;
    }
    const QSharedPointer<QQuickItemGrabResult> grab = item->grabToImage(size.isValid() ? size : QSize());
    if (!grab) {
        emit saved(path, QStringLiteral("The window cannot be rendered."));
        return false;
    }
    connect(grab.data(), &QQuickItemGrabResult::ready, this, [this, grab, path] {
        const QImage image = grab->image();
        QString error;
        if (image.isNull())
            error = QStringLiteral("The window cannot be rendered.");
        else if (!image.save(path, "PNG"))
            error = QStringLiteral("Cannot write %1.").arg(QDir::toNativeSeparators(path));
        if (!error.isEmpty())
            qCWarning(lcUi) << error;
        emit saved(path, error);
    });
    return true;
}

bool ImageExporter::copyImageFile(const QString &path)
{
    const QImage image(path);
    if (image.isNull()) {
        emit imageCopied(false);
        return false;
    }
    QGuiApplication::clipboard()->setImage(image);
    emit imageCopied(true);
    return true;
}

QString ImageExporter::localPngPath(const QUrl &url) const
{
    QString path = url.isLocalFile() ? url.toLocalFile() : url.toString();
    if (!path.isEmpty() && !path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive))
        path += QLatin1String(".png");
    return path;
}

QString ImageExporter::suggestedPath(const QString &host) const
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    if (dir.isEmpty() || !QDir(dir).exists())
        dir = QDir::homePath();
    QString name = host.trimmed();
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    if (name.isEmpty())
        name = QStringLiteral("trace");
    return QDir(dir).filePath(
        QStringLiteral("tracemap-%1-%2.png")
            .arg(name, QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
}

QUrl ImageExporter::folderUrl(const QString &path) const
{
    const QDir dir = QFileInfo(path).absoluteDir();
    return QUrl::fromLocalFile(!path.isEmpty() && dir.exists() ? dir.absolutePath() : QDir::homePath());
}

} // namespace tracemap
