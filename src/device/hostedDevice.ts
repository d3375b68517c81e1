// A device definition brought to life: its folder loaded and checked, its identity resolved, its
// HTTP side (DeviceHost) serving on each chosen interface and its SSDP side (SsdpAnnouncer)
// announcing it there. Either all of it starts or none of it does: a definition with errors, a
// busy port or no usable interface leaves nothing half-started behind.
//
// This is the library entry point for hosting; the extension adds only commands, views and logs.
import { createHash } from 'node:crypto';
import type { SsdpInterface } from '../core/ssdp/interfaces';
import { isLinkLocal6, scopedAddress } from '../core/ssdp/interfaces';
import type { AnnouncerLogEntry } from './announcer';
import { SsdpAnnouncer } from './announcer';
import type { DefinitionProblem, DeviceDefinition } from './definition';
import { loadDeviceDefinition } from './definition';
import type { HostLogEntry } from './host';
import { DeviceHost, servedDescription } from './host';
import type { DeviceIdentity } from './identity';
import { resolveIdentity } from './identity';
import { expandFriendlyName } from './manifest';
import { servedUdns, ssdpTargets } from './ssdpTargets';
import type { SsdpTarget } from './ssdpTargets';

export type HostedLogEntry = HostLogEntry | AnnouncerLogEntry;

export interface HostedDeviceOptions {
  /**
   * Interface addresses to serve and announce on: IPv4 ones, and IPv6 ones (see ipv6AddressesOf)
   * when the device is to be found over IPv6 too.
   */
  readonly interfaces: readonly SsdpInterface[];
  readonly hostname: string;
  readonly user: string;
  readonly log?: (entry: HostedLogEntry) => void;
  /** Tests only: SSDP on another port than 1900. */
  readonly ssdpPort?: number;
}

/** The definition can't be hosted; `problems` says why, file by file. */
export class DefinitionError extends Error {
  constructor(readonly folder: string, readonly problems: readonly DefinitionProblem[]) {
    const errors = problems.filter((p) => p.severity === 'error');
    super(`The device definition in ${folder} has ${errors.length === 1 ? 'an error' : `${errors.length} errors`}: ${errors.slice(0, 3).map((p) => `${p.file}${p.path ? ` ${p.path}` : ''}: ${p.message}`).join('; ')}${errors.length > 3 ? '; …' : ''}`);
    this.name = 'DefinitionError';
  }
}

export class HostedDevice {
  private constructor(
    readonly definition: DeviceDefinition,
    readonly identity: DeviceIdentity,
    readonly http: DeviceHost,
    readonly ssdp: SsdpAnnouncer,
    readonly targets: readonly SsdpTarget[],
    /** Warnings of the definition (it hosts, but the user should know). */
    readonly warnings: readonly DefinitionProblem[],
    names: { readonly hostname: string; readonly user: string },
  ) {
    const template = definition.manifest.identity.friendlyName;
    this.friendlyName = template ? expandFriendlyName(template, names) : definition.description.device.friendlyName;
  }

  static async start(folder: string, options: HostedDeviceOptions): Promise<HostedDevice> {
    const loaded = await loadDeviceDefinition(folder);
    if (!loaded.definition || loaded.problems.some((p) => p.severity === 'error')) throw new DefinitionError(folder, loaded.problems);
    const definition = loaded.definition;
    const identity = await resolveIdentity(folder, definition.manifest);
    const interfaces = options.interfaces;
    if (interfaces.length === 0) throw new Error('Hosting needs an interface address to serve on; none was chosen.');
    const http = await DeviceHost.start(definition, identity, {
      addresses: interfaces.map(scopedAddress),
      hostname: options.hostname,
      user: options.user,
      ...(options.log ? { log: options.log } : {}),
    });
    const targets = ssdpTargets(definition.description.device, servedUdns(definition.description.device, identity.udn));
    const spec = definition.description.specVersion;
    const uda11 = spec !== undefined && (spec.major > 1 || (spec.major === 1 && spec.minor >= 1));
    const manifest = definition.manifest;
    let ssdp: SsdpAnnouncer;
    try {
      ssdp = await SsdpAnnouncer.start({
        interfaces,
        targets,
        locationFor: (address) => locationOf(http, interfaces, address),
        server: manifest.ssdp.server,
        maxAgeSeconds: manifest.ssdp.maxAgeSeconds,
        answer: manifest.ssdp.answer,
        mxDelay: manifest.ssdp.mxDelay,
        headers: manifest.ssdp.headers,
        ...(uda11 ? { uda11: { bootId: Math.floor(Date.now() / 1000) & 0x7fffffff, configId: configIdOf(definition, identity, options) } } : {}),
        ...(options.log ? { log: options.log } : {}),
        ...(options.ssdpPort !== undefined ? { port: options.ssdpPort } : {}),
      });
    } catch (err) {
      await http.stop();
      throw err;
    }
    return new HostedDevice(definition, identity, http, ssdp, targets, loaded.problems.filter((p) => p.severity === 'warning'), options);
  }

  get folder(): string {
    return this.definition.folder;
  }

  /** The LOCATION announced on one of the interface addresses hosted on. */
  locationFor(address: string): string {
    return locationOf(this.http, this.ssdp.interfaces.map((i) => i.iface), address);
  }

  /** The name control points show (the manifest's template filled in, or the description's). */
  readonly friendlyName: string = '';

  /** byebye on every interface, then the HTTP side closes. */
  async stop(): Promise<void> {
    await this.ssdp.stop();
    await this.http.stop();
  }
}

/**
 * The address LOCATION names for an interface address: on IPv6, the interface's routable
 * (unique-local or global) address when it has one, because a link-local URL can't carry the zone
 * a client needs to reach it (RFC 6874 zones are refused by WHATWG URL parsers, so by most HTTP
 * clients); a link-local address only where it is all there is.
 */
export function locationInterface(interfaces: readonly SsdpInterface[], address: string): SsdpInterface {
  const own = interfaces.find((i) => i.address === address) ?? interfaces[0]!;
  if (own.family !== 6 || !isLinkLocal6(own.address)) return own;
  return interfaces.find((i) => i.family === 6 && i.name === own.name && !isLinkLocal6(i.address)) ?? own;
}

function locationOf(http: DeviceHost, interfaces: readonly SsdpInterface[], address: string): string {
  return interfaces.length === 0 ? http.location : http.locationFor(scopedAddress(locationInterface(interfaces, address)));
}

/** UDA 1.1 CONFIGID.UPNP.ORG: changes when what the device describes changes (0 … 2^24 − 1). */
function configIdOf(definition: DeviceDefinition, identity: DeviceIdentity, names: { readonly hostname: string; readonly user: string }): number {
  const h = createHash('sha1').update(servedDescription(definition, identity, names));
  for (const s of definition.services) h.update(`\n${s.scpdFile}\n${JSON.stringify(s.scpd)}`);
  return parseInt(h.digest('hex').slice(0, 6), 16);
}
