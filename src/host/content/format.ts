// Pure text and choice helpers for the Content subtree, the download and delete commands and the
// thumbnails grid: row labels and descriptions, icons, the "Load more" label, file names, the
// vendor Browse arguments from settings and saved action-form values. No `vscode` at runtime.
import { oneLine, safeFileName } from '../../core/util/text';
import type { DidlObject, DidlResource } from '../../core/av/didl';
import { formatSize } from '../../core/av/resources';
import type { SoapExtraArg } from '../../core/soap/envelope';
import { escapeMarkdown } from '../text/labels';

export type MediaKind = 'container' | 'image' | 'audio' | 'video' | 'other';

/** The title, or the object id when a server sends none (a row must never be blank). */
export function contentLabel(o: DidlObject): string {
  const title = o.title.replace(/\s+/g, ' ').trim();
  return oneLine(title !== '' ? title : `(untitled ${o.id})`, 200);
}

/** Codicon for a row: folder, picture, music, video or a plain file. */
export function contentCodicon(kind: MediaKind): string {
  switch (kind) {
    case 'container': return 'folder';
    case 'image': return 'file-media';
    case 'audio': return 'music';
    case 'video': return 'device-camera-video';
    default: return 'file';
  }
}

/**
 * The date as the device wrote it, shortened to `2024-12-10 15:12` when it is ISO 8601. Not
 * converted to local time: the camera's clock and zone are what the user set on the camera.
 */
export function formatDidlDate(date: string | undefined): string | undefined {
  if (!date) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}))?/.exec(date.trim());
  if (!m) return date.trim() || undefined;
  return m[2] ? `${m[1]} ${m[2]}` : m[1];
}

/** The resource whose size an item row shows: the first one (DLNA lists the original first). */
export function mainResource(o: DidlObject): DidlResource | undefined {
  return o.resources[0];
}

/** Row description: `12 items` for a container; `2024-12-10 15:12 · 72.9 MiB` for an item. */
export function contentDescription(o: DidlObject): string {
  if (o.kind === 'container') {
    return o.childCount !== undefined ? (o.childCount === 1 ? '1 item' : `${o.childCount} items`) : '';
  }
  const parts: string[] = [];
  const date = formatDidlDate(o.date);
  if (date) parts.push(date);
  const size = mainResource(o)?.size;
  if (size !== undefined) parts.push(formatSize(size));
  return parts.join(' · ');
}

/**
 * `Load more (100 of 2500)`, or `Load more (100 of ?)` when the server's TotalMatches can't be
 * believed: 0, missing, or not more than what is already shown although pages keep coming.
 */
export function loadMoreLabel(shown: number, total: number | undefined): string {
  const known = total !== undefined && Number.isFinite(total) && total > shown;
  return `Load more (${shown} of ${known ? total : '?'})`;
}

/** The total worth showing to a person, or undefined when the server's count is not credible. */
export function credibleTotal(shown: number, total: number | undefined, done: boolean): number | undefined {
  if (total === undefined || !Number.isFinite(total)) return done ? shown : undefined;
  if (done) return shown;
  return total > shown ? total : undefined;
}

/** Tooltip markdown: every device string escaped. */
export function contentTooltip(o: DidlObject, describe: (r: DidlResource) => string): string {
  const e = escapeMarkdown;
  const lines = [`**${e(contentLabel(o))}**`, ''];
  lines.push(`ID: ${e(o.id)}`);
  lines.push(`Class: ${e(o.upnpClass)}`);
  if (o.date) lines.push(`Date: ${e(o.date)}`);
  if (o.creator) lines.push(`Creator: ${e(o.creator)}`);
  if (o.childCount !== undefined) lines.push(`Children: ${o.childCount}`);
  if (o.restricted) lines.push('Restricted (the server does not allow changing it)');
  if (o.resources.length > 0) {
    lines.push(`Resources (${o.resources.length}):`);
    for (const r of o.resources) lines.push(`• ${e(describe(r))}`);
  }
  return lines.map((l) => (l === '' ? l : `${l}  `)).join('\n');
}

/** Whether Delete is offered: the server says the object may be changed. */
export function canDelete(o: DidlObject): boolean {
  return !o.restricted && !/^(NOT_WRITABLE|PROTECTED)$/i.test(o.writeStatus ?? '');
}

/** Space-separated flags matched by package.json `when` clauses (`viewItem =~ /\bflag\b/`). */
export function contentContextValue(o: DidlObject | undefined): string {
  if (!o) return 'upnpContent root';
  const flags = ['upnpContent', o.kind];
  if (o.resources.length > 0) flags.push('hasResources');
  if (canDelete(o)) flags.push('deletable');
  return flags.join(' ');
}

const MIME_EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp', 'image/heic': 'heic',
  'image/x-adobe-dng': 'dng', 'video/mp4': 'mp4', 'video/quicktime': 'mov', 'audio/mpeg': 'mp3', 'audio/flac': 'flac',
  'audio/mp4': 'm4a', 'audio/wav': 'wav', 'audio/x-wav': 'wav',
};

/**
 * A safe default file name for a download: the vendor's `OriginalFileName` (quotes stripped), else
 * the URL's last path segment when it looks like a file name, else the title plus an extension
 * from the MIME type. Path separators, control and bidi characters never survive, and Windows'
 * reserved names (CON, NUL.txt, …) are prefixed (see core/util/text.ts safeFileName).
 */
export function defaultFileName(o: DidlObject, r: DidlResource): string {
  const original = Object.entries(r.protocolInfo.params).find(([k]) => k.toLowerCase() === 'originalfilename')?.[1];
  const fromParam = original ? safeFileName(original.replace(/^['"]+|['"]+$/g, ''), '') : '';
  if (fromParam) return fromParam;
  let segment = '';
  try {
    const last = new URL(r.uri).pathname.split('/').filter((s) => s !== '').pop() ?? '';
    segment = safeFileName(decodeURIComponent(last), '');
  } catch {
    segment = '';
  }
  if (/\.[A-Za-z0-9]{1,5}$/.test(segment)) return segment;
  const mime = r.protocolInfo.contentFormat.toLowerCase();
  const ext = MIME_EXTENSIONS[mime];
  const base = safeFileName(contentLabel(o), '') || segment || 'download';
  return ext ? `${base}.${ext}` : base;
}


/** One vendor argument as the `upnpExplorer.browse.extraArguments` setting writes it. */
export interface ExtraArgumentSetting {
  readonly name: string;
  readonly value: string;
  readonly namespace?: string;
  readonly prefix?: string;
}

/**
 * Vendor Browse arguments for a device from `upnpExplorer.browse.extraArguments` (an object keyed by
 * device UDN, or `*` for every device: a list of `{name, namespace, prefix, value}`). The UDN entry
 * wins over `*`. Malformed entries are skipped.
 */
export function extraArgsFromSetting(setting: unknown, udn: string | undefined): SoapExtraArg[] {
  if (typeof setting !== 'object' || setting === null || Array.isArray(setting)) return [];
  const table = setting as Record<string, unknown>;
  const list = (udn !== undefined && udn in table ? table[udn] : undefined) ?? table['*'];
  if (!Array.isArray(list)) return [];
  const out: SoapExtraArg[] = [];
  for (const raw of list as unknown[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const e = raw as Record<string, unknown>;
    if (typeof e.name !== 'string' || e.name.trim() === '' || typeof e.value !== 'string') continue;
    const prefix = typeof e.prefix === 'string' ? e.prefix.trim() : '';
    const uri = typeof e.namespace === 'string' ? e.namespace.trim() : '';
    out.push({ name: e.name.trim(), value: e.value, namespace: prefix && uri ? { prefix, uri } : undefined });
  }
  return out;
}


/** Saved form values first (what the user last typed for this device), then the setting. */
export function browseExtraArgs(saved: readonly SoapExtraArg[], fromSetting: readonly SoapExtraArg[]): SoapExtraArg[] {
  const out = [...saved];
  for (const s of fromSetting) if (!out.some((o) => o.name === s.name && o.namespace?.uri === s.namespace?.uri)) out.push(s);
  return out;
}

/** The page size setting, clamped to what servers cope with. */
export function pageSizeFrom(setting: unknown): number {
  return typeof setting === 'number' && Number.isFinite(setting) ? Math.min(5000, Math.max(1, Math.round(setting))) : 100;
}
