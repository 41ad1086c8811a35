// Runs a program to its end with a deadline and keeps its exit status and output: what the
// tests of the command-line tools share. A program that overruns the deadline is killed
// and reported with exitCode -1; one that crashed with -2.
#pragma once

#include <QProcess>
#include <QStringList>

namespace tracemap::test {

struct ProcessRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

inline ProcessRun runProcess(const QString &program, const QStringList &args, int timeoutMs,
                             const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    ProcessRun r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

} // namespace tracemap::test
