#!/usr/bin/env bash
# Runs a command inside a fresh, empty network namespace set up for SSDP.
#
#   scripts/netns.sh [--veth] [--] command [args...]
#
# SSDP is multicast: anything that sends or listens for it (the extension's discovery, simulated
# devices, minidlna, ...) must never touch a real network. The namespace holds only `lo`, with
# multicast enabled and 224.0.0.0/4 routed to it, so M-SEARCH/NOTIFY stay on this loopback.
#
# --veth (or UPNP_NETNS_VETH=1) also creates a veth pair with both ends inside the namespace:
#   upnpv0 10.99.0.1/24  <->  upnpv1 10.99.0.2/24
# for code that only uses non-internal interfaces (node-ssdp skips loopback) and for devices that
# refuse loopback. Multicast route with --veth: 224.0.0.0/4 goes via upnpv0, so senders that do not
# pick an interface (node-ssdp) reach the veth. Loopback discovery still works because the extension,
# the simulated devices and minidlna all set IP_MULTICAST_IF to their interface explicitly (Linux
# then ignores the route table for multicast). UPNP_NETNS_MROUTE=lo keeps the route on lo instead.
#
# Inside, UPNP_NETNS=1 is exported so helpers can tell they are isolated (they still check the
# interface list themselves). As root this uses `unshare -n`; otherwise `unshare -rn` (a user
# namespace mapped to root).
set -euo pipefail

veth="${UPNP_NETNS_VETH:-0}"
while [ $# -gt 0 ]; do
  case "$1" in
    --veth) veth=1; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
if [ $# -eq 0 ]; then
  echo "usage: scripts/netns.sh [--veth] [--] command [args...]" >&2
  exit 2
fi

for tool in unshare ip; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ] && [ ! -x "/sbin/$tool" ]; then
    echo "netns.sh: '$tool' is missing (Debian: apt-get install util-linux iproute2); refusing to run SSDP outside an isolated network namespace" >&2
    exit 127
  fi
done

if [ "$(id -u)" = 0 ]; then flags=-n; else flags=-rn; fi

# shellcheck disable=SC2016 # the inner script is expanded by the inner shell
exec unshare "$flags" env PATH="$PATH:/usr/sbin:/sbin" UPNP_NETNS=1 UPNP_NETNS_VETH="$veth" \
  UPNP_NETNS_MROUTE="${UPNP_NETNS_MROUTE:-}" bash -c '
set -e
ip link set lo up
ip link set lo multicast on
mroute=lo
if [ "$UPNP_NETNS_VETH" = 1 ]; then
  ip link add upnpv0 type veth peer name upnpv1
  ip addr add 10.99.0.1/24 dev upnpv0
  ip addr add 10.99.0.2/24 dev upnpv1
  ip link set upnpv0 up
  ip link set upnpv1 up
  # Both ends live in this one namespace, so a datagram from 10.99.0.1 arriving on upnpv1 has a
  # source address of this host, which Linux drops as a martian unless told to accept it. With it,
  # a search sent on upnpv0 reaches a device listening on upnpv1 only, as across a real link.
  for c in all upnpv0 upnpv1; do
    echo 1 > /proc/sys/net/ipv4/conf/$c/accept_local 2>/dev/null || true
    echo 0 > /proc/sys/net/ipv4/conf/$c/rp_filter 2>/dev/null || true
  done
  mroute=upnpv0
fi
[ -n "$UPNP_NETNS_MROUTE" ] && mroute="$UPNP_NETNS_MROUTE"
ip route add 224.0.0.0/4 dev "$mroute"
exec "$@"
' netns "$@"
