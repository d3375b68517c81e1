// SSDP traffic as seen on the chosen interfaces (issue 10's traffic view): every datagram the
// discovery sockets read — NOTIFY alive/byebye/update, M-SEARCHes sent by anyone (ours included,
// looped back), the answers to ours — as a record with its time, source, kind and the headers a
// person scans for, kept in a bounded ring buffer. Records are plain data: the view filters,
// shows and exports them. Recording costs nothing while nobody listens.
import type { SsdpMessage } from './message';

export type TrafficKind = 'alive' | 'byebye' | 'update' | 'notify' | 'search' | 'answer' | 'other';

export interface TrafficRecord {
  /** Increasing for the life of the recorder. */
  readonly seq: number;
  /** Epoch ms when read. */
  readonly at: number;
  readonly kind: TrafficKind;
  readonly from: string;
  readonly fromPort: number;
  /** Our interface it came in on, when known (e.g. `eth0 192.168.1.10`). */
  readonly via?: string;
  /** NT of a NOTIFY, ST of a search or an answer. */
  readonly target?: string;
  readonly usn?: string;
  readonly location?: string;
  readonly server?: string;
  /** MX of a search; max-age of an alive or an answer. */
  readonly mx?: string;
  readonly maxAge?: number;
  readonly userAgent?: string;
  /** The datagram as received (latin1), at most MAX_RAW_CHARS. */
  readonly raw: string;
}

const MAX_RAW_CHARS = 8192;

export function toTrafficRecord(seq: number, at: number, msg: SsdpMessage, raw: string, from: string, fromPort: number, via?: string): TrafficRecord {
  const h = msg.headers;
  let kind: TrafficKind;
  if (msg.start.kind === 'search') kind = 'search';
  else if (msg.start.kind === 'response') kind = 'answer';
  else {
    const nts = (h['nts'] ?? '').toLowerCase();
    kind = nts === 'ssdp:alive' ? 'alive' : nts === 'ssdp:byebye' ? 'byebye' : nts === 'ssdp:update' ? 'update' : 'notify';
  }
  const target = msg.start.kind === 'notify' ? h['nt'] : h['st'];
  const age = /max-age\s*=\s*(\d+)/i.exec(h['cache-control'] ?? '');
  return {
    seq, at, kind, from, fromPort,
    ...(via ? { via } : {}),
    ...(target !== undefined ? { target } : {}),
    ...(h['usn'] !== undefined ? { usn: h['usn'] } : {}),
    ...(h['location'] !== undefined ? { location: h['location'] } : {}),
    ...(h['server'] !== undefined ? { server: h['server'] } : {}),
    ...(h['mx'] !== undefined ? { mx: h['mx'] } : {}),
    ...(age ? { maxAge: Number(age[1]) } : {}),
    ...(h['user-agent'] !== undefined ? { userAgent: h['user-agent'] } : {}),
    raw: raw.length > MAX_RAW_CHARS ? raw.slice(0, MAX_RAW_CHARS) : raw,
  };
}

/** The last `capacity` records, oldest first; constant time per record. */
export class TrafficRing {
  private readonly items: Array<TrafficRecord | undefined>;
  private start = 0;
  private count = 0;
  /** Records pushed out by newer ones since the last clear. */
  dropped = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<TrafficRecord | undefined>(Math.max(1, capacity));
  }

  push(r: TrafficRecord): void {
    const cap = this.items.length;
    if (this.count < cap) {
      this.items[(this.start + this.count) % cap] = r;
      this.count++;
    } else {
      this.items[this.start] = r;
      this.start = (this.start + 1) % cap;
      this.dropped++;
    }
  }

  get size(): number {
    return this.count;
  }

  /** Oldest first. */
  toArray(): TrafficRecord[] {
    const out: TrafficRecord[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.items.length]!);
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.start = 0;
    this.count = 0;
    this.dropped = 0;
  }
}

export interface TrafficFilter {
  readonly text?: string;
  readonly kinds?: readonly TrafficKind[];
  /** `uuid:…`: datagrams whose USN (or ST/NT) names this device. */
  readonly udn?: string;
  /** For the view's message, e.g. the device's name. */
  readonly label?: string;
}

/** Whether a record passes the filter (plain, tested without VS Code). */
export function matchesTraffic(r: TrafficRecord, f: TrafficFilter): boolean {
  if (f.kinds && f.kinds.length > 0 && !f.kinds.includes(r.kind)) return false;
  if (f.udn) {
    const u = f.udn.toLowerCase();
    if (!(r.usn ?? '').toLowerCase().startsWith(u) && (r.target ?? '').toLowerCase() !== u) return false;
  }
  if (f.text) {
    const t = f.text.toLowerCase();
    const hay = [r.kind, r.from, r.target, r.usn, r.location, r.server, r.userAgent].filter(Boolean).join(' ').toLowerCase();
    if (!hay.includes(t)) return false;
  }
  return true;
}

/** One JSON object per line, the raw datagram included. */
export function trafficJsonLines(records: readonly TrafficRecord[]): string {
  return records.map((r) => JSON.stringify({ ...r, at: new Date(r.at).toISOString() })).join('\n') + (records.length ? '\n' : '');
}

/** A form a person reads or diffs: a header line per datagram, then the datagram indented. */
export function trafficText(records: readonly TrafficRecord[]): string {
  return records.map((r) => {
    const head = `${new Date(r.at).toISOString()} ${r.kind.toUpperCase()} from ${r.from}:${r.fromPort}${r.via ? ` on ${r.via}` : ''}${r.target ? ` ${r.kind === 'search' || r.kind === 'answer' ? 'ST' : 'NT'} ${r.target}` : ''}`;
    const body = r.raw.replace(/\r\n?/g, '\n').trimEnd().split('\n').map((l) => `    ${l}`).join('\n');
    return `${head}\n${body}\n`;
  }).join('\n');
}
