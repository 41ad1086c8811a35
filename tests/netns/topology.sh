#!/usr/bin/env bash
# Network-namespace test topology for tracemap's integration tests and benchmark.
#
# Usable two ways:
#   * as a library:  source tests/netns/topology.sh; tm_up "tm$$-"; ...; tm_down "tm$$-"
#   * as a command:  tests/netns/topology.sh up PREFIX [--ping-group open|closed] [--silent]
#                    tests/netns/topology.sh down PREFIX
#                    tests/netns/topology.sh silent PREFIX on|off [ROUTER]
#                    tests/netns/topology.sh ping-group PREFIX open|closed|"LOW HIGH"
#                    tests/netns/topology.sh paths        (expected hop list of every target)
#                    tests/netns/topology.sh exec PREFIX NODE CMD...
#                    tests/netns/topology.sh list PREFIX  (namespaces that exist for PREFIX)
#
# Everything lives in namespaces named PREFIX<node>; nothing is created in, or routed to,
# the root namespace, so no probe can leave the topology. Use a per-run PREFIX (e.g. "tm$$-")
# so parallel runs never collide.
#
#   src --l0-- r1 --l1-- r2 --l2-- r3 --l3-- r4 --l4-- r5 --l5-- r6 --l10-- dst
#                                                                 +--l11-- filt
#                                                                 +--l12-- icmponly
#
# Link k (0..5) joins the upstream node (src or r<k>) and r<k+1>:
#   r<k+1> side 198.18.k.1/24  fd00:7e57:k::1/64     (this is what hop k+1 answers from)
#   upstream    198.18.k.2/24  fd00:7e57:k::2/64     (src is 198.18.0.2 / fd00:7e57::2)
# Link 10/11/12 joins r6 (198.18.N.2, fd00:7e57:N::2) and dst/filt/icmponly (198.18.N.1,
# fd00:7e57:N::1).  Extra (loopback) addresses:
#   r<n>:      198.19.0.n/32             fd00:7e57:ff::n/128
#   dst:       198.19.10.1-8/32          fd00:7e57:ff10::1-8/128
#   filt:      198.19.11.1/32            fd00:7e57:ff11::1/128
#   icmponly:  198.19.12.1/32            fd00:7e57:ff12::1/128
# dst answers everything (no listener: UDP -> port unreachable, TCP -> RST, ICMP -> echo
# reply); filt drops all input (v6 still answers neighbour discovery, as v4 still answers
# ARP); icmponly answers ICMP echo and drops UDP and TCP. r3 (by default) can be made silent:
# it then never sends time-exceeded (v4 and v6).

TM_ROUTERS=6
TM_DESTS=(dst filt icmponly)
declare -A TM_DEST_NET=([dst]=10 [filt]=11 [icmponly]=12)
declare -A TM_DEST_LO_COUNT=([dst]=8 [filt]=1 [icmponly]=1)
TM_SILENT_ROUTER=r3
TM_TOPOLOGY_SH="${BASH_SOURCE[0]}"
TM_NETNS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

tm_nodes() { echo src; local n; for ((n = 1; n <= TM_ROUTERS; n++)); do echo "r$n"; done; printf '%s\n' "${TM_DESTS[@]}"; }
tm_ns() { echo "$1$2"; }                       # tm_ns PREFIX NODE
tm_x() { local p=$1 n=$2; shift 2; ip netns exec "$p$n" "$@"; }   # tm_x PREFIX NODE CMD...

tm_log() { [[ -n ${TM_QUIET:-} ]] || echo "topology: $*" >&2; }
tm_die() { echo "topology: error: $*" >&2; return 1; }

# Namespaces that currently exist for PREFIX.
tm_list() {
    local p=$1 name _
    [[ -n $p ]] || { tm_die "empty prefix"; return 1; }
    ip netns list 2>/dev/null | while read -r name _; do
        [[ $name == "$p"* ]] && echo "$name"
    done
}

# iptables flavour that works inside a namespace here (nft or legacy). Sets TM_IPT/TM_IP6T.
tm_detect_iptables() {
    local ns=$1 v4 v6
    for v4 in iptables iptables-nft iptables-legacy; do
        command -v "$v4" >/dev/null || continue
        v6=${v4/iptables/ip6tables}
        command -v "$v6" >/dev/null || continue
        if ip netns exec "$ns" "$v4" -w -A OUTPUT -p icmp --icmp-type time-exceeded -j DROP 2>/dev/null &&
           ip netns exec "$ns" "$v4" -w -D OUTPUT -p icmp --icmp-type time-exceeded -j DROP 2>/dev/null &&
           ip netns exec "$ns" "$v6" -w -A OUTPUT -p icmpv6 --icmpv6-type time-exceeded -j DROP 2>/dev/null &&
           ip netns exec "$ns" "$v6" -w -D OUTPUT -p icmpv6 --icmpv6-type time-exceeded -j DROP 2>/dev/null; then
            TM_IPT=$v4 TM_IP6T=$v6
            return 0
        fi
    done
    tm_die "no working iptables/ip6tables inside a network namespace"
}

tm_sysctls() {   # tm_sysctls NS ROLE  (before any link is created, so defaults apply to veths)
    local ns=$1 role=$2
    ip netns exec "$ns" sysctl -qw \
        net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
        net.ipv6.conf.all.dad_transmits=0 net.ipv6.conf.default.dad_transmits=0 \
        net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
        net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
        net.ipv4.icmp_msgs_per_sec=100000 net.ipv4.icmp_msgs_burst=100000 \
        net.ipv4.icmp_echo_ignore_all=0 >/dev/null || return 1
    if [[ $role == router ]]; then
        ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null || return 1
    else
        ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 >/dev/null || return 1
    fi
}

# tm_link PREFIX NODE_A IF_A NODE_B IF_B : veth created directly inside the namespaces.
tm_link() {
    local p=$1
    ip -n "$p$2" link add "$3" type veth peer name "$5" netns "$p$4" || return 1
    ip -n "$p$2" link set "$3" up && ip -n "$p$4" link set "$5" up
}
tm_addr() {      # tm_addr PREFIX NODE IF V4/len V6/len
    local p=$1
    ip -n "$p$2" addr add "$4" dev "$3" || return 1
    ip -n "$p$2" -6 addr add "$5" dev "$3" nodad
}
tm_route4() { local p=$1 n=$2; shift 2; ip -n "$p$n" route add "$@"; }
tm_route6() { local p=$1 n=$2; shift 2; ip -n "$p$n" -6 route add "$@"; }

# Expected hop list of every target, one line per target:
#   FAMILY TARGET NODE HOP1 HOP2 ... HOPn     (HOPn is the address the target answers from)
# For the normal topology (no silent router). filt targets never answer at the last hop,
# icmponly targets answer at the last hop only to ICMP; the line still lists the address.
tm_paths() {
    local n m d i hops4=() hops6=()
    for ((n = 1; n <= TM_ROUTERS; n++)); do
        local up4="198.18.$((n - 1)).1" up6="fd00:7e57:$((n - 1))::1"
        [[ $n == 1 ]] && up6="fd00:7e57::1"
        echo "4 $up4 r$n ${hops4[*]} $up4"
        echo "6 $up6 r$n ${hops6[*]} $up6"
        echo "4 198.19.0.$n r$n ${hops4[*]} 198.19.0.$n"
        echo "6 fd00:7e57:ff::$n r$n ${hops6[*]} fd00:7e57:ff::$n"
        if ((n < TM_ROUTERS)); then
            echo "4 198.18.$n.2 r$n ${hops4[*]} 198.18.$n.2"
            echo "6 fd00:7e57:$n::2 r$n ${hops6[*]} fd00:7e57:$n::2"
        else
            for d in "${TM_DESTS[@]}"; do
                m=${TM_DEST_NET[$d]}
                echo "4 198.18.$m.2 r$n ${hops4[*]} 198.18.$m.2"
                echo "6 fd00:7e57:$m::2 r$n ${hops6[*]} fd00:7e57:$m::2"
            done
        fi
        hops4+=("$up4") hops6+=("$up6")
    done
    for d in "${TM_DESTS[@]}"; do
        m=${TM_DEST_NET[$d]}
        echo "4 198.18.$m.1 $d ${hops4[*]} 198.18.$m.1"
        echo "6 fd00:7e57:$m::1 $d ${hops6[*]} fd00:7e57:$m::1"
        for ((i = 1; i <= TM_DEST_LO_COUNT[$d]; i++)); do
            echo "4 198.19.$m.$i $d ${hops4[*]} 198.19.$m.$i"
            echo "6 fd00:7e57:ff$m::$i $d ${hops6[*]} fd00:7e57:ff$m::$i"
        done
    done
}

# tm_silent PREFIX on|off [ROUTER]: ROUTER stops (starts again) sending time-exceeded.
tm_silent() {
    local p=$1 mode=$2 r=${3:-$TM_SILENT_ROUTER} ns
    ns="$p$r"
    [[ -n ${TM_IPT:-} ]] || tm_detect_iptables "$ns" || return 1
    local r4=(OUTPUT -p icmp --icmp-type time-exceeded -j DROP)
    local r6=(OUTPUT -p icmpv6 --icmpv6-type time-exceeded -j DROP)
    case $mode in
    on)
        ip netns exec "$ns" "$TM_IPT" -w -C "${r4[@]}" 2>/dev/null || ip netns exec "$ns" "$TM_IPT" -w -A "${r4[@]}" || return 1
        ip netns exec "$ns" "$TM_IP6T" -w -C "${r6[@]}" 2>/dev/null || ip netns exec "$ns" "$TM_IP6T" -w -A "${r6[@]}" || return 1
        ;;
    off)
        while ip netns exec "$ns" "$TM_IPT" -w -C "${r4[@]}" 2>/dev/null; do ip netns exec "$ns" "$TM_IPT" -w -D "${r4[@]}" || return 1; done
        while ip netns exec "$ns" "$TM_IP6T" -w -C "${r6[@]}" 2>/dev/null; do ip netns exec "$ns" "$TM_IP6T" -w -D "${r6[@]}" || return 1; done
        ;;
    *) tm_die "tm_silent: mode must be on or off"; return 1 ;;
    esac
}

# tm_ping_group PREFIX open|closed|"LOW HIGH": net.ipv4.ping_group_range in src
# (governs unprivileged ICMP datagram sockets, v4 and v6). "closed" is the kernel default "1 0".
tm_ping_group() {
    local p=$1 range=$2
    case $range in
    open) range="0 2147483647" ;;
    closed) range="1 0" ;;
    esac
    ip netns exec "${p}src" sysctl -qw net.ipv4.ping_group_range="$range" >/dev/null
}

# Ping once along every path (v4 and v6) so ARP / neighbour discovery never eats a probe.
# Uses nsping.py (raw ICMP echo, stdlib python) rather than depending on iputils-ping.
tm_nsping() { local ns=$1; shift; ip netns exec "$ns" "${TM_PYTHON:-python3}" "$TM_NETNS_DIR/nsping.py" "$@"; }
tm_warmup() {
    local p=$1 target node rest targets=() rc=0 m
    while read -r _ target node rest; do
        [[ $node == filt ]] && continue   # never answers; r6 resolves it below
        [[ $node == icmponly ]] && continue
        targets+=("$target")
    done < <(tm_paths)
    m=${TM_DEST_NET[icmponly]}
    targets+=("198.18.$m.1" "fd00:7e57:$m::1")
    tm_nsping "${p}src" -t 3 "${targets[@]}" || rc=1
    # r6 resolves filt's link-layer address (ARP and ND are not filtered there)
    m=${TM_DEST_NET[filt]}
    tm_nsping "${p}r$TM_ROUTERS" -q -t 0.5 "198.18.$m.1" "fd00:7e57:$m::1"
    ip -n "${p}r$TM_ROUTERS" -4 neigh show "198.18.$m.1" | grep -q lladdr || { tm_log "r6 did not resolve filt (v4)"; rc=1; }
    ip -n "${p}r$TM_ROUTERS" -6 neigh show "fd00:7e57:$m::1" | grep -q lladdr || { tm_log "r6 did not resolve filt (v6)"; rc=1; }
    ((rc == 0)) || tm_die "warm-up pings failed (topology broken?)"
}

# tm_up PREFIX : build the whole topology. On failure it tears down what it built.
#   env TM_PING_GROUP=open|closed|"LOW HIGH" (default closed), TM_SILENT=1 to start with r3 silent,
#   TM_OWNER_PID=PID to start a watchdog that removes the namespaces once PID is gone
#   (covers a SIGKILL of the owner, e.g. by a ctest timeout).
tm_up() {
    local p=$1
    [[ -n $p ]] || { tm_die "tm_up: empty prefix"; return 1; }
    [[ $(id -u) == 0 ]] || { tm_die "tm_up: needs root"; return 1; }
    if [[ -n $(tm_list "$p") ]]; then tm_die "namespaces with prefix '$p' already exist"; return 1; fi
    if ! _tm_build "$p"; then
        tm_die "building the topology failed; removing it"
        tm_down "$p"
        return 1
    fi
    if [[ -n ${TM_OWNER_PID:-} ]]; then tm_watchdog "$p" "$TM_OWNER_PID"; fi
    tm_log "up: prefix '$p' ($(tm_list "$p" | wc -l) namespaces, iptables=$TM_IPT)"
}

_tm_build() {
    local p=$1 node n d m i
    for node in $(tm_nodes); do
        ip netns add "$p$node" || return 1
        if [[ $node == r* ]]; then tm_sysctls "$p$node" router || return 1
        else tm_sysctls "$p$node" host || return 1; fi
        ip -n "$p$node" link set lo up || return 1
    done
    tm_detect_iptables "${p}src" || return 1

    # the chain
    local prev=src prev_if=eth0
    for ((n = 1; n <= TM_ROUTERS; n++)); do
        local k=$((n - 1))
        tm_link "$p" "$prev" "$prev_if" "r$n" up0 || return 1
        tm_addr "$p" "$prev" "$prev_if" "198.18.$k.2/24" "fd00:7e57:$k::2/64" || return 1
        tm_addr "$p" "r$n" up0 "198.18.$k.1/24" "fd00:7e57:$k::1/64" || return 1
        ip -n "${p}r$n" addr add "198.19.0.$n/32" dev lo || return 1
        ip -n "${p}r$n" -6 addr add "fd00:7e57:ff::$n/128" dev lo nodad || return 1
        prev="r$n" prev_if=dn0
    done
    # destinations behind r6
    for d in "${TM_DESTS[@]}"; do
        m=${TM_DEST_NET[$d]}
        tm_link "$p" "r$TM_ROUTERS" "$d" "$d" eth0 || return 1
        tm_addr "$p" "r$TM_ROUTERS" "$d" "198.18.$m.2/24" "fd00:7e57:$m::2/64" || return 1
        tm_addr "$p" "$d" eth0 "198.18.$m.1/24" "fd00:7e57:$m::1/64" || return 1
        for ((i = 1; i <= TM_DEST_LO_COUNT[$d]; i++)); do
            ip -n "$p$d" addr add "198.19.$m.$i/32" dev lo || return 1
            ip -n "$p$d" -6 addr add "fd00:7e57:ff$m::$i/128" dev lo nodad || return 1
        done
        tm_route4 "$p" "$d" 198.18.0.0/15 via "198.18.$m.2" || return 1
        tm_route6 "$p" "$d" fd00:7e57::/32 via "fd00:7e57:$m::2" || return 1
    done

    # routes: src -> everything via r1
    tm_route4 "$p" src 198.18.0.0/15 via 198.18.0.1 || return 1
    tm_route6 "$p" src fd00:7e57::/32 via fd00:7e57::1 || return 1
    for ((n = 1; n <= TM_ROUTERS; n++)); do
        local k=$((n - 1)) j
        # upstream: the whole test range, less specific than everything downstream
        if ((n > 1)); then
            tm_route4 "$p" "r$n" 198.18.0.0/15 via "198.18.$k.2" || return 1
            tm_route6 "$p" "r$n" fd00:7e57::/32 via "fd00:7e57:$k::2" || return 1
        fi
        ((n < TM_ROUTERS)) || continue
        local nh4="198.18.$n.1" nh6="fd00:7e57:$n::1"
        for ((j = n + 1; j < TM_ROUTERS; j++)); do
            tm_route4 "$p" "r$n" "198.18.$j.0/24" via "$nh4" || return 1
            tm_route6 "$p" "r$n" "fd00:7e57:$j::/64" via "$nh6" || return 1
        done
        for ((j = n + 1; j <= TM_ROUTERS; j++)); do
            tm_route4 "$p" "r$n" "198.19.0.$j/32" via "$nh4" || return 1
            tm_route6 "$p" "r$n" "fd00:7e57:ff::$j/128" via "$nh6" || return 1
        done
        for d in "${TM_DESTS[@]}"; do
            m=${TM_DEST_NET[$d]}
            tm_route4 "$p" "r$n" "198.18.$m.0/24" via "$nh4" || return 1
            tm_route4 "$p" "r$n" "198.19.$m.0/24" via "$nh4" || return 1
            tm_route6 "$p" "r$n" "fd00:7e57:$m::/64" via "$nh6" || return 1
            tm_route6 "$p" "r$n" "fd00:7e57:ff$m::/64" via "$nh6" || return 1
        done
    done
    for d in "${TM_DESTS[@]}"; do
        m=${TM_DEST_NET[$d]}
        tm_route4 "$p" "r$TM_ROUTERS" "198.19.$m.0/24" via "198.18.$m.1" || return 1
        tm_route6 "$p" "r$TM_ROUTERS" "fd00:7e57:ff$m::/64" via "fd00:7e57:$m::1" || return 1
    done

    # filtering
    local ipt=$TM_IPT ip6t=$TM_IP6T
    tm_x "$p" filt "$ip6t" -w -A INPUT -p icmpv6 --icmpv6-type neighbour-solicitation -j ACCEPT || return 1
    tm_x "$p" filt "$ip6t" -w -A INPUT -p icmpv6 --icmpv6-type neighbour-advertisement -j ACCEPT || return 1
    tm_x "$p" filt "$ipt" -w -A INPUT -j DROP || return 1
    tm_x "$p" filt "$ip6t" -w -A INPUT -j DROP || return 1
    for proto in udp tcp; do
        tm_x "$p" icmponly "$ipt" -w -A INPUT -p "$proto" -j DROP || return 1
        tm_x "$p" icmponly "$ip6t" -w -A INPUT -p "$proto" -j DROP || return 1
    done

    # Names, resolved from files only: ip netns exec bind-mounts /etc/netns/<ns>/* over /etc,
    # so inside src "dst.tm.test" etc. resolve, and any DNS query goes to loopback (nothing
    # listens there: unknown names fail at once and nothing leaves the namespace).
    mkdir -p "/etc/netns/${p}src" || return 1
    {
        echo "127.0.0.1 localhost"
        echo "::1 localhost"
        local n d
        for ((n = 1; n <= TM_ROUTERS; n++)); do
            echo "198.18.$((n - 1)).1 r$n.tm.test"
            echo "fd00:7e57:$((n - 1))::1 r$n.tm.test"
        done
        for d in "${TM_DESTS[@]}"; do
            echo "198.18.${TM_DEST_NET[$d]}.1 $d.tm.test"
            echo "fd00:7e57:${TM_DEST_NET[$d]}::1 $d.tm.test"
        done
        echo "198.18.10.1 v4only.tm.test"
        echo "fd00:7e57:10::1 v6only.tm.test"
    } >"/etc/netns/${p}src/hosts" || return 1
    printf 'nameserver 127.0.0.1\nnameserver ::1\noptions timeout:1 attempts:1\n' >"/etc/netns/${p}src/resolv.conf" || return 1

    tm_ping_group "$p" "${TM_PING_GROUP:-closed}" || return 1
    [[ -n ${TM_NO_WARMUP:-} ]] || tm_warmup "$p" || return 1
    if [[ -n ${TM_SILENT:-} ]]; then tm_silent "$p" on || return 1; fi
}

# tm_down PREFIX : kill whatever still runs inside the namespaces, delete them. Idempotent.
tm_down() {
    local p=$1 ns pid left
    [[ -n $p ]] || { tm_die "tm_down: empty prefix"; return 1; }
    for ns in $(tm_list "$p"); do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    done
    for ns in $(tm_list "$p"); do ip netns del "$ns" 2>/dev/null; done
    left=$(tm_list "$p")
    if [[ -n $left ]]; then
        sleep 0.5
        for ns in $left; do ip netns del "$ns" 2>/dev/null; done
        left=$(tm_list "$p")
    fi
    [[ -z $left ]] || { tm_die "could not delete: $left"; return 1; }
    [[ -d "/etc/netns/${p}src" ]] && rm -rf -- "/etc/netns/${p}src"
    rmdir /etc/netns 2>/dev/null || true
    tm_log "down: prefix '$p'"
}

# tm_watchdog PREFIX PID : detached process (own session, re-parented, so a kill of the
# owner's process tree does not reach it) that runs tm_down PREFIX once PID has exited.
tm_watchdog() {
    local p=$1 owner=$2 self
    self=$(readlink -f "$TM_TOPOLOGY_SH")
    setsid -f bash "$self" __watch "$p" "$owner" </dev/null >/dev/null 2>&1
}

tm_main() {
    local cmd=${1:-}
    shift || true
    case $cmd in
    up)
        local p=${1:?usage: up PREFIX [--ping-group open|closed] [--silent]}
        shift
        while (($#)); do
            case $1 in
            --ping-group) TM_PING_GROUP=$2; shift 2 ;;
            --silent) TM_SILENT=1; shift ;;
            *) tm_die "unknown option $1"; return 2 ;;
            esac
        done
        tm_up "$p"
        ;;
    down) tm_down "${1:?usage: down PREFIX}" ;;
    silent) tm_silent "${1:?PREFIX}" "${2:?on|off}" "${3:-}" ;;
    ping-group) tm_ping_group "${1:?PREFIX}" "${2:?open|closed|'LOW HIGH'}" ;;
    paths) tm_paths ;;
    list) tm_list "${1:?PREFIX}" ;;
    exec) local p=${1:?PREFIX} n=${2:?NODE}; shift 2; tm_x "$p" "$n" "$@" ;;
    __watch)
        local p=$1 owner=$2
        while kill -0 "$owner" 2>/dev/null; do sleep 0.5; done
        TM_QUIET=1 tm_down "$p"
        ;;
    *)
        sed -n '2,14p' "$TM_TOPOLOGY_SH" | sed 's/^# \{0,1\}//'
        [[ $cmd == -h || $cmd == --help ]] && return 0
        return 2
        ;;
    esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -u
    tm_main "$@"
    exit $?
fi
