// The probe engine's only source of time and of wakeups. Probe jobs read the monotonic
// time and arm alarms through an EngineClock, never through QTimer or std::chrono
// directly, so engine tests can run a whole trace on a fake clock that they step
// (tests/unit/fakeclock.h) and assert exact times instead of wall-clock speed.
//
// Contract: times are monotonic nanoseconds with an arbitrary origin. An alarm calls its
// callback once per arm(), from the event loop of the thread it was created in, at or
// after the armed time (never before); arm() again replaces the previous time, disarm()
// and destruction cancel. The clock must outlive its alarms.
#pragma once

#include <QtGlobal>

#include <functional>
#include <memory>

namespace tracemap {

class EngineAlarm
{
public:
    virtual ~EngineAlarm() = default;
    virtual void arm(qint64 atNs) = 0;
    virtual void disarm() = 0;
};

class EngineClock
{
public:
    virtual ~EngineClock() = default;
    virtual qint64 nowNs() const = 0;
    virtual std::unique_ptr<EngineAlarm> createAlarm(std::function<void()> onWake) = 0;
};

// std::chrono::steady_clock with Qt precise timers (rounded up to whole milliseconds).
std::shared_ptr<EngineClock> createSteadyClock();

} // namespace tracemap
