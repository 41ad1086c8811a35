#include "datalines.h"

#include <QFile>

namespace tracemap {

QList<DataLine> readDataLines(const QString &path, QStringList *errors)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *errors << QStringLiteral("%1: %2").arg(path, file.errorString());
        return {};
    }
    QList<DataLine> lines;
    int number = 0;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        ++number;
        if (!line.isEmpty() && !line.startsWith(u'#'))
            lines.append({number, line});
    }
    return lines;
}

} // namespace tracemap
