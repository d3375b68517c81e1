// Which of a device's icons to show in the tree, and what its bytes really are. Pure, so tested
// without VS Code; the download and cache live in iconCache.ts.
import type { DeviceIcon } from '../core/description/model';

/** Tree rows are 16 px (32 px on HiDPI): prefer the smallest icon that is at least 32 px, PNG over JPEG. */
export function pickDeviceIcon(icons: readonly DeviceIcon[]): DeviceIcon | undefined {
  const usable = icons.filter((i) => /^https?:/i.test(i.url) && /^image\/(png|jpeg|jpg|gif)$/i.test(i.mimetype.trim()));
  if (usable.length === 0) return undefined;
  const score = (i: DeviceIcon): number => {
    const size = Math.max(i.width, i.height) || 48;
    // Distance from the ideal 32..64 band; a small penalty for formats without transparency.
    const sizeCost = size < 32 ? (32 - size) * 4 : size > 64 ? size - 64 : 0;
    const formatCost = /png/i.test(i.mimetype) ? 0 : /gif/i.test(i.mimetype) ? 4 : 8;
    return sizeCost + formatCost;
  };
  return [...usable].sort((a, b) => score(a) - score(b))[0];
}

export type ImageKind = 'png' | 'jpg' | 'gif';

/** The image type by magic bytes; undefined for anything else (an HTML error page, SVG, …). */
export function sniffImage(bytes: Uint8Array): ImageKind | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47 && bytes[4] === 0x0d && bytes[5] === 0x0a && bytes[6] === 0x1a && bytes[7] === 0x0a) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (bytes.length >= 6 && bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x38 && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return 'gif';
  return undefined;
}
