// SSDP (UDA 1.1 §1) messages: HTTP-over-UDP start line + headers, no body. Parsing is lenient in
// what real devices send (header case, LF-only line ends, spaces around ':' and '='), strict about
// what we need (a USN with a uuid, a LOCATION for alive/responses).

export const SSDP_PORT = 1900;
export const SSDP_IPV4_GROUP = '239.255.255.250';
/** IPv6 link-local scope (UDA 1.1 §1.1.1). */
export const SSDP_IPV6_LINK_LOCAL_GROUP = 'ff02::c';
/** UDA: a device without CACHE-CONTROL is assumed to stay this long (the spec's minimum advice). */
export const DEFAULT_MAX_AGE_SECONDS = 1800;

export type SsdpStartLine =
  | { readonly kind: 'response'; readonly status: number }
  | { readonly kind: 'notify' }
  | { readonly kind: 'search' };

export interface SsdpMessage {
  readonly start: SsdpStartLine;
  /** Header names lower-cased; a repeated header keeps the first value. */
  readonly headers: Readonly<Record<string, string>>;
}

export class SsdpParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SsdpParseError';
  }
}

/** Parses one datagram. Throws SsdpParseError for anything that is not an SSDP message. */
export function parseSsdpMessage(datagram: Buffer | string): SsdpMessage {
  const text = typeof datagram === 'string' ? datagram : datagram.toString('latin1');
  const lines = text.split(/\r?\n/);
  const first = (lines[0] ?? '').trim();
  let start: SsdpStartLine;
  const resp = /^HTTP\/1\.[01]\s+(\d{3})\b/i.exec(first);
  if (resp) {
    start = { kind: 'response', status: Number(resp[1]) };
  } else if (/^NOTIFY\s+\*\s+HTTP\/1\.[01]$/i.test(first)) {
    start = { kind: 'notify' };
  } else if (/^M-SEARCH\s+\*\s+HTTP\/1\.[01]$/i.test(first)) {
    start = { kind: 'search' };
  } else {
    throw new SsdpParseError(`not an SSDP message (start line "${first.slice(0, 60)}")`);
  }
  // No prototype: a device's header named "constructor" or "__proto__" is just a header.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // a broken line must not hide the good ones (some devices emit "EXT" alone)
    const name = line.slice(0, colon).trim().toLowerCase();
    if (headers[name] === undefined) headers[name] = line.slice(colon + 1).trim();
  }
  return { start, headers };
}

export type AdvertisementType = 'alive' | 'byebye' | 'update' | 'response';

/** What a NOTIFY or an M-SEARCH response says about one device, service or embedded device. */
export interface Advertisement {
  readonly type: AdvertisementType;
  /** Unique Service Name, e.g. `uuid:X::urn:schemas-upnp-org:service:ContentDirectory:1`. */
  readonly usn: string;
  /** The `uuid:X` part of the USN. */
  readonly udn: string;
  /** NT of a NOTIFY or ST of a response. */
  readonly target: string;
  readonly location?: string;
  readonly maxAgeSeconds?: number;
  readonly server?: string;
  readonly bootId?: string;
  readonly nextBootId?: string;
  readonly configId?: string;
  readonly searchPort?: number;
}

/**
 * Reads an SSDP message as an advertisement. Returns an error string (for the debug log) for
 * messages that are not advertisements (M-SEARCH from other control points) or lack what we need.
 */
export function toAdvertisement(msg: SsdpMessage): Advertisement | { readonly error: string } {
  const h = msg.headers;
  let type: AdvertisementType;
  let target: string | undefined;
  if (msg.start.kind === 'response') {
    if (msg.start.status !== 200) return { error: `M-SEARCH response with status ${msg.start.status}` };
    type = 'response';
    target = h['st'];
  } else if (msg.start.kind === 'notify') {
    const nts = (h['nts'] ?? '').toLowerCase();
    if (nts === 'ssdp:alive') type = 'alive';
    else if (nts === 'ssdp:byebye') type = 'byebye';
    else if (nts === 'ssdp:update') type = 'update';
    else if (nts === 'upnp:propchange') return { error: 'GENA multicast event (not an SSDP advertisement)' };
    else return { error: `NOTIFY with unknown NTS "${h['nts'] ?? ''}"` };
    target = h['nt'];
  } else {
    return { error: 'M-SEARCH from another control point' };
  }
  const usn = h['usn'];
  if (!usn) return { error: `${type} without USN` };
  const udn = udnOfUsn(usn);
  if (!udn) return { error: `USN "${usn}" does not start with uuid:` };
  const location = h['location'] || h['al']?.replace(/^<|>.*$/g, '');
  if (type !== 'byebye' && !location) return { error: `${type} for ${usn} without LOCATION` };
  const maxAge = type === 'byebye' ? undefined : parseMaxAge(h['cache-control']);
  const searchPort = h['searchport.upnp.org'] ? Number(h['searchport.upnp.org']) : undefined;
  return {
    type,
    usn,
    udn,
    target: target ?? '',
    ...(location ? { location } : {}),
    ...(maxAge !== undefined ? { maxAgeSeconds: maxAge } : {}),
    ...(h['server'] ? { server: h['server'] } : {}),
    ...(h['bootid.upnp.org'] ? { bootId: h['bootid.upnp.org'] } : {}),
    ...(h['nextbootid.upnp.org'] ? { nextBootId: h['nextbootid.upnp.org'] } : {}),
    ...(h['configid.upnp.org'] ? { configId: h['configid.upnp.org'] } : {}),
    ...(searchPort !== undefined && Number.isInteger(searchPort) ? { searchPort } : {}),
  };
}

/** `uuid:X::urn:…` -> `uuid:X`; `uuid:X` -> `uuid:X`. Case of the uuid is kept (some devices use upper case). */
export function udnOfUsn(usn: string): string | undefined {
  const m = /^\s*(uuid:[^:\s]+(?::(?!:)[^:\s]+)*)/i.exec(usn);
  if (!m) return undefined;
  const udn = m[1]!;
  return 'uuid:' + udn.slice(5);
}

/** `max-age=1800`, `max-age = 1800`, `no-cache="Ext", max-age=5000`; missing or bad => default. */
export function parseMaxAge(cacheControl: string | undefined): number {
  if (!cacheControl) return DEFAULT_MAX_AGE_SECONDS;
  const m = /max-age\s*=\s*"?(\d+)/i.exec(cacheControl);
  if (!m) return DEFAULT_MAX_AGE_SECONDS;
  const n = Number(m[1]);
  return n > 0 ? n : DEFAULT_MAX_AGE_SECONDS;
}

export interface MSearchOptions {
  readonly searchTarget: string;
  /** 1..5 (UDA 1.1); clamped. */
  readonly mx: number;
  /** Multicast group and port, e.g. `239.255.255.250:1900` or `[ff02::c]:1900`. */
  readonly host: string;
  readonly userAgent: string;
}

export function formatMSearch(o: MSearchOptions): string {
  return [
    'M-SEARCH * HTTP/1.1',
    `HOST: ${o.host}`,
    'MAN: "ssdp:discover"',
    `MX: ${clampMx(o.mx)}`,
    `ST: ${o.searchTarget}`,
    `USER-AGENT: ${o.userAgent}`,
    '',
    '',
  ].join('\r\n');
}

export function clampMx(mx: number): number {
  if (!Number.isFinite(mx)) return 2;
  return Math.min(5, Math.max(1, Math.round(mx)));
}

/** Whether a search target is one we can send: ssdp:all, upnp:rootdevice, uuid:…, urn:…:device|service:…:v. */
export function validateSearchTarget(st: string): string | undefined {
  const s = st.trim();
  if (s === 'ssdp:all' || s === 'upnp:rootdevice') return undefined;
  if (/^uuid:\S+$/i.test(s)) return undefined;
  if (/^urn:[^:\s]+:(device|service):[^:\s]+:\d+$/.test(s)) return undefined;
  return `"${st}" is not a search target: use ssdp:all, upnp:rootdevice, uuid:<device-UUID>, urn:<domain>:device:<type>:<v> or urn:<domain>:service:<type>:<v>.`;
}
