#pragma once
// The tab-separated data files that ship with tracemap or that users write (operator rules,
// operator code tables, airport and carrier codes): UTF-8 text, one record a line, blank lines
// and lines starting with '#' are not data. One reader for all of them, so they agree on what a
// comment is and every error names the file (and the parsers the line).

#include <QList>
#include <QString>
#include <QStringList>

namespace tracemap {

struct DataLine
{
    int number = 0; // 1-based, counting every line of the file
    QString text;   // trimmed
};

// The data lines of `path`. A file that cannot be read adds "path: reason" to *errors and
// yields none.
QList<DataLine> readDataLines(const QString &path, QStringList *errors);

} // namespace tracemap
