// Linux socket I/O shared by the system transports: socket addresses, options, the
// source address towards a destination, the kernel's ICMP filters, non-blocking reads
// with their kernel receive stamp and IP_RECVERR error-queue origin, and sends that
// survive the error-queue trap (a stale ICMP error reported as the next send's errno).
// Plain functions over file descriptors: no Qt event loop, no probe logic; every
// function returns at once (sockets are non-blocking).
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QString>

#include <sys/socket.h>

namespace tracemap::sys {

qint64 realtimeNs(); // CLOCK_REALTIME, as the kernel stamps packets
QString errnoText(int err);

struct SockAddr
{
    sockaddr_storage storage{};
    socklen_t length = 0;
    const sockaddr *ptr() const { return reinterpret_cast<const sockaddr *>(&storage); }
};

// Link-local IPv6 destinations carry their interface (fe80::1%eth0 or fe80::1%2).
SockAddr toSockAddr(const QHostAddress &address, quint16 port);
QHostAddress fromSockAddr(const sockaddr *sa);
// The port of an AF_INET / AF_INET6 address.
quint16 portOf(const sockaddr_storage &address);

bool isV6(const QHostAddress &a);
bool setInt(int fd, int level, int name, int value);
bool setTtl(int fd, bool v6, int ttl);
bool enableErrorQueue(int fd, bool v6);

// The local address the kernel would use towards `destination` (no packet is sent).
QHostAddress discoverSource(const QHostAddress &destination);

// Lets a raw ICMP socket receive only the errors that quote a probe (and echo replies
// when asked); the kernel drops the rest before they reach us.
void installIcmpFilter(int fd, bool v6, bool echoReplies);

// One message read from a socket, normal or from the error queue.
struct ReceivedMessage
{
    QByteArray data;
    QHostAddress from;         // msg_name: sender (normal) or original destination (errqueue)
    bool hasIcmpError = false; // error-queue message with an ICMP origin
    QHostAddress offender;     // the router that sent the ICMP error
    int icmpType = -1;
    int icmpCode = -1;
    qint64 receivedRealNs = 0; // the kernel's stamp, else the time of the read
};

enum class ReadResult { Message, Empty, Failed };

// Reads one message without blocking. With errorQueue, reads MSG_ERRQUEUE.
ReadResult readOne(int fd, bool errorQueue, ReceivedMessage *out);

// Sends without blocking, retrying while the errno is a stale ICMP error (up to 16 times).
// `to` null: a connected socket. sentRealNs gets the time of the successful attempt.
bool sendWithRetry(int fd, const QByteArray &data, const SockAddr *to, qint64 *sentRealNs, int *lastErrno);

} // namespace tracemap::sys
