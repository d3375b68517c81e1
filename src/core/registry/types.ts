// What the registry knows about each root device, merged from SSDP sightings, its description
// and its SCPDs. Plain data: the tree, tests and benchmarks read it; only the registry writes it.
import type { Problem, RootDescription, ServiceDescription, ServiceScpd } from '../description/model';

export type DeviceStatus = 'describing' | 'ready' | 'error';

export type ScpdStatus = 'pending' | 'ready' | 'error';

export interface ServiceState {
  /** `${deviceUdn}::${serviceId}` — unique within a root device. */
  readonly key: string;
  readonly deviceUdn: string;
  readonly description: ServiceDescription;
  readonly scpdStatus: ScpdStatus;
  readonly scpd?: ServiceScpd;
  /** The SCPD as the device sent it, for "Open SCPD". */
  readonly scpdXml?: string;
  /** Why the SCPD could not be used, in words a user can act on. */
  readonly scpdError?: string;
}

export type DeviceSource = 'ssdp' | 'manual';

export interface DeviceSighting {
  /** Our local address on the interface where we saw it (search socket or NOTIFY listener). */
  readonly localAddress?: string;
  /** The device's address as seen in the packet. */
  readonly remoteAddress?: string;
}

export interface DiscoveredDevice {
  /** Stable opaque identity for the life of the entry (e.g. `d3`), used for tree item ids. */
  readonly key: string;
  /** Root UDN (`uuid:…`), from the description or, before that, the USN. */
  readonly udn?: string;
  /** Description URL in use. */
  readonly location: string;
  /** Every LOCATION seen for this device (several interfaces, or IPv4 and IPv6). */
  readonly locations: readonly string[];
  /** Every USN seen (`uuid:…::upnp:rootdevice`, `uuid:…::urn:…:service:…`, …). */
  readonly usns: readonly string[];
  readonly server?: string;
  readonly remoteAddress?: string;
  readonly localAddress?: string;
  readonly source: DeviceSource;
  /** CACHE-CONTROL max-age of the last announcement; absent for manual devices (they never expire). */
  readonly maxAgeSeconds?: number;
  /** Epoch ms after which the device is dropped unless re-announced. */
  readonly expiresAt?: number;
  readonly bootId?: string;
  readonly configId?: string;
  readonly status: DeviceStatus;
  /** Set when status is 'error': what went wrong, e.g. "…/desc.xml answered HTTP 404 Not Found". */
  readonly error?: string;
  readonly description?: RootDescription;
  /** The description as the device sent it, for "Open Description". */
  readonly descriptionXml?: string;
  /** Every service of the root and embedded devices, in document order. */
  readonly services: readonly ServiceState[];
  /** Problems gathered from the description and SCPDs (warnings included). */
  readonly problems: readonly Problem[];
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** 'merged': the same device turned out to be known already (seen on another interface). */
export type RemovalReason = 'byebye' | 'expired' | 'removed' | 'merged';

export interface DeviceRemoved {
  readonly device: DiscoveredDevice;
  readonly reason: RemovalReason;
}
