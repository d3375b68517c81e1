// The discovery stage's rules (UDA 1.1 §1.3), apart so rules.ts lists them all in one table.
import { defineRule } from './model';
import type { Rule } from './model';

const rule = (id: string, severity: Rule['severity'], spec: string): Rule => defineRule(id, 'discovery', severity, spec);

export const RULES_DISCOVERY = {
  answered: rule('discovery/answered', 'error', 'A device answers M-SEARCH for ssdp:all, upnp:rootdevice, its UUID, and each of its device and service types, with 200 OK (UDA 1.1 §1.3.3).'),
  notifySet: rule('discovery/notify-set', 'error', 'The answers to ssdp:all, like the NOTIFY set, are 3 + 2d + k messages: upnp:rootdevice, the UUID and type of each of the d + 1 devices, and each of the k service types per device (UDA 1.1 §1.2.2, §1.3.3).'),
  stEcho: rule('discovery/st-echo', 'error', 'An answer\'s ST is the search target asked for (UDA 1.1 §1.3.3).'),
  usnForm: rule('discovery/usn', 'error', 'USN is uuid:<device-UUID> for a UUID, uuid:<device-UUID>::upnp:rootdevice and uuid:<device-UUID>::<type> otherwise (UDA 1.1 §1.1.4).'),
  cacheControl: rule('discovery/cache-control', 'error', 'Every answer has CACHE-CONTROL: max-age=<seconds>, at least 1800 (UDA 1.1 §1.2.2, §1.3.3).'),
  location: rule('discovery/location', 'error', 'Every answer has LOCATION, the URL of the root device description (UDA 1.1 §1.3.3).'),
  ext: rule('discovery/ext', 'error', 'Every answer has the EXT header, empty (UDA 1.1 §1.3.3).'),
  serverForm: rule('discovery/server', 'warning', 'SERVER is "OS/version UPnP/1.1 product/version" (UDA 1.1 §1.3.3).'),
  uda11Headers: rule('discovery/bootid-configid', 'error', 'A UDA 1.1 device sends BOOTID.UPNP.ORG and CONFIGID.UPNP.ORG in every answer (UDA 1.1 §1.3.3).'),
  mxWindow: rule('discovery/mx', 'warning', 'Answers come within MX seconds of the search (UDA 1.1 §1.3.3).'),
  unicast: rule('discovery/unicast', 'error', 'A UDA 1.1 device answers a unicast M-SEARCH to its port 1900 (UDA 1.1 §1.3.2).'),
} as const satisfies Record<string, Rule>;
