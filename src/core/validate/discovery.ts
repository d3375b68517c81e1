// The discovery stage of Validate Device: M-SEARCH for ssdp:all, upnp:rootdevice, the device's
// UUID and each of its device and service types, from one interface, and the answers checked as
// UDA 1.1 §1.3 says — every target answered, ST echoed, the USN forms, CACHE-CONTROL, LOCATION,
// EXT, SERVER, BOOTID/CONFIGID for 1.1, within MX — and, for UDA 1.1, a unicast M-SEARCH.
// The ssdp:all answers are also the device's NOTIFY set (3 + 2d + k), which is checked whole.
import * as dgram from 'node:dgram';
import { SSDP_IPV4_GROUP, SSDP_PORT, parseSsdpMessage } from '../ssdp/message';
import type { DeviceDescription, RootDescription } from '../description/model';
import { finding } from './model';
import type { Finding } from './model';
import { RULES_DISCOVERY, SERVER_FORM, dedupeFindings, firstLines } from './discoveryRules';

export interface DiscoveryProbeOptions {
  /** Our address on the interface the device is on (IPv4). */
  readonly interfaceAddress: string;
  /** MX of the searches (default 2). */
  readonly mx?: number;
  /** Tests only: the SSDP port. */
  readonly port?: number;
}

interface Answer {
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number;
  readonly afterMs: number;
  readonly raw: string;
}

/** The targets a root device must answer, with the USN each answer must carry. */
export function expectedTargets(root: DeviceDescription): Map<string, string> {
  const out = new Map<string, string>([['upnp:rootdevice', `${root.udn}::upnp:rootdevice`]]);
  const walk = (d: DeviceDescription): void => {
    out.set(d.udn, d.udn);
    if (d.deviceType) out.set(d.deviceType, `${d.udn}::${d.deviceType}`);
    for (const s of d.services) if (s.serviceType && !out.has(s.serviceType)) out.set(s.serviceType, `${d.udn}::${s.serviceType}`);
    for (const c of d.devices) walk(c);
  };
  walk(root);
  return out;
}

export async function probeDiscovery(location: string, description: RootDescription, options: DiscoveryProbeOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  const mx = options.mx ?? 2;
  const port = options.port ?? SSDP_PORT;
  const deviceHost = new URL(location).hostname.replace(/^\[|\]$/g, '');
  const uda11 = description.specVersion !== undefined && description.specVersion.major === 1 && description.specVersion.minor >= 1;
  const expected = expectedTargets(description.device);
  const udns = [...expected.values()].filter((usn) => !usn.includes('::')).map((u) => u.toLowerCase());
  /** Sends the searches from a socket of their own and gives what came back (late ones included). */
  const collect = async (sts: readonly string[], to: string, withMx: boolean): Promise<Answer[]> => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: options.interfaceAddress, port: 0 }, () => { socket.off('error', reject); resolve(); });
    });
    socket.on('error', () => undefined);
    const answers: Answer[] = [];
    try {
      socket.setMulticastInterface(options.interfaceAddress);
      socket.setMulticastTTL(2);
      const sentAt = Date.now();
      socket.on('message', (data, rinfo) => {
        if (rinfo.address !== deviceHost || data.length > 8192) return;
        try {
          const m = parseSsdpMessage(data);
          // Another device on the same host (a simulator, a second server) answers too: only
          // answers that name this device's UDNs or its LOCATION are its.
          const usn = (m.headers['usn'] ?? '').toLowerCase();
          if (!udns.some((u) => usn.startsWith(u)) && m.headers['location'] !== location) return;
          if (m.start.kind === 'response') answers.push({ headers: m.headers, status: m.start.status, afterMs: Date.now() - sentAt, raw: data.toString('latin1') });
        } catch {
          // not SSDP; not ours to judge here
        }
      });
      for (const st of sts) {
        const text = ['M-SEARCH * HTTP/1.1', `HOST: ${to === SSDP_IPV4_GROUP ? `${SSDP_IPV4_GROUP}:${SSDP_PORT}` : `${to}:${port}`}`, 'MAN: "ssdp:discover"', ...(withMx ? [`MX: ${mx}`] : []), `ST: ${st}`, 'USER-AGENT: UPnP-Explorer-Validate/0.1 UPnP/1.1 UPnP-Explorer/0.1', '', ''].join('\r\n');
        await new Promise<void>((resolve) => socket.send(text, port, to, () => resolve()));
      }
      // Listen past MX, so an answer that comes late is seen (and said to be late), not missed.
      await new Promise((r) => setTimeout(r, withMx ? mx * 1000 + LATE_GRACE_MS : 1500));
    } finally {
      socket.close();
    }
    return answers;
  };

  // All at once, each on its own socket: ssdp:all (the whole set, which is also what the device
  // announces), each target on its own, and for UDA 1.1 a unicast search to port 1900.
  const targets = [...expected.keys()];
  const [all, each, unicastAll] = await Promise.all([
    collect(['ssdp:all'], SSDP_IPV4_GROUP, true),
    collect(targets, SSDP_IPV4_GROUP, true),
    uda11 ? collect(['upnp:rootdevice'], deviceHost, false) : Promise.resolve([]),
  ]);

  checkAnswers(all, mx, uda11, location, findings);
  const got = new Set(all.map((a) => a.headers['st'] ?? ''));
  const missing = targets.filter((t) => !got.has(t));
  if (all.length === 0) {
    findings.push(finding(RULES_DISCOVERY.answered, `No answer to M-SEARCH ssdp:all from ${deviceHost} within MX ${mx} s.`, { evidence: `M-SEARCH ST: ssdp:all, MX: ${mx}, from ${options.interfaceAddress}` }));
  } else if (missing.length > 0) {
    findings.push(finding(RULES_DISCOVERY.notifySet, `The answers to ssdp:all lack ${missing.join(', ')} (${got.size} of the ${expected.size} the description makes: 3 + 2d + k).`, { evidence: all.map((a) => `ST: ${a.headers['st'] ?? '(none)'}`).join('; ') }));
  }

  checkAnswers(each, mx, uda11, location, findings);
  for (const [st, usn] of expected) {
    const mine = each.filter((a) => a.headers['st'] === st);
    if (mine.length === 0) {
      const echoed = each.find((a) => (a.headers['usn'] ?? '') === usn);
      findings.push(echoed
        ? finding(RULES_DISCOVERY.stEcho, `The answer to M-SEARCH ST ${st} says ST ${echoed.headers['st'] ?? '(none)'}.`, { evidence: firstLines(echoed.raw) })
        : finding(RULES_DISCOVERY.answered, `No answer to M-SEARCH ST ${st} within MX ${mx} s.`, { evidence: `M-SEARCH ST: ${st}, MX: ${mx}` }));
    } else if (!mine.some((a) => (a.headers['usn'] ?? '').toLowerCase() === usn.toLowerCase())) {
      findings.push(finding(RULES_DISCOVERY.usnForm, `The answer to ST ${st} has USN ${mine[0]!.headers['usn'] ?? '(none)'}; UDA wants ${usn}.`, { evidence: firstLines(mine[0]!.raw) }));
    }
  }

  if (uda11 && !unicastAll.some((a) => a.headers['st'] === 'upnp:rootdevice')) {
    findings.push(finding(RULES_DISCOVERY.unicast, `No answer to a unicast M-SEARCH sent to ${deviceHost}:${port}.`, { evidence: `M-SEARCH * HTTP/1.1, HOST: ${deviceHost}:${port}, ST: upnp:rootdevice (no MX)` }));
  }
  return dedupeFindings(findings, 'answer', /\(ST [^)]*\)/);
}

/** How long past MX the probe listens for late answers. */
const LATE_GRACE_MS = 2000;

function checkAnswers(answers: readonly Answer[], mx: number, uda11: boolean, location: string, out: Finding[]): void {
  for (const a of answers) {
    const h = a.headers;
    const evidence = firstLines(a.raw);
    if (a.status !== 200) out.push(finding(RULES_DISCOVERY.answered, `An answer has status ${a.status}, not 200.`, { evidence }));
    const age = /max-age\s*=\s*(\d+)/i.exec(h['cache-control'] ?? '');
    if (!age) out.push(finding(RULES_DISCOVERY.cacheControl, `An answer (ST ${h['st'] ?? '?'}) has ${h['cache-control'] ? `CACHE-CONTROL "${h['cache-control']}"` : 'no CACHE-CONTROL'}.`, { evidence }));
    else if (Number(age[1]) < 1800) out.push(finding(RULES_DISCOVERY.cacheControl, `An answer says max-age=${age[1]}, under 1800.`, { evidence, severity: 'warning' }));
    if (!h['location']) out.push(finding(RULES_DISCOVERY.location, `An answer (ST ${h['st'] ?? '?'}) has no LOCATION.`, { evidence }));
    else if (h['location'] !== location) out.push(finding(RULES_DISCOVERY.location, `An answer's LOCATION ${h['location']} is not the description validated (${location}).`, { evidence, severity: 'warning' }));
    if (h['ext'] === undefined) out.push(finding(RULES_DISCOVERY.ext, `An answer (ST ${h['st'] ?? '?'}) has no EXT header.`, { evidence }));
    if (!h['server'] || !SERVER_FORM.test(h['server'])) out.push(finding(RULES_DISCOVERY.serverForm, `SERVER "${h['server'] ?? ''}" is not "OS/version UPnP/1.x product/version".`, { evidence }));
    if (uda11 && (h['bootid.upnp.org'] === undefined || h['configid.upnp.org'] === undefined)) out.push(finding(RULES_DISCOVERY.uda11Headers, `A UDA 1.1 device's answer lacks ${[h['bootid.upnp.org'] === undefined ? 'BOOTID.UPNP.ORG' : '', h['configid.upnp.org'] === undefined ? 'CONFIGID.UPNP.ORG' : ''].filter(Boolean).join(' and ')}.`, { evidence }));
    if (a.afterMs > mx * 1000 + 500) out.push(finding(RULES_DISCOVERY.mxWindow, `An answer (ST ${h['st'] ?? '?'}) came ${(a.afterMs / 1000).toFixed(1)} s after the search, past MX ${mx} s.`, { evidence }));
  }
}
