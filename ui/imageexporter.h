// Clipboard and image-file helpers for the window: copy the hop table as text, copy or
// save a rendering of any item (used when the map item's own exporter is not at hand).
#pragma once

#include <QObject>
#include <QSize>
#include <QtQml/qqmlregistration.h>

#include <QQuickItem>

namespace tracemap {

class ImageExporter : public QObject
{
    Q_OBJECT
    QML_ELEMENT
public:
    explicit ImageExporter(QObject *parent = nullptr);

    Q_INVOKABLE void copyText(const QString &text);
    // Grabs the item as rendered now and puts it on the clipboard; emits imageCopied.
    Q_INVOKABLE bool copyItemImage(QQuickItem *item);
    // Grabs the item (scaled to size when valid) and writes a PNG; emits saved.
    Q_INVOKABLE bool saveItemImage(QQuickItem *item, const QString &path, const QSize &size = {});
    // Copies a PNG file's image to the clipboard (the map renders straight to files).
    Q_INVOKABLE bool copyImageFile(const QString &path);
    // A local path from a file dialog's URL (file:///x.png -> /x.png); ".png" appended.
    Q_INVOKABLE QString localPngPath(const QUrl &url) const;
    // A default file name in the user's pictures folder, or the home folder when that does not
    // exist (a fresh system may have no ~/Pictures).
    Q_INVOKABLE QString suggestedPath(const QString &host) const;
    // The folder of a path as a URL (for a file dialog's start), the home folder when missing.
    Q_INVOKABLE QUrl folderUrl(const QString &path) const;

signals:
    void imageCopied(bool ok);
    void saved(const QString &path, const QString &error);
};

} // namespace tracemap
