// Short display names for URN types: `urn:schemas-upnp-org:device:MediaServer:1` -> `MediaServer:1`.

const TYPE_URN = /^urn:([^:]+):(device|service):([^:]+)(?::(\d+))?$/;

export interface ParsedTypeUrn {
  readonly domain: string;
  readonly kind: 'device' | 'service';
  readonly type: string;
  readonly version: number;
}

export function parseTypeUrn(urn: string): ParsedTypeUrn | undefined {
  const m = TYPE_URN.exec(urn.trim());
  if (!m) return undefined;
  return { domain: m[1]!, kind: m[2] as 'device' | 'service', type: m[3]!, version: m[4] ? Number(m[4]) : 1 };
}

export function deviceTypeShortName(deviceType: string): string {
  return shortName(deviceType);
}

export function serviceTypeShortName(serviceType: string): string {
  return shortName(serviceType);
}

function shortName(urn: string): string {
  const parsed = parseTypeUrn(urn);
  if (!parsed) return urn;
  return `${parsed.type}:${parsed.version}`;
}
