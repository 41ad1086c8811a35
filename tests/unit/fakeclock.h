// A stepped clock for engine tests: time stands still until the test moves it, and alarms
// (and the simulated network's replies) fire exactly at their times, in time order, on the
// test's thread. With it a whole trace runs in no wall-clock time and its outcome, down to
// the nanosecond it finishes, is the same on every run and every machine.
#pragma once

#include "engineclock.h"

#include <QCoreApplication>
#include <QMutex>

#include <functional>
#include <map>
#include <memory>
#include <utility>

namespace tracemap::test {

class FakeClock final : public EngineClock
{
public:
    static constexpr qint64 kMs = 1000000;

    qint64 nowNs() const override
    {
        QMutexLocker lock(&m_mutex);
        return m_now;
    }

    std::unique_ptr<EngineAlarm> createAlarm(std::function<void()> onWake) override
    {
        return std::make_unique<Alarm>(this, std::move(onWake));
    }

    // Calls `fn` once when the clock reaches `atNs`; returns a key for cancel().
    quint64 callAt(qint64 atNs, std::function<void()> fn)
    {
        QMutexLocker lock(&m_mutex);
        const quint64 key = ++m_lastKey;
        m_due.emplace(std::make_pair(atNs, key), std::move(fn));
        return key;
    }
    void cancel(quint64 key)
    {
        QMutexLocker lock(&m_mutex);
        std::erase_if(m_due, [key](const auto &entry) { return entry.first.second == key; });
    }

    int pending() const
    {
        QMutexLocker lock(&m_mutex);
        return int(m_due.size());
    }

    // Moves to `atNs`, firing everything due on the way, each at its own time.
    void advanceTo(qint64 atNs)
    {
        while (step(atNs)) {
        }
        QMutexLocker lock(&m_mutex);
        m_now = std::max(m_now, atNs);
    }

    // Runs the event loop and the clock until `done()` or `limitNs`: posted events first,
    // then the clock jumps to the next due callback. Returns done().
    template<typename Done> bool runUntil(Done done, qint64 limitNs)
    {
        for (;;) {
            QCoreApplication::processEvents();
            if (done())
                return true;
            if (!step(limitNs))
                return done();
        }
    }

    // Fires the earliest callback due at or before `limitNs`, moving the time to it; false
    // if there is none. Call it in the thread the alarms belong to.
    bool step(qint64 limitNs)
    {
        std::function<void()> fn;
        {
            QMutexLocker lock(&m_mutex);
            if (m_due.empty() || m_due.begin()->first.first > limitNs)
                return false;
            auto first = m_due.begin();
            m_now = std::max(m_now, first->first.first);
            fn = std::move(first->second);
            m_due.erase(first);
        }
        fn();
        return true;
    }

private:
    class Alarm final : public EngineAlarm
    {
    public:
        Alarm(FakeClock *clock, std::function<void()> onWake) : m_clock(clock), m_onWake(std::move(onWake)) {}
        ~Alarm() override { disarm(); }
        void arm(qint64 atNs) override
        {
            disarm();
            m_key = m_clock->callAt(atNs, [this] {
                m_key = 0;
                m_onWake();
            });
        }
        void disarm() override
        {
            if (m_key)
                m_clock->cancel(std::exchange(m_key, 0));
        }

    private:
        FakeClock *m_clock;
        std::function<void()> m_onWake;
        quint64 m_key = 0;
    };

    mutable QMutex m_mutex;
    qint64 m_now = 0;
    quint64 m_lastKey = 0;
    std::map<std::pair<qint64, quint64>, std::function<void()>> m_due; // (time, order) -> callback
};

} // namespace tracemap::test
