// protocolInfo (UPnP ConnectionManager/ContentDirectory, `<protocol>:<network>:<contentFormat>:<additionalInfo>`)
// decoded into its four fields and, for DLNA, its named parameters. Devices bend the format: the
// Leica Q3 writes `http-get:*:application/octet-stream;LEICA.COM_PN=CAM_DNG;OriginalFileName='L1010972.DNG'`
// (three fields, parameters glued to the MIME type, a quoted value), so nothing here throws; oddities
// are kept as `problems`.

/** DLNA.ORG_* parameters of the fourth field, decoded (DLNA Guidelines 7.4.1.3.17 and following). */
export interface DlnaInfo {
  /** DLNA.ORG_PN, the media format profile, e.g. 'JPEG_TN'. */
  profile?: string;
  /** DLNA.ORG_OP: two binary digits, time-seek range (TimeSeekRange.dlna.org) then byte range (Range). */
  operations?: { timeSeek: boolean; range: boolean; raw: string };
  /** DLNA.ORG_PS: the play speeds the server supports besides 1, e.g. ['-2', '2']. */
  playSpeeds?: string[];
  /** DLNA.ORG_CI: 1 = the content was converted (transcoded, scaled) from the original. */
  converted?: boolean;
  /** DLNA.ORG_FLAGS decoded to named meanings (primary flags, the first 8 of 32 hex digits). */
  flags?: { raw: string; names: string[] };
}

export interface ProtocolInfo {
  /** The value as sent. */
  raw: string;
  /** e.g. 'http-get', 'rtsp-rtp-udp', 'internal'. */
  protocol: string;
  /** '*' for HTTP. */
  network: string;
  /** The MIME type without parameters, e.g. 'image/jpeg'. */
  contentFormat: string;
  /** The fourth field as sent ('' when missing, '*' for "nothing to say"). */
  additionalInfo: string;
  /**
   * Every key=value of the fourth field (and of parameters glued to the MIME type), vendor ones
   * included (LEICA.COM_PN, OriginalFileName). Quotes around values are stripped. Null-prototype.
   */
  params: Record<string, string>;
  dlna?: DlnaInfo;
  /** Departures from the format, in words ('' fields, three fields instead of four, bad flags). */
  problems: string[];
}

/** DLNA.ORG_FLAGS primary-flag bits, most significant first (DLNA Guidelines 7.4.1.3.24). */
export const DLNA_FLAG_BITS: ReadonlyArray<readonly [bit: number, name: string]> = [
  [31, 'senderPaced'],
  [30, 'lsopTimeBasedSeek'],
  [29, 'lsopByteBasedSeek'],
  [28, 'playContainer'],
  [27, 's0Increasing'],
  [26, 'snIncreasing'],
  [25, 'rtspPause'],
  [24, 'streamingTransferMode'],
  [23, 'interactiveTransferMode'],
  [22, 'backgroundTransferMode'],
  [21, 'connectionStall'],
  [20, 'dlnaV15'],
];

/** Named meanings of a DLNA.ORG_FLAGS value; unknown (reserved) bits are listed as `bit<N>`. */
export function decodeDlnaFlags(raw: string): { names: string[]; valid: boolean } {
  const value = raw.trim();
  if (!/^[0-9a-fA-F]{1,32}$/.test(value)) return { names: [], valid: false };
  // The primary flags are the first 8 hex digits; the other 24 are reserved (zeros).
  const primary = parseInt(value.padEnd(32, '0').slice(0, 8), 16) >>> 0;
  const names: string[] = [];
  for (let bit = 31; bit >= 0; bit--) {
    if (((primary >>> bit) & 1) === 0) continue;
    const known = DLNA_FLAG_BITS.find(([b]) => b === bit);
    names.push(known ? known[1] : `bit${bit}`);
  }
  return { names, valid: value.length === 32 };
}

function stripQuotes(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && (v[0] === "'" || v[0] === '"') && v[v.length - 1] === v[0]) return v.slice(1, -1);
  return v;
}

function addParams(text: string, params: Record<string, string>): void {
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue; // '*' or an empty piece
    params[part.slice(0, eq).trim()] = stripQuotes(part.slice(eq + 1));
  }
}

/** Longest protocolInfo read; real ones are under 300 characters. */
export const MAX_PROTOCOL_INFO_LENGTH = 4096;
const MAX_PLAY_SPEEDS = 64;

/** Parses a protocolInfo value. Never throws. Linear in its length, and reads at most MAX_PROTOCOL_INFO_LENGTH characters. */
export function parseProtocolInfo(value: string): ProtocolInfo {
  const raw = value;
  const problems: string[] = [];
  let text = value.trim();
  if (text.length > MAX_PROTOCOL_INFO_LENGTH) {
    problems.push(`protocolInfo is ${text.length.toLocaleString('en-US')} characters long; only the first ${MAX_PROTOCOL_INFO_LENGTH} were read.`);
    text = text.slice(0, MAX_PROTOCOL_INFO_LENGTH);
  }
  const params = Object.create(null) as Record<string, string>;
  if (text === '') {
    return { raw, protocol: '', network: '', contentFormat: '', additionalInfo: '', params, problems: ['protocolInfo is empty.'] };
  }
  // The fourth field may itself contain ':' (URLs in vendor parameters), so split three times only.
  const fields: string[] = [];
  let rest = text;
  for (let k = 0; k < 3; k++) {
    const colon = rest.indexOf(':');
    if (colon < 0) break;
    fields.push(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  fields.push(rest);
  const [protocol = '', network = '', format = '', additionalInfo = ''] = fields;
  if (fields.length < 4) {
    problems.push(`protocolInfo has ${fields.length} field${fields.length === 1 ? '' : 's'}; UPnP expects 4 (protocol:network:contentFormat:additionalInfo).`);
  }
  const semi = format.indexOf(';');
  const contentFormat = (semi >= 0 ? format.slice(0, semi) : format).trim();
  if (semi >= 0) addParams(format.slice(semi + 1), params);
  addParams(additionalInfo, params);

  let dlna: DlnaInfo | undefined;
  const get = (key: string): string | undefined => (Object.hasOwn(params, key) ? params[key] : undefined);
  const pn = get('DLNA.ORG_PN');
  const op = get('DLNA.ORG_OP');
  const ps = get('DLNA.ORG_PS');
  const ci = get('DLNA.ORG_CI');
  const flags = get('DLNA.ORG_FLAGS');
  if (pn !== undefined || op !== undefined || ps !== undefined || ci !== undefined || flags !== undefined) {
    dlna = {};
    if (pn !== undefined) dlna.profile = pn;
    if (op !== undefined) {
      if (!/^[01]{2}$/.test(op)) problems.push(`DLNA.ORG_OP is "${op}"; expected two binary digits.`);
      dlna.operations = { timeSeek: op[0] === '1', range: op[1] === '1', raw: op };
    }
    if (ps !== undefined) dlna.playSpeeds = ps.split(',', MAX_PLAY_SPEEDS).map((s) => s.trim()).filter((s) => s !== '');
    if (ci !== undefined) {
      if (ci !== '0' && ci !== '1') problems.push(`DLNA.ORG_CI is "${ci}"; expected 0 or 1.`);
      dlna.converted = ci === '1';
    }
    if (flags !== undefined) {
      const decoded = decodeDlnaFlags(flags);
      if (!decoded.valid) problems.push(`DLNA.ORG_FLAGS is "${flags}"; expected 32 hexadecimal digits.`);
      dlna.flags = { raw: flags, names: decoded.names };
    }
  }
  return { raw, protocol: protocol.trim(), network: network.trim(), contentFormat, additionalInfo, params, ...(dlna ? { dlna } : {}), problems };
}

const DECODED_KEYS = new Set(['DLNA.ORG_PN', 'DLNA.ORG_OP', 'DLNA.ORG_PS', 'DLNA.ORG_CI', 'DLNA.ORG_FLAGS']);

const PROTOCOL_WORDS: Readonly<Record<string, string>> = {
  'http-get': 'HTTP GET',
  'rtsp-rtp-udp': 'RTSP/RTP',
  internal: 'internal',
  'iec61883': 'IEEE 1394',
};

/** One readable line, e.g. `image/jpeg over HTTP GET · DLNA JPEG_TN · converted · byte-range seek · flags interactiveTransferMode, dlnaV15 · LEICA.COM_PN=CAM_TN`. */
export function describeProtocolInfo(p: ProtocolInfo): string {
  if (p.raw.trim() === '') return '(no protocolInfo)';
  const parts: string[] = [];
  const format = p.contentFormat && p.contentFormat !== '*' ? p.contentFormat : 'any format';
  parts.push(`${format} over ${PROTOCOL_WORDS[p.protocol] ?? (p.protocol || 'an unnamed protocol')}`);
  if (p.network && p.network !== '*') parts.push(`network ${p.network}`);
  const d = p.dlna;
  if (d) {
    if (d.profile) parts.push(`DLNA ${d.profile}`);
    if (d.converted !== undefined) parts.push(d.converted ? 'converted' : 'original content');
    if (d.operations) {
      const seeks = [d.operations.timeSeek ? 'time seek' : '', d.operations.range ? 'byte-range seek' : ''].filter(Boolean);
      parts.push(seeks.length ? seeks.join(' and ') : 'no seeking');
    }
    if (d.playSpeeds && d.playSpeeds.length) parts.push(`speeds ${d.playSpeeds.join(', ')}`);
    if (d.flags) parts.push(d.flags.names.length ? `flags ${d.flags.names.join(', ')}` : `flags ${d.flags.raw}`);
  }
  for (const [key, value] of Object.entries(p.params)) {
    if (DECODED_KEYS.has(key)) continue;
    parts.push(`${key}=${value}`);
  }
  return parts.join(' · ');
}
