// The eventing stage of Validate Device (it subscribes, so the caller asks first): per evented
// service, SUBSCRIBE answers a SID and a TIMEOUT, the initial event comes with SEQ 0 and every
// evented variable, a renewal keeps the SID, and after UNSUBSCRIBE a renewal gets 412
// (UDA 1.1 §4.1). A callback server of its own, on the address the device reaches us on, takes
// the NOTIFYs; it answers only them, only for the duration of the stage.
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceDescription, ServiceScpd } from '../description/model';
import { decodePropertySet } from '../gena/propertyset';
import { fetchBytes } from '../http/fetch';
import { errorMessage } from '../util/errors';
import { defineRule, finding } from './model';
import type { Finding, Rule } from './model';

const rule = (id: string, severity: Rule['severity'], spec: string): Rule => defineRule(id, 'eventing', severity, spec);

export const RULES_EVENTING = {
  subscribe: rule('eventing/subscribe', 'error', 'SUBSCRIBE with CALLBACK, NT upnp:event and TIMEOUT is answered 200 with SID (uuid:…) and TIMEOUT (Second-N) (UDA 1.1 §4.1.2).'),
  initialEvent: rule('eventing/initial-event', 'error', 'Right after a subscription, the device sends the initial event: a NOTIFY with that SID, SEQ 0, NT upnp:event, NTS upnp:propchange and every evented variable (UDA 1.1 §4.2.1).'),
  renew: rule('eventing/renew', 'error', 'A renewal (SUBSCRIBE with SID and TIMEOUT, without CALLBACK and NT) is answered 200 with the same SID (UDA 1.1 §4.1.3).'),
  unsubscribe: rule('eventing/unsubscribe', 'error', 'UNSUBSCRIBE is answered 200, and the subscription is gone: renewing it gets 412 Precondition Failed (UDA 1.1 §4.1.4).'),
} as const satisfies Record<string, Rule>;

export interface EventingTarget {
  readonly service: ServiceDescription;
  readonly scpd: ServiceScpd;
}

interface Notify {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly path: string;
}

/** How long the initial event may take. */
const INITIAL_EVENT_MS = 5000;

export async function probeEventing(targets: readonly EventingTarget[], options: { readonly interfaceAddress: string; readonly timeoutMs?: number }): Promise<Finding[]> {
  const findings: Finding[] = [];
  const evented = targets.filter((t) => t.service.eventSubUrl && t.scpd.stateVariables.some((v) => v.sendEvents));
  if (evented.length === 0) return findings;
  const notifies: Notify[] = [];
  const waiting = new Set<() => void>();
  const server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 10_000 }, (req, res) => {
    if (req.method !== 'NOTIFY' || !(req.url ?? '').startsWith('/validate/')) {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1024 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      notifies.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), path: req.url ?? '' });
      res.writeHead(200, { 'content-length': '0' }).end();
      for (const w of waiting) w();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.interfaceAddress, () => { server.off('error', reject); resolve(); });
  });
  const host = options.interfaceAddress.includes(':') ? `[${options.interfaceAddress}]` : options.interfaceAddress;
  const port = (server.address() as AddressInfo).port;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const request = (url: string, method: string, headers: Record<string, string>) => fetchBytes(url, { method, headers, timeoutMs, maxBytes: 64 * 1024 }, () => true);
  try {
    for (const [i, { service, scpd }] of evented.entries()) {
      const id = service.serviceId;
      const url = service.eventSubUrl;
      const callback = `http://${host}:${port}/validate/${i}`;
      let sid: string | undefined;
      try {
        const r = await request(url, 'SUBSCRIBE', { CALLBACK: `<${callback}>`, NT: 'upnp:event', TIMEOUT: 'Second-300' });
        const evidence = `SUBSCRIBE ${url} → HTTP ${r.status}, SID: ${r.headers['sid'] ?? '(none)'}, TIMEOUT: ${r.headers['timeout'] ?? '(none)'}`;
        if (r.status !== 200) {
          findings.push(finding(RULES_EVENTING.subscribe, `${id}: SUBSCRIBE was answered HTTP ${r.status}.`, { evidence }));
          continue;
        }
        sid = r.headers['sid'];
        if (!sid || !/^uuid:\S+$/i.test(sid)) findings.push(finding(RULES_EVENTING.subscribe, `${id}: the answer to SUBSCRIBE has ${sid ? `SID "${sid}", not uuid:…` : 'no SID'}.`, { evidence }));
        const timeout = r.headers['timeout'];
        if (!timeout || !/^Second-(\d+|infinite)$/i.test(timeout.trim())) findings.push(finding(RULES_EVENTING.subscribe, `${id}: the answer to SUBSCRIBE has ${timeout ? `TIMEOUT "${timeout}", not Second-N` : 'no TIMEOUT'}.`, { evidence }));
        if (!sid) continue;

        // The initial event.
        const initial = await waitFor(notifies, waiting, (n) => n.path === `/validate/${i}` && n.headers['sid'] === sid, INITIAL_EVENT_MS);
        if (!initial) {
          findings.push(finding(RULES_EVENTING.initialEvent, `${id}: no initial event within ${INITIAL_EVENT_MS / 1000} s of the subscription (callback ${callback}).`, { evidence }));
        } else {
          const h = initial.headers;
          const shown = `NOTIFY ${initial.path}: SEQ ${String(h['seq'] ?? '(none)')}, NT ${String(h['nt'] ?? '(none)')}, NTS ${String(h['nts'] ?? '(none)')}`;
          if (h['seq'] !== '0') findings.push(finding(RULES_EVENTING.initialEvent, `${id}: the initial event has SEQ ${String(h['seq'] ?? '(none)')}, not 0.`, { evidence: shown }));
          if (h['nt'] !== 'upnp:event' || h['nts'] !== 'upnp:propchange') findings.push(finding(RULES_EVENTING.initialEvent, `${id}: the initial event's NT/NTS are ${String(h['nt'])}/${String(h['nts'])}.`, { evidence: shown }));
          const set = await decodePropertySet(initial.body);
          const sent = new Set(set.variables.map((v) => v.name));
          const missing = scpd.stateVariables.filter((v) => v.sendEvents && !sent.has(v.name)).map((v) => v.name);
          if (missing.length > 0) findings.push(finding(RULES_EVENTING.initialEvent, `${id}: the initial event lacks ${missing.join(', ')}.`, { evidence: `${shown}; variables: ${[...sent].join(', ') || '(none)'}` }));
        }

        // A renewal keeps the SID.
        const renewed = await request(url, 'SUBSCRIBE', { SID: sid, TIMEOUT: 'Second-300' });
        if (renewed.status !== 200 || renewed.headers['sid'] !== sid) {
          findings.push(finding(RULES_EVENTING.renew, `${id}: the renewal was answered HTTP ${renewed.status}${renewed.headers['sid'] && renewed.headers['sid'] !== sid ? ` with another SID (${renewed.headers['sid']})` : ''}.`, { evidence: `SUBSCRIBE ${url}, SID: ${sid} → HTTP ${renewed.status}, SID: ${renewed.headers['sid'] ?? '(none)'}` }));
        }

        // UNSUBSCRIBE, then renewing is refused.
        const gone = await request(url, 'UNSUBSCRIBE', { SID: sid });
        if (gone.status !== 200) findings.push(finding(RULES_EVENTING.unsubscribe, `${id}: UNSUBSCRIBE was answered HTTP ${gone.status}.`, { evidence: `UNSUBSCRIBE ${url}, SID: ${sid} → HTTP ${gone.status}` }));
        const after = await request(url, 'SUBSCRIBE', { SID: sid, TIMEOUT: 'Second-300' });
        if (after.status !== 412) {
          findings.push(finding(RULES_EVENTING.unsubscribe, `${id}: renewing after UNSUBSCRIBE was answered HTTP ${after.status}, not 412.`, { evidence: `SUBSCRIBE ${url}, SID: ${sid} (unsubscribed) → HTTP ${after.status}` }));
          if (after.status === 200) await request(url, 'UNSUBSCRIBE', { SID: sid }).catch(() => undefined);
        }
      } catch (err) {
        findings.push(finding(RULES_EVENTING.subscribe, `${id}: ${errorMessage(err)}`, { evidence: `SUBSCRIBE ${url}` }));
      }
    }
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  return findings;
}

function waitFor(notifies: Notify[], waiting: Set<() => void>, match: (n: Notify) => boolean, ms: number): Promise<Notify | undefined> {
  const found = notifies.find(match);
  if (found) return Promise.resolve(found);
  return new Promise((resolve) => {
    const check = (): void => {
      const n = notifies.find(match);
      if (n) { done(); resolve(n); }
    };
    const timer = setTimeout(() => { done(); resolve(undefined); }, ms);
    const done = (): void => { clearTimeout(timer); waiting.delete(check); };
    waiting.add(check);
  });
}
