// Command-line parsing of tracemap-cli: turns arguments into requests, or one clear error.
#pragma once

#include "tracetypes.h"

#include <QString>
#include <QStringList>

namespace tracemap::cli {

enum class Command { Trace, Ping, Help, Version };

struct Options
{
    Command command = Command::Help;
    TraceRequest trace;
    PingRequest ping;
    bool json = false;
    bool report = false;
};

// Exit status for bad usage; 0 is success and 1 a target not reached.
inline constexpr int kExitUsage = 2;

// Returns false with a one-line message in *error on bad usage.
bool parse(const QStringList &arguments, Options *options, QString *error);
QString helpText();

} // namespace tracemap::cli
