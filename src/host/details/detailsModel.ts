// What the Details view shows for a row of the Devices tree, as plain data (protocol/details.ts):
// every description field with the vendor ones, SSDP headers, addresses and expiry for a device;
// URLs and the subscription for a service, with its state variables and their last evented values;
// arguments for an action; a variable's type and constraints; an item's DIDL-Lite metadata.
// No `vscode`: unit-tested in plain Node. Every device string goes through `oneLine`, so controls
// and bidi characters are shown as escapes and a huge value is cut with its length said.
import { describeResource } from '../../core/av/resources';
import type { Action, DeviceDescription, Problem, StateVariable } from '../../core/description/model';
import { deviceTypeShortName, serviceTypeShortName } from '../../core/description/names';
import type { DiscoveredDevice, ServiceState } from '../../core/registry/types';
import { oneLine } from '../../core/util/text';
import type { DetailsField, DetailsModel, DetailsSection, TableSection } from '../../protocol/details';
import { MAX_TABLE_ROWS } from '../../protocol/details';
import { contentLabel } from '../content/format';
import type { ServiceEventStatus } from '../events/format';
import { subscriptionDescription } from '../events/format';
import { deviceLabel, findFirmwareField, formatAllowed, formatDataType, formatRelative, serviceLabel } from '../text/labels';
import type { TreeNode } from '../tree/nodes';

/** What the events feature says of a service (EventsController implements it). */
export interface DetailsEvents {
  statusOf(deviceKey: string, serviceKey: string): ServiceEventStatus | undefined;
  lastValue(deviceKey: string, serviceKey: string, variable: string): string | undefined;
}

export interface DetailsContext {
  readonly now: number;
  readonly events?: DetailsEvents;
  /** Local clock time of an epoch; injectable so tests don't depend on the locale. */
  readonly formatTime: (epochMs: number) => string;
}

const MAX_VALUE = 2000;

const text = (s: string, max = MAX_VALUE): string => oneLine(s, max);

class Fields {
  readonly list: DetailsField[] = [];
  add(name: string, value: string | undefined, o: { mono?: boolean; note?: string } = {}): this {
    if (value === undefined || value === '') return this;
    this.list.push({ name, value: text(value), ...(o.mono ? { mono: true } : {}), ...(o.note !== undefined ? { note: text(o.note, 200) } : {}) });
    return this;
  }
}

function fieldsSection(title: string, f: Fields): DetailsSection[] {
  return f.list.length > 0 ? [{ kind: 'fields', title, fields: f.list }] : [];
}

function table(title: string, columns: string[], rows: string[][], live?: number): TableSection[] {
  if (rows.length === 0) return [];
  const shown = rows.slice(0, MAX_TABLE_ROWS).map((r) => r.map((c) => text(c, 500)));
  return [{ kind: 'table', title, columns, rows: shown, ...(live !== undefined ? { live } : {}), ...(rows.length > shown.length ? { omitted: rows.length - shown.length } : {}) }];
}

function problemsSection(problems: readonly Problem[]): DetailsSection[] {
  if (problems.length === 0) return [];
  return [{ kind: 'problems', title: `Problems (${problems.length})`, problems: problems.map((p) => ({ severity: p.severity, message: text(p.message) })) }];
}

/** The Details of a tree row; undefined for rows with nothing more to say. */
export function detailsFor(node: TreeNode, ctx: DetailsContext): DetailsModel | undefined {
  switch (node.kind) {
    case 'device':
      return node.isRoot ? rootDevice(node.device, ctx) : node.description ? embeddedDevice(node.description, node.device) : undefined;
    case 'service':
      return service(node.device, node.service, ctx);
    case 'variables':
      return service(node.device, node.service, ctx);
    case 'variable':
      return variable(node.device, node.service, node.variable, ctx);
    case 'action':
      return action(node.device, node.service, node.action);
    case 'message':
      return { title: text(node.message, 200), subtitle: node.severity === 'error' ? 'Error' : 'Loading', sections: [] };
    case 'content':
      return content(node);
  }
}

function rootDevice(device: DiscoveredDevice, ctx: DetailsContext): DetailsModel {
  const d = device.description?.device;
  const sections: DetailsSection[] = [];
  const status = new Fields();
  if (device.status === 'error') status.add('Error', device.error ?? 'The device could not be described.');
  else if (device.status === 'describing') status.add('Status', 'Fetching the description…');
  sections.push(...fieldsSection('Status', status));
  if (d) sections.push(...describedSections(d));

  const ssdp = new Fields()
    .add('LOCATION', device.location, { mono: true });
  for (const other of device.locations.filter((l) => l !== device.location)) ssdp.add('Also at', other, { mono: true });
  for (const u of device.usns) ssdp.add('USN', u, { mono: true });
  ssdp.add('SERVER', device.server)
    .add('BOOTID.UPNP.ORG', device.bootId)
    .add('CONFIGID.UPNP.ORG', device.configId)
    .add('Source', device.source === 'manual' ? 'Added by URL (never expires)' : 'SSDP');
  if (device.maxAgeSeconds !== undefined) ssdp.add('max-age', `${device.maxAgeSeconds} s`);
  if (device.expiresAt !== undefined) {
    ssdp.add('Expires', device.expiresAt >= ctx.now ? formatRelative(device.expiresAt, ctx.now) : `expired ${formatRelative(device.expiresAt, ctx.now)}`, { note: `at ${ctx.formatTime(device.expiresAt)}` });
  }
  ssdp.add('First seen', formatRelative(device.firstSeen, ctx.now), { note: `at ${ctx.formatTime(device.firstSeen)}` })
    .add('Last seen', formatRelative(device.lastSeen, ctx.now), { note: `at ${ctx.formatTime(device.lastSeen)}` });
  sections.push(...fieldsSection('SSDP', ssdp));

  sections.push(...fieldsSection('Addresses', new Fields()
    .add('Device address', device.remoteAddress, { mono: true })
    .add('Local interface', device.localAddress, { mono: true })
    .add('URL base', device.description?.urlBase, { mono: true })
    .add('Resolved against', device.description?.baseUrl, { mono: true })));
  const spec = device.description?.specVersion;
  if (spec) sections.push({ kind: 'fields', title: 'Document', fields: [{ name: 'specVersion', value: `${spec.major}.${spec.minor}` }] });

  if (d) {
    const services = device.services;
    sections.push(...table(`Services (${services.length})`, ['Service', 'Type', 'ID', 'SCPD'], services.map((s) => [
      serviceLabel(s), s.description.serviceType, s.description.serviceId,
      s.scpdStatus === 'ready' ? `${s.scpd?.actions.length ?? 0} actions, ${s.scpd?.stateVariables.length ?? 0} variables` : s.scpdStatus === 'pending' ? 'loading…' : `error: ${s.scpdError ?? 'unreadable'}`,
    ])));
  }
  sections.push(...problemsSection(device.problems));
  return {
    title: text(deviceLabel(device), 200),
    subtitle: [d ? deviceTypeShortName(d.deviceType) : undefined, 'root device'].filter(Boolean).join(' · '),
    sections,
  };
}

function embeddedDevice(d: DeviceDescription, root: DiscoveredDevice): DetailsModel {
  return {
    title: text(d.friendlyName || deviceTypeShortName(d.deviceType), 200),
    subtitle: `${deviceTypeShortName(d.deviceType)} · embedded in ${text(deviceLabel(root), 100)}`,
    sections: [...describedSections(d), ...problemsSection(d.problems)],
  };
}

/** The description's own fields, vendor fields and icons (root or embedded device). */
function describedSections(d: DeviceDescription): DetailsSection[] {
  const firmware = findFirmwareField(d.vendorFields);
  const fields = new Fields()
    .add('Friendly name', d.friendlyName)
    .add('Device type', d.deviceType, { mono: true })
    .add('Manufacturer', d.manufacturer)
    .add('Manufacturer URL', d.manufacturerUrl, { mono: true })
    .add('Model name', d.modelName)
    .add('Model number', d.modelNumber)
    .add('Model description', d.modelDescription)
    .add('Model URL', d.modelUrl, { mono: true })
    .add('Serial number', d.serialNumber)
    .add('UDN', d.udn, { mono: true })
    .add('UPC', d.upc)
    .add('Presentation URL', d.presentationUrl, { mono: true });
  if (firmware) fields.add('Firmware', firmware.value, { note: `(${firmware.name})` });
  const out = fieldsSection('Description', fields);
  const vendor = new Fields();
  for (const f of d.vendorFields) vendor.add(f.name, f.value, { ...(f.namespace ? { note: f.namespace } : {}) });
  out.push(...fieldsSection(`Vendor fields (${d.vendorFields.length})`, vendor));
  out.push(...table(`Icons (${d.icons.length})`, ['Type', 'Size', 'Depth', 'URL'], d.icons.map((i) => [i.mimetype, `${i.width}×${i.height}`, String(i.depth), i.url])));
  if (d.devices.length > 0) {
    out.push(...table(`Embedded devices (${d.devices.length})`, ['Name', 'Type', 'UDN'], d.devices.map((e) => [e.friendlyName, e.deviceType, e.udn])));
  }
  return out;
}

function serviceFields(device: DiscoveredDevice, s: ServiceState, ctx: DetailsContext): DetailsSection[] {
  const d = s.description;
  const sections = fieldsSection('Service', new Fields()
    .add('Service type', d.serviceType, { mono: true })
    .add('Service ID', d.serviceId, { mono: true })
    .add('SCPD URL', d.scpdUrl || '(missing)', { mono: true })
    .add('Control URL', d.controlUrl || '(missing)', { mono: true })
    .add('Event URL', d.eventSubUrl || '(missing)', { mono: true })
    .add('Device', deviceLabel(device)));
  const status = ctx.events?.statusOf(device.key, s.key);
  sections.push({
    kind: 'fields', title: 'Events',
    fields: [{ name: 'Subscription', value: status ? subscriptionDescription(status) : d.eventSubUrl ? 'Not subscribed' : 'No event URL: the service sends no events' }],
  });
  return sections;
}

function service(device: DiscoveredDevice, s: ServiceState, ctx: DetailsContext): DetailsModel {
  const sections = serviceFields(device, s, ctx);
  if (s.scpdStatus === 'error') sections.push({ kind: 'fields', title: 'SCPD', fields: [{ name: 'Error', value: text(s.scpdError ?? 'The SCPD could not be read.') }] });
  else if (s.scpdStatus === 'pending') sections.push({ kind: 'fields', title: 'SCPD', fields: [{ name: 'Status', value: 'Loading…' }] });
  const scpd = s.scpd;
  if (scpd) {
    const values = (v: StateVariable): string => (v.sendEvents ? ctx.events?.lastValue(device.key, s.key, v.name) ?? '—' : '');
    sections.push(...table(`State variables (${scpd.stateVariables.length})`, ['Name', 'Type', 'Evented', 'Last value', 'Allowed', 'Default'],
      scpd.stateVariables.map((v) => [v.name, formatDataType(v), v.sendEvents ? (v.multicast ? 'multicast' : 'yes') : 'no', values(v), formatAllowed(v, 12) ?? '', v.defaultValue ?? '']), 3));
    sections.push(...table(`Actions (${scpd.actions.length})`, ['Name', 'In', 'Out'], scpd.actions.map((a) => [
      a.name,
      a.arguments.filter((x) => x.direction === 'in').map((x) => x.name).join(', '),
      a.arguments.filter((x) => x.direction === 'out').map((x) => x.name).join(', '),
    ])));
  }
  sections.push(...problemsSection([...s.description.problems, ...(scpd?.problems ?? [])]));
  return { title: text(serviceLabel(s), 200), subtitle: `service of ${text(deviceLabel(device), 100)}`, sections };
}

function variable(device: DiscoveredDevice, s: ServiceState, v: StateVariable, ctx: DetailsContext): DetailsModel {
  const f = new Fields()
    .add('Data type', formatDataType(v), { mono: true })
    .add('Evented', v.sendEvents ? (v.multicast ? 'yes (multicast)' : 'yes') : 'no')
    .add('Default value', v.defaultValue);
  if (v.allowedValueRange) {
    f.add('Minimum', v.allowedValueRange.minimum).add('Maximum', v.allowedValueRange.maximum).add('Step', v.allowedValueRange.step);
  }
  if (v.sendEvents) {
    const status = ctx.events?.statusOf(device.key, s.key);
    f.add('Last evented value', ctx.events?.lastValue(device.key, s.key, v.name) ?? (status ? 'none yet' : 'subscribe to the service to see it'));
  }
  const sections = fieldsSection('State variable', f);
  if (v.allowedValues && v.allowedValues.length > 0) {
    sections.push(...table(`Allowed values (${v.allowedValues.length})`, ['Value'], v.allowedValues.map((a) => [a])));
  }
  const usedBy = (s.scpd?.actions ?? []).flatMap((a) => a.arguments.filter((x) => x.relatedStateVariable === v.name).map((x) => [a.name, x.name, x.direction]));
  sections.push(...table('Used by', ['Action', 'Argument', 'Direction'], usedBy));
  return { title: text(v.name, 200), subtitle: `state variable of ${text(serviceLabel(s), 100)} · ${text(deviceLabel(device), 100)}`, sections };
}

function action(device: DiscoveredDevice, s: ServiceState, a: Action): DetailsModel {
  const vars = new Map((s.scpd?.stateVariables ?? []).map((v) => [v.name, v]));
  const rows = a.arguments.map((x) => {
    const v = vars.get(x.relatedStateVariable);
    return [x.direction + (x.retval ? ' (retval)' : ''), x.name, x.relatedStateVariable, v ? formatDataType(v) : '(no such variable)', v ? formatAllowed(v, 12) ?? '' : ''];
  });
  const sections: DetailsSection[] = table(`Arguments (${a.arguments.length})`, ['Direction', 'Name', 'Related state variable', 'Type', 'Allowed'], rows);
  if (a.arguments.length === 0) sections.push({ kind: 'fields', title: 'Arguments', fields: [{ name: 'Arguments', value: 'none' }] });
  sections.push(...fieldsSection('Service', new Fields().add('Service type', s.description.serviceType, { mono: true }).add('Control URL', s.description.controlUrl || '(missing)', { mono: true })));
  return { title: text(a.name, 200), subtitle: `action of ${text(serviceTypeShortName(s.description.serviceType), 100)} · ${text(deviceLabel(device), 100)}`, sections };
}

function content(node: Extract<TreeNode, { kind: 'content' }>): DetailsModel | undefined {
  const entry = node.entry;
  if (entry.type === 'root') {
    return { title: 'Content', subtitle: `ContentDirectory of ${text(deviceLabel(node.device), 100)}`, sections: fieldsSection('Container', new Fields().add('Object ID', '0', { mono: true })) };
  }
  if (entry.type !== 'object') return undefined;
  const o = entry.object;
  const f = new Fields()
    .add('Object ID', o.id, { mono: true })
    .add('Parent ID', o.parentId, { mono: true })
    .add('Class', o.upnpClass, { mono: true })
    .add('Date', o.date)
    .add('Creator', o.creator)
    .add('Restricted', o.restricted ? 'yes' : 'no')
    .add('Write status', o.writeStatus);
  if (o.kind === 'container' && o.childCount !== undefined) f.add('Child count', String(o.childCount));
  const sections = fieldsSection(o.kind === 'container' ? 'Container' : 'Item', f);
  sections.push(...table(`Resources (${o.resources.length})`, ['Resource', 'URL'], o.resources.map((r) => [describeResource(r), r.uri])));
  return { title: text(contentLabel(o), 200), subtitle: `${o.kind} · ${text(deviceLabel(node.device), 100)}`, sections };
}

/**
 * The row with its device's current snapshot (the tree's rows carry the one they were drawn from);
 * undefined when the device is gone.
 */
export function withCurrentSnapshot(node: TreeNode, explorer: { get(key: string): DiscoveredDevice | undefined }): TreeNode | undefined {
  const device = explorer.get(node.device.key);
  if (!device) return undefined;
  switch (node.kind) {
    case 'device':
      return node.isRoot ? { ...node, device, description: device.description?.device } : { ...node, device };
    case 'service':
    case 'variables':
    case 'action':
    case 'variable': {
      const service = device.services.find((s) => s.key === node.service.key) ?? node.service;
      if (node.kind === 'action') return { ...node, device, service, action: service.scpd?.actions.find((a) => a.name === node.action.name) ?? node.action };
      if (node.kind === 'variable') return { ...node, device, service, variable: service.scpd?.stateVariables.find((v) => v.name === node.variable.name) ?? node.variable };
      return { ...node, device, service };
    }
    default:
      return { ...node, device };
  }
}
