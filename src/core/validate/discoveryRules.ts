// The discovery stage's rules (UDA 1.1 §1.2, §1.3), apart so rules.ts lists them all in one table,
// and what the checks of answers (discovery.ts) and of NOTIFYs (notifies.ts) share.
import { defineRule } from './model';
import type { Finding, Rule } from './model';

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
  notifyForm: rule('discovery/notify', 'error', 'A NOTIFY is sent to HOST 239.255.255.250:1900 with NT and NTS ssdp:alive, ssdp:byebye or ssdp:update (UDA 1.1 §1.2.2, §1.2.3).'),
} as const satisfies Record<string, Rule>;

/** SERVER and USER-AGENT: "OS/version UPnP/1.x product/version". */
export const SERVER_FORM = /^\S+\/\S+ UPnP\/1\.[01] \S+\/\S+/;

/** A datagram's first lines on one line, for evidence. */
export function firstLines(raw: string): string {
  return raw.split(/\r?\n/).filter((l) => l.trim() !== '').slice(0, 10).join(' | ').slice(0, 400);
}

/**
 * The same problem in many datagrams is one finding ("… (and in N more answers)"); `detail`
 * matches the part of a message that names the one datagram (its ST or NT), left out of the key.
 */
export function dedupeFindings(findings: readonly Finding[], noun: string, detail: RegExp): Finding[] {
  const byKey = new Map<string, { f: Finding; n: number }>();
  for (const f of findings) {
    const key = `${f.rule.id}\n${f.message.replace(detail, '')}`;
    const seen = byKey.get(key);
    if (seen) seen.n++;
    else byKey.set(key, { f, n: 1 });
  }
  return [...byKey.values()].map(({ f, n }) => (n === 1 ? f : { ...f, message: `${f.message} (and in ${n - 1} more ${noun}${n > 2 ? 's' : ''})` }));
}
