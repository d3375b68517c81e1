// URLs in a description that point away from the device. UDA allows a description to name SCPD,
// control, event and icon URLs on another host (a proxy, a cloud bridge), but someone inspecting a
// device wants to know when asking it something really asks another machine: the tooltip and the
// log say so. Only http(s) URLs ever get this far (resolveUrl drops the rest).
import type { DeviceDescription, RootDescription } from './model';

export interface OffDeviceUrl {
  /** What the URL is for, e.g. `SCPD of urn:upnp-org:serviceId:ContentDirectory`, `icon 2 of Living Room`. */
  readonly what: string;
  readonly url: string;
  /** The host it points at (host:port). */
  readonly host: string;
}

/** Most listed; a hostile description could list thousands. */
const MAX_LISTED = 50;

/** URLs of the device tree whose host (and port) is not the description's. */
export function offDeviceUrls(root: RootDescription, descriptionUrl: string): OffDeviceUrl[] {
  const home = hostOf(descriptionUrl);
  if (home === undefined) return [];
  const out: OffDeviceUrl[] = [];
  const check = (what: string, url: string | undefined): void => {
    if (!url || out.length >= MAX_LISTED) return;
    const host = hostOf(url);
    if (host !== undefined && host !== home) out.push({ what, url, host });
  };
  const walk = (d: DeviceDescription): void => {
    d.icons.forEach((icon, i) => check(`icon ${i + 1} of ${d.friendlyName || d.udn}`, icon.url));
    for (const s of d.services) {
      const id = s.serviceId || s.serviceType;
      check(`SCPD of ${id}`, s.scpdUrl);
      check(`control URL of ${id}`, s.controlUrl);
      check(`event URL of ${id}`, s.eventSubUrl);
    }
    d.devices.forEach(walk);
  };
  walk(root.device);
  return out;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}
