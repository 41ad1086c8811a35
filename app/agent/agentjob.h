// One probe request (ping, trace or mtr watch) shared between the HTTP thread, which owns the
// connection, and the agent service in the Qt main thread, which runs the probe.
// Fields under "shared" are guarded by mutex; the rest belong to one side only.
#pragma once

#include "agentconfig.h"
#include "tracetypes.h"
#include "watchtypes.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>
#include <memory>
#include <mutex>

namespace tracemap::agent {

struct ProbeJob
{
    enum class Kind { Ping, Trace, Mtr };
    enum class Phase {
        Pending,   // resolving / probing, nothing to send yet
        Streaming, // (stream=1) the 200 header may go out; lines are appended to streamData
        Done,      // the answer is complete: status + body, or the end of streamData
    };

    // Set once by the HTTP thread before the job is handed over; read-only afterwards.
    Kind kind = Kind::Ping;
    bool stream = false;
    QString client;
    QString dest; // as the caller wrote it
    PingRequest ping;
    TraceRequest trace;
    WatchRequest watch;                   // Kind::Mtr
    std::shared_ptr<const Config> config; // the configuration when the request arrived

    // shared
    std::mutex mutex;
    Phase phase = Phase::Pending;
    int status = 0;
    QByteArray body;        // the whole answer when not streaming
    QByteArray streamData;  // every line streamed so far (kept whole: MHD asks by offset)
    bool suspended = false; // the HTTP side parked the connection and waits for resume()
    bool abandoned = false; // the connection is gone; nothing will read the answer
    // Resumes the parked connection; called with mutex held, only when suspended.
    std::function<void()> resume;

    // Appends a line / finishes, waking the HTTP side if it is parked.
    void publish(const std::function<void()> &change)
    {
        std::lock_guard lock(mutex);
        change();
        if (suspended) {
            suspended = false;
            resume();
        }
    }
};

using ProbeJobPtr = std::shared_ptr<ProbeJob>;

} // namespace tracemap::agent
