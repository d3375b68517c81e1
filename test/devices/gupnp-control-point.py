#!/usr/bin/env python3
# A real third-party control point: GUPnP 1.6 through python3-gi (Debian: gir1.2-gupnp-1.6).
# Finds a device by its device type on one interface, reads its description, invokes one action
# of one service, subscribes to that service's events, and reports each step as a JSON line on
# stdout, so the test can follow it (and emit an event once the subscription is there).
#
#   gupnp-control-point.py IFACE|IPV6-ADDRESS DEVICE_TYPE SERVICE_TYPE ACTION NAME=VALUE... -- OUT_NAME... -- EVENTED_VAR
import json
import sys

import gi

gi.require_version('GUPnP', '1.6')
gi.require_version('GSSDP', '1.6')
from gi.repository import Gio, GLib, GObject, GSSDP, GUPnP  # noqa: E402


def say(**fields):
    print(json.dumps(fields), flush=True)


def main():
    iface, device_type, service_type, action_name = sys.argv[1:5]
    rest = sys.argv[5:]
    first = rest.index('--')
    second = rest.index('--', first + 1)
    in_args = [a.split('=', 1) for a in rest[:first]]
    out_names = rest[first + 1:second]
    evented = rest[second + 1]

    if ':' in iface:
        # An IPv6 address: GSSDP searches on FF02::C from a link-local one, on FF0E::C from others.
        context = GUPnP.Context.new_for_address(Gio.InetAddress.new_from_string(iface), 0, GSSDP.UDAVersion.VERSION_1_0)
    else:
        context = GUPnP.Context.new(iface, 0)
    say(step='context', interface=context.get_interface(), host=context.get_host_ip())
    loop = GLib.MainLoop()
    keep = []
    events = []
    seen_device = []

    def maybe_done():
        # Both control points have reported: the device's, and the service's two events.
        if seen_device and len(events) >= 2:
            GLib.timeout_add(100, loop.quit)

    def on_device(_cp, proxy):
        say(step='device', udn=proxy.get_udn(), location=proxy.get_location(), friendlyName=proxy.get_friendly_name(),
            deviceType=proxy.get_device_type())
        if not seen_device:
            seen_device.append(proxy)
            maybe_done()

    def on_service(_cp, proxy):
        say(step='service', udn=proxy.get_udn(), serviceType=proxy.get_service_type(), location=proxy.get_location())
        action = GUPnP.ServiceProxyAction.new_from_list(action_name, [n for n, _ in in_args], [v for _, v in in_args])
        try:
            proxy.call_action(action, None)
            ok, values = action.get_result_list(out_names, [GObject.TYPE_STRING] * len(out_names))
            say(step='action', ok=ok, outputs=dict(zip(out_names, values)))
        except GLib.Error as err:
            say(step='action', ok=False, error=err.message, code=err.code)

        def on_notify(_proxy, variable, value):
            events.append(value)
            say(step='event', variable=variable, value=value)
            maybe_done()

        def on_lost(_proxy, err):
            say(step='subscription-lost', error=getattr(err, 'message', str(err)))

        proxy.add_notify(evented, GObject.TYPE_STRING, on_notify)
        proxy.connect('subscription-lost', on_lost)
        proxy.set_subscribed(True)
        say(step='subscribing')
        keep.append(proxy)

    devices = GUPnP.ControlPoint.new(context, device_type)
    devices.connect('device-proxy-available', on_device)
    devices.set_active(True)
    services = GUPnP.ControlPoint.new(context, service_type)
    services.connect('service-proxy-available', on_service)
    services.set_active(True)
    GLib.timeout_add_seconds(20, loop.quit)
    loop.run()
    say(step='done', events=len(events))


main()
