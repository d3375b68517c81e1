// What UPnP error codes mean. The device's own errorDescription is often empty, terse or in
// another language, so the explorer shows the meaning the specifications give the code as well.
//
// 4xx–6xx are defined by the Device Architecture for every service (UDA 1.1 §3.2.2 table 3-3,
// UDA 2.0 §3.3.2 for 606–612). 700–799 are defined per service template, so the same number means
// different things in ContentDirectory and AVTransport; 800–899 are left to vendors.

const COMMON: Readonly<Record<number, string>> = {
  401: 'Invalid Action',
  402: 'Invalid Args',
  403: 'Out of Sync (deprecated)',
  404: 'Invalid Var',
  412: 'Precondition Failed',
  501: 'Action Failed',
  600: 'Argument Value Invalid',
  601: 'Argument Value Out of Range',
  602: 'Optional Action Not Implemented',
  603: 'Out of Memory',
  604: 'Human Intervention Required',
  605: 'String Argument Too Long',
  606: 'Action not authorized',
  607: 'Signature failure',
  608: 'Signature missing',
  609: 'Not encrypted',
  610: 'Invalid sequence',
  611: 'Invalid control URL',
  612: 'No such session',
};

// ContentDirectory:1–4 (CDS:1 §2.7.16 and later versions).
const CONTENT_DIRECTORY: Readonly<Record<number, string>> = {
  701: 'No such object',
  702: 'Invalid CurrentTagValue',
  703: 'Invalid NewTagValue',
  704: 'Required tag',
  705: 'Read only tag',
  706: 'Parameter Mismatch',
  708: 'Unsupported or invalid search criteria',
  709: 'Unsupported or invalid sort criteria',
  710: 'No such container',
  711: 'Restricted object',
  712: 'Bad metadata',
  713: 'Restricted parent object',
  714: 'No such source resource',
  715: 'Source resource access denied',
  716: 'Transfer busy',
  717: 'No such file transfer',
  718: 'No such destination resource',
  719: 'Destination resource access denied',
  720: 'Cannot process the request',
};

// AVTransport:1–3.
const AV_TRANSPORT: Readonly<Record<number, string>> = {
  701: 'Transition not available',
  702: 'No contents',
  703: 'Read error',
  704: 'Format not supported for playback',
  705: 'Transport is locked',
  706: 'Write error',
  707: 'Media is protected or not writable',
  708: 'Format not supported for recording',
  709: 'Media is full',
  710: 'Seek mode not supported',
  711: 'Illegal seek target',
  712: 'Play mode not supported',
  713: 'Record quality not supported',
  714: 'Illegal MIME-type',
  715: "Content 'BUSY'",
  716: 'Resource not found',
  717: 'Play speed not supported',
  718: 'Invalid InstanceID',
  719: 'DRM error',
  720: 'Expired content',
  721: 'Non-allowed use',
  722: "Can't determine allowed uses",
  723: 'Exhausted allowed use',
  724: 'Device authentication failure',
  725: 'Device revocation',
  726: 'Invalid StateVariableList',
  727: 'Ill-formed CSV List',
  728: 'Invalid State Variable Value',
  729: 'Invalid Service Type',
  730: 'Invalid Service Id',
  731: 'Invalid time, offset or position value',
  732: 'Unable to calculate sync point',
  733: 'Sync, position or offset too early or small',
  734: 'Illegal PlaylistOffset',
  735: 'Incorrect Playlist Length',
  736: 'Illegal playlist',
  737: 'No DNS Server',
  738: 'Bad Domain Name',
  739: 'Server Error',
};

// RenderingControl:1–3.
const RENDERING_CONTROL: Readonly<Record<number, string>> = {
  701: 'Invalid Name',
  702: 'Invalid InstanceID',
  703: 'Invalid Channel',
  704: 'Invalid StateVariableList',
  705: 'Ill-formed CSV List',
  706: 'Invalid State Variable Value',
  707: "Invalid MediaRenderer's UDN",
  708: 'Invalid Service Type',
  709: 'Invalid Service Id',
  710: 'State Variables Specified Improperly',
};

// ConnectionManager:1–3.
const CONNECTION_MANAGER: Readonly<Record<number, string>> = {
  701: 'Incompatible protocol info',
  702: 'Incompatible directions',
  703: 'Insufficient network resources',
  704: 'Local restrictions',
  705: 'Access denied',
  706: 'Invalid connection reference',
  707: 'Not in network',
};

// WANIPConnection:1–2 and WANPPPConnection:1 (the IGD port-mapping and connection errors).
const WAN_CONNECTION: Readonly<Record<number, string>> = {
  703: 'Inactive connection state required',
  704: 'Connection setup failed',
  705: 'Connection setup in progress',
  706: 'Connection not configured',
  707: 'Disconnect in progress',
  708: 'Invalid layer-2 address',
  709: 'Internet access disabled',
  710: 'Invalid connection type',
  711: 'Connection already terminated',
  713: 'Specified array index invalid (no port mapping at that index)',
  714: 'No such entry in array (no such port mapping)',
  715: 'Wildcard not permitted in source IP',
  716: 'Wildcard not permitted in external port',
  718: 'Conflict in mapping entry (the external port is mapped to another client)',
  724: 'Same port values required (internal and external port must match)',
  725: 'Only permanent leases supported (use a lease duration of 0)',
  726: 'Remote host only supports wildcard',
  727: 'External port only supports wildcard',
  728: 'No port maps available',
  729: 'Conflict with other mechanisms',
  732: 'Wildcard not permitted in internal port',
  733: 'Inconsistent parameters',
};

const BY_SERVICE: ReadonlyArray<[string, Readonly<Record<number, string>>]> = [
  ['WANIPConnection', WAN_CONNECTION],
  ['WANPPPConnection', WAN_CONNECTION],
  ['ContentDirectory', CONTENT_DIRECTORY],
  ['AVTransport', AV_TRANSPORT],
  ['RenderingControl', RENDERING_CONTROL],
  ['ConnectionManager', CONNECTION_MANAGER],
];

/** The service name of a type URN: `urn:schemas-upnp-org:service:ContentDirectory:1` -> `ContentDirectory`. */
function serviceName(serviceType: string): string | undefined {
  return /^urn:[^:]+:service:([^:]+)(?::\d+)?$/.exec(serviceType.trim())?.[1];
}

/**
 * The meaning a specification gives `code`, for the service `serviceType` when the code is
 * service-specific (7xx). Undefined when no specification the explorer knows defines it.
 */
export function upnpErrorMeaning(code: number, serviceType?: string): string | undefined {
  if (Object.hasOwn(COMMON, code)) return COMMON[code];
  if (code >= 700 && code <= 799 && serviceType) {
    const name = serviceName(serviceType);
    const table = BY_SERVICE.find(([n]) => n === name)?.[1];
    if (table && Object.hasOwn(table, code)) return table[code];
  }
  return undefined;
}

/**
 * Like `upnpErrorMeaning`, but always says something: the range a code falls in when no
 * specification names it (e.g. "vendor-defined error (800–899)").
 */
export function describeUpnpErrorCode(code: number, serviceType?: string): string {
  const known = upnpErrorMeaning(code, serviceType);
  if (known) return known;
  if (code >= 700 && code <= 799) {
    const name = serviceType ? serviceName(serviceType) : undefined;
    return name ? `error defined by the ${name} service (700–799), not one the explorer knows` : 'action-specific error (700–799)';
  }
  if (code >= 800 && code <= 899) return 'vendor-defined error (800–899)';
  if (code >= 613 && code <= 699) return 'reserved for future UPnP use (613–699)';
  return 'not a standard UPnP error code';
}
