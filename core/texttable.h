#pragma once
// Fixed-width text tables in mtr's layout, as the report (resultformat.cpp) and the watch table
// (watchformat.cpp) print them: one list of widths serves the heading and every row.
// Contract: each cell is padded to its width as QString::arg pads (a negative width pads on the
// right, so the text is left-aligned), cells are one space apart, a cell without a width is not
// padded, and texts are taken as they are (no %N placeholders are read inside them).

#include <QList>
#include <QString>
#include <QStringList>

namespace tracemap {

QString textRow(const QStringList &cells, const QList<int> &widths);
// The heads of mtr's statistics columns, in its order: Loss% Snt Last Avg Best Wrst StDev.
QStringList mtrStatHeads();

} // namespace tracemap
