// Small measurements for bench/gui_bench (benchmark-only: not in the shipped app).
#pragma once

#include <QList>
#include <QString>

namespace tracemap {

// residentMemoryKb() is ui/scriptedrun.h's (the --repeat soak line prints it too).

// "n=N median=M p95=P max=X" of samples in ms.
QString percentileSummary(QList<double> samples);

} // namespace tracemap
