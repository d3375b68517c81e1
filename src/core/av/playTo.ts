// Play To, the decisions before anything is sent: which of an item's resources a renderer can
// play (its `res` protocolInfo against the renderer's ConnectionManager GetProtocolInfo Sink
// list, wildcards and DLNA profiles included), why none when none can, and the DIDL-Lite sent
// as CurrentURIMetaData. No I/O here.
import { parseProtocolInfo } from './protocolInfo';
import type { ProtocolInfo } from './protocolInfo';
import type { DidlObject, DidlResource } from './didl';
import { xmlEscape } from '../xml/xml';

/** Sinks read from one Sink value: a renderer with every DLNA profile lists hundreds. */
export const MAX_SINKS = 2048;

/**
 * The Sink (or Source) value of GetProtocolInfo: protocolInfo values separated by commas; a comma
 * inside one is written `\,` (ConnectionManager:1 §2.5.2). Empty entries are dropped.
 */
export function parseProtocolInfoList(value: string): ProtocolInfo[] {
  const out: ProtocolInfo[] = [];
  let current = '';
  for (let i = 0; i < value.length && out.length < MAX_SINKS; i++) {
    const c = value[i]!;
    if (c === '\\' && value[i + 1] === ',') {
      current += ',';
      i++;
    } else if (c === ',') {
      if (current.trim() !== '') out.push(parseProtocolInfo(current));
      current = '';
    } else {
      current += c;
    }
  }
  if (current.trim() !== '' && out.length < MAX_SINKS) out.push(parseProtocolInfo(current));
  return out;
}

/**
 * How well a renderer's sink takes an offered resource: 0 not at all; otherwise higher is
 * better — the same DLNA profile (3), the same MIME type without a profile to compare (2), a
 * wildcard MIME type (`*` or `audio/*`, 1). Protocol and MIME type compare without case; `*`
 * in the sink's protocol, network or format matches anything. A sink naming a DLNA profile the
 * offered resource does not have still matches on the MIME type (most renderers play an MP3
 * whether or not the server wrote DLNA.ORG_PN=MP3), a different profile does not.
 */
export function sinkScore(offered: ProtocolInfo, sink: ProtocolInfo): number {
  const eq = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
  if (sink.protocol !== '*' && !eq(sink.protocol, offered.protocol)) return 0;
  if (sink.network !== '*' && offered.network !== '*' && sink.network !== '' && !eq(sink.network, offered.network)) return 0;
  const sinkFormat = sink.contentFormat.toLowerCase();
  const format = offered.contentFormat.toLowerCase();
  let score: number;
  if (sinkFormat === '*' || sinkFormat === '') score = 1;
  else if (sinkFormat.endsWith('/*')) {
    if (!format.startsWith(sinkFormat.slice(0, -1))) return 0;
    score = 1;
  } else if (sinkFormat === format) score = 2;
  else return 0;
  const sinkProfile = sink.dlna?.profile;
  const profile = offered.dlna?.profile;
  if (sinkProfile !== undefined && profile !== undefined) {
    if (!eq(sinkProfile, profile)) return 0;
    score = 3;
  }
  return score;
}

export type ResourceChoice =
  | { readonly ok: true; readonly resource: DidlResource; readonly sink: ProtocolInfo; readonly score: number }
  | { readonly ok: false; readonly reason: string };

/** Resources a renderer is not sent: thumbnails when a larger one plays too. */
function isThumbnail(r: DidlResource): boolean {
  const pn = r.protocolInfo.dlna?.profile ?? '';
  return /_TN$|_SM$|_ICO$|_LRG_ICO$/i.test(pn) || /(^|[_=])TN($|[_;])/.test(r.protocolInfo.params['LEICA.COM_PN'] ?? '');
}

/**
 * The resource of `item` to send to a renderer that accepts `sinks`: the best-scoring one, the
 * original before a thumbnail, the earlier one (servers list the original first) among equals.
 * When none matches, the reason names what each side has, e.g. `The renderer accepts audio/mpeg,
 * image/jpeg; "L1010972" offers only image/x-adobe-dng.`
 */
export function chooseResource(item: DidlObject, sinks: readonly ProtocolInfo[]): ResourceChoice {
  const playable = item.resources.filter((r) => r.uri !== '' && /^https?:\/\//i.test(r.uri));
  if (item.kind === 'container') return { ok: false, reason: `"${item.title}" is a container, not an item.` };
  if (playable.length === 0) return { ok: false, reason: `"${item.title}" has no resource with an http:// URL.` };
  if (sinks.length === 0) return { ok: false, reason: 'The renderer lists no Sink protocols (GetProtocolInfo gave none): it says it can play nothing.' };
  let best: { resource: DidlResource; sink: ProtocolInfo; rank: number; score: number } | undefined;
  playable.forEach((resource, index) => {
    for (const sink of sinks) {
      const score = sinkScore(resource.protocolInfo, sink);
      if (score === 0) continue;
      // Score first, then originals before thumbnails, then document order.
      const rank = score * 1_000_000 + (isThumbnail(resource) ? 0 : 100_000) - index;
      if (!best || rank > best.rank) best = { resource, sink, rank, score };
    }
  });
  if (best) return { ok: true, resource: best.resource, sink: best.sink, score: best.score };
  return { ok: false, reason: `The renderer accepts ${listFormats(sinks)}; "${item.title}" offers only ${listFormats(playable.map((r) => r.protocolInfo))}.` };
}

function listFormats(infos: readonly ProtocolInfo[]): string {
  const names: string[] = [];
  for (const p of infos) {
    const protocol = p.protocol.toLowerCase() === 'http-get' ? '' : `${p.protocol || '?'} `;
    const name = `${protocol}${p.contentFormat || '(no MIME type)'}${p.dlna?.profile ? ` (${p.dlna.profile})` : ''}`;
    if (!names.includes(name)) names.push(name);
  }
  const shown = names.slice(0, 8).join(', ');
  return names.length > 8 ? `${shown} and ${names.length - 8} more` : shown;
}

/**
 * CurrentURIMetaData for an item: a DIDL-Lite document with the item, its title, class, creator,
 * album, artist, date, album art, and the resource being sent (its protocolInfo, size, duration,
 * resolution). Every value escaped; the SOAP layer escapes the whole document once more as an
 * argument value.
 */
export function metadataForItem(item: DidlObject, resource: DidlResource): string {
  const text = (name: string, value: string | undefined): string => (value !== undefined && value !== '' ? `<${name}>${xmlEscape(value)}</${name}>` : '');
  const attrs: string[] = [`protocolInfo="${xmlEscape(resource.protocolInfo.raw)}"`];
  if (resource.size !== undefined) attrs.push(`size="${resource.size}"`);
  if (resource.duration) attrs.push(`duration="${xmlEscape(resource.duration)}"`);
  if (resource.resolution) attrs.push(`resolution="${xmlEscape(resource.resolution)}"`);
  if (resource.bitrate !== undefined) attrs.push(`bitrate="${resource.bitrate}"`);
  const art = item.albumArtUris[0];
  return '<DIDL-Lite xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:upnp="urn:schemas-upnp-org:metadata-1-0/upnp/" xmlns:dlna="urn:schemas-dlna-org:metadata-1-0/">'
    + `<item id="${xmlEscape(item.id)}" parentID="${xmlEscape(item.parentId)}" restricted="${item.restricted ? '1' : '0'}">`
    + text('dc:title', item.title)
    + text('upnp:class', item.upnpClass || 'object.item')
    + text('dc:creator', item.creator)
    + text('upnp:artist', item.artist)
    + text('upnp:album', item.album)
    + text('dc:date', item.date)
    + (art ? `<upnp:albumArtURI${art.profileId ? ` dlna:profileID="${xmlEscape(art.profileId)}"` : ''}>${xmlEscape(art.uri)}</upnp:albumArtURI>` : '')
    + `<res ${attrs.join(' ')}>${xmlEscape(resource.uri)}</res>`
    + '</item></DIDL-Lite>';
}
