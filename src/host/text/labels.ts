// Names of devices and services as every part of the host shows them (tree rows, channels, quick
// picks, tabs, the Details view), and the small value formats they share. Pure text: no `vscode`,
// unit-tested in plain Node; device strings come out as one honest line (oneLine).
import { oneLine, visible } from '../../core/util/text';
import type { StateVariable, VendorField } from '../../core/description/model';
import type { DiscoveredDevice, ServiceState } from '../../core/registry/types';
import { serviceTypeShortName } from '../../core/description/names';

/**
 * Escapes text for a markdown tooltip. Device strings are untrusted: every ASCII punctuation
 * character is backslash-escaped (CommonMark allows that for all of them), which defeats links,
 * emphasis, HTML, entities, bare-URL autolinks and `$(icon)` syntax alike. Newlines become spaces
 * so a device cannot start a heading or a list.
 */
export function escapeMarkdown(text: string): string {
  return visible(text.replace(/[\r\n\t]+/g, ' '))
    .replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

/**
 * The friendly name, or (not yet described / failed) host and path of the description URL: several
 * devices often share one host and port, and the path is what tells them apart.
 */
export function deviceLabel(device: DiscoveredDevice): string {
  const name = friendlyName(device);
  if (name) return oneLine(name, 120);
  try {
    const url = new URL(device.location);
    return oneLine(`${url.host}${url.pathname === '/' ? '' : url.pathname}`, 120);
  } catch {
    return oneLine(device.location, 120);
  }
}

/** Named devices by name (case-insensitive, numbers in order), then the unnamed ones by address. */
export function sortDevices(devices: readonly DiscoveredDevice[]): DiscoveredDevice[] {
  const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
  const unnamed = (d: DiscoveredDevice): number => (friendlyName(d) ? 0 : 1);
  return [...devices].sort((a, b) => unnamed(a) - unnamed(b)
    || collator.compare(deviceLabel(a), deviceLabel(b))
    || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function friendlyName(device: DiscoveredDevice): string | undefined {
  return device.description?.device.friendlyName.trim() || undefined;
}

/** Service row label: `ContentDirectory:1`. */
export function serviceLabel(service: ServiceState): string {
  return oneLine(serviceTypeShortName(service.description.serviceType), 120);
}

/** Human "in 29 min" / "5 s ago" relative to `now`. */
export function formatRelative(targetMs: number, now: number): string {
  const delta = Math.round((targetMs - now) / 1000);
  const abs = Math.abs(delta);
  const text = abs < 90 ? `${abs} s` : abs < 90 * 60 ? `${Math.round(abs / 60)} min` : `${(abs / 3600).toFixed(1)} h`;
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

/** A vendor element that most likely carries the firmware version (e.g. `leica:X_FirmVersion`). */
export function findFirmwareField(fields: readonly VendorField[]): VendorField | undefined {
  return fields.find((f) => /firm|fw_?ver|softwareversion|swversion/i.test(f.name.split(':').pop() ?? f.name));
}

/** `ui4`, or `string@urn:…` when an extended type is given. */
export function formatDataType(variable: StateVariable): string {
  return variable.extendedType ? `${variable.dataType}@${variable.extendedType}` : variable.dataType;
}

/** Allowed values `{OK, Error}` or range `0..100 step 1`; undefined when unconstrained. */
export function formatAllowed(variable: StateVariable, maxValues = 6): string | undefined {
  if (variable.allowedValues && variable.allowedValues.length > 0) {
    const shown = variable.allowedValues.slice(0, maxValues);
    const more = variable.allowedValues.length - shown.length;
    return `{${shown.join(', ')}${more > 0 ? `, … +${more}` : ''}}`;
  }
  const r = variable.allowedValueRange;
  if (r) return `${r.minimum}..${r.maximum}${r.step !== undefined && r.step !== '' ? ` step ${r.step}` : ''}`;
  return undefined;
}
