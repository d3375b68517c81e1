// A described device as the registry would hold it, built from the captured fixtures: for tests
// of the host's pure logic (tree, details) in plain Node.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDeviceDescription } from '../../src/core/description/device';
import { parseScpd } from '../../src/core/description/scpd';
import type { DeviceDescription } from '../../src/core/description/model';
import type { DiscoveredDevice, ServiceState } from '../../src/core/registry/types';

const fixtures = join(__dirname, '..', 'fixtures');

export function readFixture(p: string): string {
  return readFileSync(join(fixtures, p), 'utf8');
}

function allDevices(d: DeviceDescription): DeviceDescription[] {
  return [d, ...d.devices.flatMap(allDevices)];
}

/** A described device as the registry would hold it; `scpds` maps serviceId to an SCPD fixture (missing = pending). */
export function described(descPath: string, location: string, scpds: Record<string, string | Error> = {}, extra: Partial<DiscoveredDevice> = {}): DiscoveredDevice {
  const xml = readFixture(descPath);
  const description = parseDeviceDescription(xml, location);
  const services: ServiceState[] = allDevices(description.device).flatMap((dev) => dev.services.map((s): ServiceState => {
    const base = { key: `${dev.udn}::${s.serviceId}`, deviceUdn: dev.udn, description: s };
    const scpd = scpds[s.serviceId];
    if (scpd === undefined) return { ...base, scpdStatus: 'pending' };
    if (scpd instanceof Error) return { ...base, scpdStatus: 'error', scpdError: scpd.message };
    const scpdXml = readFixture(scpd);
    return { ...base, scpdStatus: 'ready', scpd: parseScpd(scpdXml, s.scpdUrl), scpdXml };
  }));
  return {
    key: `udn:${description.device.udn}`, udn: description.device.udn, location, locations: [location],
    usns: [`${description.device.udn}::upnp:rootdevice`], source: 'ssdp', status: 'ready',
    description, descriptionXml: xml, services, problems: [], firstSeen: 0, lastSeen: 0, ...extra,
  };
}
