// The content stage of Validate Device (it sends requests, so the caller asks first): per
// ContentDirectory, Browse from the root container down to the first few items, then GET each of
// their http-get resources and judge the answer's headers against what the DIDL-Lite declared —
// it loads, its Content-Type is the protocolInfo's MIME type, its Date is an RFC 1123 date with a
// believable year, a declared size is the Content-Length, a declared byte-range support gives 206.
// Bodies are never read: the answer is dropped once its headers are in. A bounded walk (a few
// Browses, a few GETs) keeps a server with a million photos from making this a crawl.
import { ContentDirectoryClient } from '../av/contentDirectory';
import type { DidlObject, DidlResource } from '../av/didl';
import { openResponse, sizeHeader } from '../http/fetch';
import type { ServiceDescription, ServiceScpd } from '../description/model';
import { errorMessage } from '../util/errors';
import { defineRule, finding } from './model';
import type { DocumentPosition, Finding, Rule } from './model';

const rule = (id: string, severity: Rule['severity'], spec: string): Rule => defineRule(id, 'content', severity, spec);

export const RULES_CONTENT = {
  browse: rule('content/browse', 'error', 'Browse of the root container "0" with BrowseDirectChildren answers a DIDL-Lite Result whose NumberReturned is the number of objects in it (ContentDirectory:1 §2.7.4).'),
  resourceLoads: rule('content/resource-loads', 'error', 'Every http-get resource (res) of an item can be fetched with GET (ContentDirectory:1 §2.8, UDA 1.1 §2.1).'),
  resourceType: rule('content/resource-type', 'warning', 'A resource is served with the MIME type its protocolInfo declares (the third field), so a renderer that chose it by type can play it (ConnectionManager:1 §2.5.2, DLNA 7.4.1.3.11).'),
  httpDate: rule('content/http-date', 'warning', 'The HTTP Date header of a resource is an RFC 1123 date (e.g. "Sun, 06 Nov 1994 08:49:37 GMT") with a believable time (HTTP/1.1 §14.18, which UDA 1.1 §2.1 follows).'),
  resourceSize: rule('content/resource-size', 'warning', 'A resource\'s size attribute is its length in bytes, as served (ContentDirectory:1 Appendix B.2).'),
  byteRange: rule('content/byte-range', 'warning', 'A resource whose protocolInfo says DLNA.ORG_OP=x1 answers a Range request with 206 Partial Content (DLNA 7.4.1.3.17, HTTP/1.1 §14.35).'),
} as const satisfies Record<string, Rule>;

export interface ContentTarget {
  readonly service: ServiceDescription;
  readonly scpd?: ServiceScpd;
  /** Where the service is declared in the description: findings are shown there. */
  readonly at?: DocumentPosition;
}

export interface ContentProbeOptions {
  readonly timeoutMs?: number;
  /** The clock HTTP dates are judged against. */
  readonly now?: () => number;
  /** Browse requests per ContentDirectory; default 8. */
  readonly maxBrowses?: number;
  /** Items whose resources are fetched; default 3. */
  readonly maxItems?: number;
  /** Resource GETs in all; default 8. */
  readonly maxResources?: number;
}

export function isContentDirectory(service: ServiceDescription): boolean {
  return /:service:ContentDirectory:\d+$/.test(service.serviceType);
}

export interface ContentProbe {
  readonly findings: Finding[];
  /** What was looked at, in words ("2 Browse requests, 3 items, 8 resources fetched"). */
  readonly coverage: string;
}

export async function probeContent(targets: readonly ContentTarget[], options: ContentProbeOptions = {}): Promise<ContentProbe> {
  const findings: Finding[] = [];
  const counts = { browses: 0, items: 0, resources: 0 };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  for (const target of targets) {
    const { service } = target;
    if (!service.controlUrl) continue;
    const where = target.at ? { at: target.at } : {};
    // One server sends the same headers for every file: a finding is made once per rule and
    // problem, counting the other resources that showed it.
    const merged = new Map<string, { rule: Rule; message: string; evidence: string; severity: Rule['severity'] | undefined; more: number }>();
    const add: Add = (r, message, evidence, severity, key) => {
      const k = `${r.id}\u0000${key ?? message}`;
      const had = merged.get(k);
      if (had) had.more++;
      else merged.set(k, { rule: r, message, evidence, severity, more: 0 });
    };
    const client = new ContentDirectoryClient({ controlUrl: service.controlUrl, serviceType: service.serviceType, ...(target.scpd ? { scpd: target.scpd } : {}) }, { timeoutMs });
    const { items, browses } = await walk(client, options.maxBrowses ?? 8, options.maxItems ?? 3, add);
    counts.browses += browses;
    counts.items += items.length;
    let budget = options.maxResources ?? 8;
    let fetched = 0;
    for (const item of items) {
      for (const res of item.resources) {
        if (budget <= 0) break;
        if (res.protocolInfo.protocol !== 'http-get' || !/^https?:\/\//i.test(res.uri)) continue;
        budget--;
        fetched++;
        await checkResource(item, res, timeoutMs, now(), add);
      }
    }
    counts.resources += fetched;
    for (const m of merged.values()) {
      const also = m.more > 0 ? ` The same on ${m.more} more of the ${fetched} resources fetched.` : '';
      findings.push(finding(m.rule, `${service.serviceId}: ${m.message}${also}`, { evidence: m.evidence, ...where, ...(m.severity ? { severity: m.severity } : {}) }));
    }
  }
  const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  return {
    findings,
    coverage: `${plural(counts.browses, 'Browse request', 'Browse requests')}, ${plural(counts.items, 'item', 'items')} with resources, ${plural(counts.resources, 'resource', 'resources')} fetched (headers only).`,
  };
}

/** `key`: what makes two findings of a rule the same problem (default: the message). */
type Add = (r: Rule, message: string, evidence: string, severity?: Rule['severity'], key?: string) => void;

/**
 * Depth first from "0" (servers sort media under category containers: Pictures, All Pictures, …),
 * past containers that say they are empty: the first items that have resources, within
 * `maxBrowses` requests.
 */
async function walk(client: ContentDirectoryClient, maxBrowses: number, maxItems: number, add: Add): Promise<{ items: DidlObject[]; browses: number }> {
  const stack = ['0'];
  const items: DidlObject[] = [];
  const seen = new Set<string>();
  let browses = 0;
  while (stack.length > 0 && browses < maxBrowses && items.length < maxItems) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    browses++;
    const evidence = `Browse ObjectID="${id.slice(0, 200)}" BrowseFlag=BrowseDirectChildren StartingIndex=0 RequestedCount=16`;
    try {
      const page = await client.browseChildren(id, 0, 16);
      // Problems with the page are the server's to fix, but only the root's are reported: one
      // server's habit shows there already, and the walk stays short.
      if (id === '0') for (const p of page.problems.slice(0, 5)) add(RULES_CONTENT.browse, p, evidence, 'warning');
      const containers: string[] = [];
      for (const o of page.objects) {
        if (o.kind === 'container') {
          if (o.childCount !== 0) containers.push(o.id);
        } else if (o.resources.length > 0 && items.length < maxItems) items.push(o);
      }
      for (let i = containers.length - 1; i >= 0; i--) stack.push(containers[i]!);
    } catch (err) {
      add(RULES_CONTENT.browse, `Browse of "${id.slice(0, 200)}" failed: ${errorMessage(err)}`, evidence, id === '0' ? 'error' : 'warning');
      if (id === '0') break;
    }
  }
  return { items, browses };
}

async function checkResource(item: DidlObject, res: DidlResource, timeoutMs: number, now: number, add: Add): Promise<void> {
  const name = `"${item.title.slice(0, 80)}" (${res.protocolInfo.contentFormat || 'no MIME type'})`;
  let status: number;
  let headers: Readonly<Record<string, string>>;
  try {
    const r = await openResponse(res.uri, { timeoutMs, pool: 'media' });
    r.discard();
    status = r.status;
    headers = r.headers;
  } catch (err) {
    add(RULES_CONTENT.resourceLoads, `the resource of ${name} does not load: ${errorMessage(err)}`, `GET ${res.uri}`, undefined, err instanceof Error ? err.name : 'failed');
    return;
  }
  const evidence = (header: string): string => `GET ${res.uri} → HTTP ${status}, ${header}: ${headers[header.toLowerCase()] ?? '(none)'}`;
  if (status < 200 || status > 299) {
    add(RULES_CONTENT.resourceLoads, `the resource of ${name} answered HTTP ${status}.`, `GET ${res.uri} → HTTP ${status}`, undefined, String(status));
    return;
  }
  const declared = res.protocolInfo.contentFormat.toLowerCase();
  const served = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (declared && declared !== '*' && served !== declared) {
    add(RULES_CONTENT.resourceType, `the resource of ${name} is served as ${served || 'no Content-Type'}, declared ${declared}.`, evidence('Content-Type'), undefined, `${served} ${declared}`);
  }
  const dateProblem = httpDateProblem(headers['date'], now);
  if (dateProblem) add(RULES_CONTENT.httpDate, `the resource of ${name}: ${dateProblem}`, evidence('Date'), undefined, dateProblem);
  const length = sizeHeader(headers['content-length']);
  if (res.size !== undefined && length !== undefined && res.size !== length) {
    add(RULES_CONTENT.resourceSize, `the resource of ${name} declares size ${res.size}, but is served with Content-Length ${length}.`, evidence('Content-Length'), undefined, 'size');
  }
  if (res.protocolInfo.dlna?.operations?.range) {
    try {
      const r = await openResponse(res.uri, { timeoutMs, pool: 'media', headers: { range: 'bytes=0-0' } });
      r.discard();
      if (r.status !== 206) add(RULES_CONTENT.byteRange, `the resource of ${name} declares byte ranges (DLNA.ORG_OP=${res.protocolInfo.dlna.operations.raw}), but "Range: bytes=0-0" got HTTP ${r.status}.`, `GET ${res.uri} (Range: bytes=0-0) → HTTP ${r.status}`, undefined, String(r.status));
    } catch (err) {
      add(RULES_CONTENT.byteRange, `the resource of ${name} declares byte ranges, but a Range request failed: ${errorMessage(err)}`, `GET ${res.uri} (Range: bytes=0-0)`, undefined, 'failed');
    }
  }
}

const RFC1123 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4,}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/** What is wrong with an HTTP Date header's value, or undefined when it is a believable RFC 1123 date. */
export function httpDateProblem(date: string | undefined, now: number): string | undefined {
  if (date === undefined) return undefined;
  const m = RFC1123.exec(date.trim());
  if (!m) return `Date "${date.slice(0, 80)}" is not an RFC 1123 date.`;
  const year = Number(m[4]);
  const thisYear = new Date(now).getUTCFullYear();
  if (year < 1995 || year > thisYear + 1) return `Date "${date.slice(0, 80)}" says the year ${year}.`;
  return undefined;
}
