// Small measurements shared by the desktop app's --bench-report and bench/gui_bench.
#pragma once

#include <QList>
#include <QString>

namespace tracemap {

// Resident set size of this process in kB (0 when /proc is unavailable).
qint64 residentMemoryKb();

// "n=N median=M p95=P max=X" of samples in ms.
QString percentileSummary(QList<double> samples);

} // namespace tracemap
