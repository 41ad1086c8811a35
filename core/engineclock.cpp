#include "engineclock.h"

#include <QTimer>

#include <algorithm>
#include <chrono>
#include <climits>

namespace tracemap {

namespace {

constexpr qint64 kNsPerMs = 1000000;

class TimerAlarm final : public EngineAlarm
{
public:
    TimerAlarm(const EngineClock *clock, std::function<void()> onWake) : m_clock(clock)
    {
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, std::move(onWake));
    }
    void arm(qint64 atNs) override
    {
        // Rounded up: a wakeup a little late finds the deadline passed; an early one would not.
        const qint64 waitNs = std::max<qint64>(0, atNs - m_clock->nowNs());
        m_timer.start(int(std::min<qint64>((waitNs + kNsPerMs - 1) / kNsPerMs, INT_MAX)));
    }
    void disarm() override { m_timer.stop(); }

private:
    const EngineClock *m_clock;
    QTimer m_timer;
};

class SteadyClock final : public EngineClock
{
public:
    qint64 nowNs() const override
    {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }
    std::unique_ptr<EngineAlarm> createAlarm(std::function<void()> onWake) override
    {
        return std::make_unique<TimerAlarm>(this, std::move(onWake));
    }
};

} // namespace

std::shared_ptr<EngineClock> createSteadyClock()
{
    return std::make_shared<SteadyClock>();
}

} // namespace tracemap
