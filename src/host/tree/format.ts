// Pure text builders for the Devices tree: labels, descriptions, signatures and tooltip markdown.
// Kept free of the `vscode` module (types only) so they are unit-tested in plain Node.
import { offDeviceUrls } from '../../core/description/offDevice';
import { oneLine } from '../../core/util/text';
import { deviceLabel, escapeMarkdown, findFirmwareField, formatAllowed, formatDataType, formatRelative, serviceLabel } from '../text/labels';
import type { Action, DeviceDescription, Problem, StateVariable } from '../../core/description/model';
import type { DiscoveredDevice, ServiceState } from '../../core/registry/types';
import { deviceTypeShortName } from '../../core/description/names';

/** `(ObjectID, BrowseFlag) → (Result, NumberReturned)`; sides with no arguments show `()`. */
export function formatActionSignature(action: Action): string {
  const ins = action.arguments.filter((a) => a.direction === 'in').map((a) => a.name);
  const outs = action.arguments.filter((a) => a.direction === 'out').map((a) => a.name);
  return `(${ins.join(', ')}) → (${outs.join(', ')})`;
}

/** One-line description of a state variable: `ui4 · 0..100 step 1 · evented`. */
export function formatStateVariableDescription(variable: StateVariable): string {
  const parts = [formatDataType(variable)];
  const allowed = formatAllowed(variable);
  if (allowed) parts.push(allowed);
  if (variable.sendEvents) parts.push(variable.multicast ? 'evented (multicast)' : 'evented');
  return parts.join(' · ');
}

export function stateVariableTooltip(variable: StateVariable): string {
  const lines = [`**${escapeMarkdown(variable.name)}**`, ''];
  lines.push(`Type: ${escapeMarkdown(formatDataType(variable))}`);
  if (variable.allowedValues && variable.allowedValues.length > 0) {
    lines.push(`Allowed values: ${escapeMarkdown(variable.allowedValues.join(', '))}`);
  }
  const r = variable.allowedValueRange;
  if (r) {
    lines.push(`Range: ${escapeMarkdown(r.minimum)} to ${escapeMarkdown(r.maximum)}${r.step ? `, step ${escapeMarkdown(r.step)}` : ''}`);
  }
  if (variable.defaultValue !== undefined) lines.push(`Default: ${escapeMarkdown(variable.defaultValue)}`);
  lines.push(variable.sendEvents
    ? `Evented: yes${variable.multicast ? ' (multicast)' : ''} (changes are sent to subscribers)`
    : 'Evented: no');
  return joinLines(lines);
}

export function actionTooltip(action: Action, variables: readonly StateVariable[]): string {
  const byName = new Map(variables.map((v) => [v.name, v]));
  const lines = [`**${escapeMarkdown(action.name)}**`];
  for (const direction of ['in', 'out'] as const) {
    const args = action.arguments.filter((a) => a.direction === direction);
    lines.push('', direction === 'in' ? 'In:' : 'Out:');
    if (args.length === 0) lines.push('• (none)');
    for (const a of args) {
      const v = byName.get(a.relatedStateVariable);
      const type = v ? formatDataType(v) : 'unknown type';
      lines.push(`• ${escapeMarkdown(a.name)}: ${escapeMarkdown(type)} (${escapeMarkdown(a.relatedStateVariable)})${a.retval ? ' retval' : ''}`);
    }
  }
  return joinLines(lines);
}

/** The row description: why it failed, that it is still loading, or its type and address. */
export function deviceRowDescription(device: DiscoveredDevice): string {
  if (device.status === 'error') return oneLine(device.error ?? 'error', 300);
  if (device.status === 'describing') return 'describing…';
  const parts: string[] = [];
  if (device.description) parts.push(deviceTypeShortName(device.description.device.deviceType));
  const host = hostOf(device.location);
  if (host) parts.push(host);
  return oneLine(parts.join(' · '), 300);
}

export function embeddedDeviceRowDescription(description: DeviceDescription): string {
  return oneLine(deviceTypeShortName(description.deviceType), 120);
}

/** Codicon id for a device type: media server → server, light → lightbulb, gateway → globe, … */
export function deviceTypeCodicon(deviceType: string | undefined): string {
  const t = (deviceType ?? '').toLowerCase();
  if (t.includes(':device:mediaserver')) return 'server';
  if (t.includes(':device:mediarenderer')) return 'play-circle';
  if (/:device:[^:]*light/.test(t)) return 'lightbulb';
  if (/:device:(internetgatewaydevice|wandevice|wanconnectiondevice)/.test(t)) return 'globe';
  if (/:device:[^:]*(camera)/.test(t)) return 'device-camera';
  if (/:device:[^:]*printer/.test(t)) return 'file';
  return 'device-desktop';
}

/** Service row description: the SCPD state, and the serviceId when it doesn't just repeat the type. */
export function serviceRowDescription(service: ServiceState): string {
  const parts: string[] = [];
  // `urn:upnp-org:serviceId:ContentDirectory` only repeats the type; `…:serviceId:CDS2` tells two apart.
  const id = service.description.serviceId.replace(/^.*?:serviceId:/, '');
  const label = serviceLabel(service);
  if (id && id !== label && id !== label.replace(/:\d+$/, '')) parts.push(id);
  if (service.scpdStatus === 'pending') parts.push('loading…');
  else if (service.scpdStatus === 'error') parts.push('SCPD error');
  return oneLine(parts.join(" · "), 300);
}

export function serviceTooltip(service: ServiceState): string {
  const d = service.description;
  const lines = [`**${escapeMarkdown(serviceLabel(service))}**`, ''];
  lines.push(`Service type: ${escapeMarkdown(d.serviceType)}`);
  lines.push(`Service ID: ${escapeMarkdown(d.serviceId)}`);
  lines.push(`SCPD: ${escapeMarkdown(d.scpdUrl || '(missing)')}`);
  lines.push(`Control: ${escapeMarkdown(d.controlUrl || '(missing)')}`);
  lines.push(`Events: ${escapeMarkdown(d.eventSubUrl || '(missing)')}`);
  if (service.scpd) {
    lines.push(`Actions: ${service.scpd.actions.length}, state variables: ${service.scpd.stateVariables.length}`);
  }
  if (service.scpdStatus === 'error') lines.push('', `SCPD error: ${escapeMarkdown(service.scpdError ?? 'unknown')}`);
  const problems = [...d.problems, ...(service.scpd?.problems ?? [])];
  appendProblems(lines, problems);
  return joinLines(lines);
}

export interface DeviceTooltipContext {
  readonly now: number;
  /** Formats an epoch time for display; injectable so tests don't depend on the locale. */
  readonly formatTime?: (epochMs: number) => string;
}

/** Everything we know about a root device, as markdown with every device string escaped. */
export function deviceTooltip(device: DiscoveredDevice, ctx: DeviceTooltipContext): string {
  const e = escapeMarkdown;
  const d = device.description?.device;
  const lines = [`**${e(deviceLabel(device))}**`, ''];
  if (device.status === 'error') lines.push(`Error: ${e(device.error ?? 'unknown error')}`, '');
  else if (device.status === 'describing') lines.push('Fetching the description…', '');
  if (d) {
    lines.push(...describedDeviceLines(d));
  }
  lines.push(`LOCATION: ${e(device.location)}`);
  for (const other of device.locations.filter((l) => l !== device.location)) lines.push(`Also at: ${e(other)}`);
  if (device.usns.length === 1) lines.push(`USN: ${e(device.usns[0]!)}`);
  else if (device.usns.length > 1) {
    lines.push(`USNs (${device.usns.length}):`);
    for (const u of device.usns) lines.push(`• ${e(u)}`);
  }
  if (device.remoteAddress) lines.push(`Remote address: ${e(device.remoteAddress)}`);
  if (device.localAddress) lines.push(`Local interface: ${e(device.localAddress)}`);
  if (device.server) lines.push(`Server: ${e(device.server)}`);
  if (device.bootId !== undefined) lines.push(`BOOTID: ${e(device.bootId)}${device.configId !== undefined ? `, CONFIGID: ${e(device.configId)}` : ''}`);
  lines.push(`Source: ${device.source === 'manual' ? 'added by URL (never expires)' : 'SSDP'}`);
  if (device.maxAgeSeconds !== undefined) {
    let expiry = `max-age ${device.maxAgeSeconds} s`;
    if (device.expiresAt !== undefined) {
      const at = ctx.formatTime ? ` (${ctx.formatTime(device.expiresAt)})` : '';
      expiry += device.expiresAt >= ctx.now ? `, expires ${formatRelative(device.expiresAt, ctx.now)}${at}` : `, expired${at}`;
    }
    lines.push(`Announcement: ${expiry}`);
  }
  lines.push(`Last seen: ${formatRelative(device.lastSeen, ctx.now)}`);
  if (device.description) {
    const away = offDeviceUrls(device.description, device.location);
    if (away.length > 0) {
      lines.push('', `URLs on another host than the description's (${away.length}${away.length >= 50 ? '+' : ''}): asking the device these asks another machine`);
      for (const u of away.slice(0, 10)) lines.push(`• ${e(u.what)}: ${e(u.url)}`);
      if (away.length > 10) lines.push(`• … and ${away.length - 10} more`);
    }
  }
  appendProblems(lines, device.problems);
  return joinLines(lines);
}

/** Tooltip of an embedded device (no SSDP data of its own). */
export function embeddedDeviceTooltip(d: DeviceDescription): string {
  return joinLines([`**${escapeMarkdown(d.friendlyName || deviceTypeShortName(d.deviceType))}**`, '', ...describedDeviceLines(d)]);
}

function describedDeviceLines(d: DeviceDescription): string[] {
  const e = escapeMarkdown;
  const lines: string[] = [];
  lines.push(`Type: ${e(d.deviceType)}`);
  if (d.manufacturer) lines.push(`Manufacturer: ${e(d.manufacturer)}`);
  const model = [d.modelName, d.modelNumber].filter((s): s is string => !!s).join(' ');
  if (model) lines.push(`Model: ${e(model)}`);
  if (d.modelDescription) lines.push(`Model description: ${e(d.modelDescription)}`);
  const firmware = findFirmwareField(d.vendorFields);
  if (firmware) lines.push(`Firmware: ${e(firmware.value)} (${e(firmware.name)})`);
  if (d.serialNumber) lines.push(`Serial number: ${e(d.serialNumber)}`);
  lines.push(`UDN: ${e(d.udn)}`);
  if (d.presentationUrl) lines.push(`Presentation page: ${e(d.presentationUrl)}`);
  const others = d.vendorFields.filter((f) => f !== firmware);
  if (others.length > 0) {
    lines.push('Vendor fields:');
    for (const f of others) lines.push(`• ${e(f.name)}: ${e(f.value)}`);
  }
  return lines;
}

function appendProblems(lines: string[], problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  lines.push('', `Problems (${problems.length}):`);
  for (const p of problems) lines.push(`• ${p.severity === 'error' ? 'Error' : 'Warning'}: ${escapeMarkdown(p.message)}`);
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

// Two trailing spaces make each line a hard break in markdown; blank lines stay paragraph breaks.
// Bullets are a plain "•" rather than markdown lists, whose lazy continuation would swallow the
// line after the list.
function joinLines(lines: readonly string[]): string {
  return lines.map((l) => (l === '' ? l : `${l}  `)).join('\n');
}
