// Choosing among an object's resources: which one is the thumbnail, which one to preview, and how
// to name each in a list ("DNG original · 72.9 MiB · application/octet-stream (L1010972.DNG)").
// Servers describe the same photo very differently: the Leica Q3 sends a DNG original plus
// JPEG_TN/JPEG_MED/JPEG_LRG renditions with placeholder sizes, minidlna the file itself (often
// JPEG_SM), a scaled copy and a JPEG_TN only when the file has an EXIF thumbnail.
import type { DidlObject, DidlResource } from './didl';

const THUMBNAIL_PROFILES = new Set(['JPEG_TN', 'PNG_TN']);
// Profiles that are small enough to stand in for a thumbnail (DLNA: JPEG_SM ≤ 640x480, JPEG_MED ≤ 1024x768).
const SMALL_PROFILES: ReadonlyMap<string, number> = new Map([['JPEG_SM', 1], ['PNG_SM', 1], ['GIF_LRG', 3], ['JPEG_MED', 2], ['PNG_MED', 2]]);
/** Above this a resource is no thumbnail, whatever else it says. */
const MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024;
const MAX_THUMBNAIL_SIDE = 1600;

function isImage(r: DidlResource): boolean {
  return r.protocolInfo.contentFormat.toLowerCase().startsWith('image/');
}

function profile(r: DidlResource): string | undefined {
  return r.protocolInfo.dlna?.profile;
}

/** Width x height from `resolution`, when it is one. */
export function parseResolution(value: string | undefined): { width: number; height: number } | undefined {
  const m = value ? /^\s*(\d{1,6})\s*[xX]\s*(\d{1,6})\s*$/.exec(value) : null;
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

function area(r: DidlResource): number | undefined {
  const res = parseResolution(r.resolution);
  return res ? res.width * res.height : undefined;
}

/** Smallest first: by declared size when both have one, else by pixel count, else known before unknown. */
function compareSmall(a: DidlResource, b: DidlResource): number {
  if (a.size !== undefined && b.size !== undefined && a.size !== b.size) return a.size - b.size;
  const aa = area(a);
  const ab = area(b);
  if (aa !== undefined && ab !== undefined && aa !== ab) return aa - ab;
  const known = (r: DidlResource): number => (r.size !== undefined || area(r) !== undefined ? 0 : 1);
  return known(a) - known(b);
}

/**
 * The image to show in a grid: a DLNA thumbnail (JPEG_TN/PNG_TN), else the album art, else the
 * smallest image resource that is plausibly small (JPEG_SM/MED, or known to be ≤ 2 MiB / ≤ 1600 px).
 */
export function pickThumbnail(o: DidlObject): { uri: string; source: 'JPEG_TN' | 'albumArt' | 'smallRes' } | undefined {
  const tn = o.resources.filter((r) => r.uri !== '' && THUMBNAIL_PROFILES.has(profile(r) ?? '')).sort(compareSmall)[0];
  if (tn) return { uri: tn.uri, source: 'JPEG_TN' };
  const art = o.albumArtUris.find((a) => a.profileId !== undefined && THUMBNAIL_PROFILES.has(a.profileId)) ?? o.albumArtUris[0];
  if (art) return { uri: art.uri, source: 'albumArt' };
  const small = o.resources
    .filter((r) => r.uri !== '' && isImage(r))
    .filter((r) => {
      if (r.size !== undefined && r.size > MAX_THUMBNAIL_BYTES) return false;
      const res = parseResolution(r.resolution);
      if (res && Math.max(res.width, res.height) > MAX_THUMBNAIL_SIDE) return false;
      return SMALL_PROFILES.has(profile(r) ?? '') || r.size !== undefined || res !== undefined;
    })
    .sort((a, b) => compareSmall(a, b) || (SMALL_PROFILES.get(profile(a) ?? '') ?? 9) - (SMALL_PROFILES.get(profile(b) ?? '') ?? 9))[0];
  return small ? { uri: small.uri, source: 'smallRes' } : undefined;
}

/** The image to open large: JPEG_MED, else JPEG_LRG, else the largest image resource. */
export function pickPreview(o: DidlObject): DidlResource | undefined {
  const images = o.resources.filter((r) => r.uri !== '' && isImage(r));
  const med = images.find((r) => profile(r) === 'JPEG_MED');
  if (med) return med;
  const lrg = images.find((r) => profile(r) === 'JPEG_LRG');
  if (lrg) return lrg;
  // Largest first: by pixel count when both have one, else by declared size; unknowns last.
  // A thumbnail only when there is nothing else.
  const pool = images.filter((r) => !THUMBNAIL_PROFILES.has(profile(r) ?? ''));
  return [...(pool.length ? pool : images)].sort(compareLarge)[0];
}

function compareLarge(a: DidlResource, b: DidlResource): number {
  const aa = area(a);
  const ab = area(b);
  if (aa !== undefined && ab !== undefined && aa !== ab) return ab - aa;
  if (a.size !== undefined && b.size !== undefined && a.size !== b.size) return b.size - a.size;
  const known = (r: DidlResource): number => (r.size !== undefined || area(r) !== undefined ? 0 : 1);
  return known(a) - known(b);
}

/**
 * What a resource is to the user: 'original' (the file as shot: the Leica's octet-stream
 * resources named by OriginalFileName), 'large' / 'medium' / 'small' / 'thumbnail' by DLNA image
 * profile, else 'image' / 'audio' / 'video', else the MIME type.
 */
export function resourceLabel(r: DidlResource): 'original' | 'large' | 'medium' | 'thumbnail' | string {
  const p = r.protocolInfo;
  if (Object.hasOwn(p.params, 'OriginalFileName') || p.contentFormat.toLowerCase() === 'application/octet-stream') return 'original';
  const pn = profile(r) ?? '';
  if (THUMBNAIL_PROFILES.has(pn)) return 'thumbnail';
  if (/_LRG$/.test(pn) && isImage(r)) return 'large';
  if (/_MED$/.test(pn) && isImage(r)) return 'medium';
  if (/_SM$/.test(pn) && isImage(r)) return 'small';
  const type = p.contentFormat.toLowerCase().split('/')[0];
  if (type === 'image' || type === 'audio' || type === 'video') return type;
  return p.contentFormat || 'resource';
}

export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** The file name the server suggests: OriginalFileName, else the last path segment of the URL. */
export function suggestedFileName(r: DidlResource): string | undefined {
  const original = r.protocolInfo.params['OriginalFileName'];
  if (original) return original;
  try {
    const last = new URL(r.uri).pathname.split('/').pop();
    return last ? decodeURIComponent(last) : undefined;
  } catch {
    return undefined;
  }
}

function formatWord(r: DidlResource): string {
  const name = r.protocolInfo.params['OriginalFileName'];
  const ext = name ? /\.([A-Za-z0-9]{1,5})$/.exec(name)?.[1] : undefined;
  if (ext) return ext.toUpperCase();
  const subtype = r.protocolInfo.contentFormat.split('/')[1] ?? '';
  return subtype.replace(/^x-/, '').toUpperCase() || 'unknown';
}

/** e.g. 'DNG original · 72.9 MiB · application/octet-stream (L1010972.DNG)', 'JPEG thumbnail · 4.9 KiB · image/jpeg (JPEG_TN)'. */
export function describeResource(r: DidlResource): string {
  const parts = [`${formatWord(r)} ${resourceLabel(r)}`];
  if (r.size !== undefined) parts.push(formatSize(r.size));
  if (r.resolution) parts.push(r.resolution);
  if (r.duration) parts.push(r.duration);
  // UPnP defines bitrate in bytes per second, but servers (minidlna) send bits per second: shown as sent.
  if (r.bitrate !== undefined) parts.push(`bitrate ${r.bitrate}`);
  const p = r.protocolInfo;
  const detail = p.params['OriginalFileName'] ?? p.dlna?.profile;
  parts.push(`${p.contentFormat || '(no content format)'}${detail ? ` (${detail})` : ''}`);
  return parts.join(' · ');
}
