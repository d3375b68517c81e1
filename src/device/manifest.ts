// A hosted device's manifest (`upnp-device.json` in its folder): what the description XML can't
// say — how it answers SSDP, how its HTTP server presents itself, its identity, and the canned
// behaviour of its actions and evented variables. Read leniently: every field has a default, and
// each value that can't be used is reported with its JSON path (for the Problems panel) and
// replaced by the default, so a manifest with one typo still hosts a device that says why.
// No `vscode`; media/upnp-device.schema.json describes the same fields for the editor.

export const MANIFEST_FILE = 'upnp-device.json';

/** Which M-SEARCH targets the device answers. */
export type SsdpAnswerPolicy =
  /** ssdp:all, upnp:rootdevice, its UUID and each of its device and service types (UDA). */
  | 'all'
  /** Only upnp:rootdevice and ssdp:all, as the Canon pairing helper does. */
  | 'root';

export interface ManifestSsdp {
  /** SERVER header of answers and NOTIFYs, e.g. `Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0`. */
  readonly server: string;
  /** CACHE-CONTROL max-age; the device re-announces well within it. */
  readonly maxAgeSeconds: number;
  readonly answer: SsdpAnswerPolicy;
  /** Wait a random delay up to the search's MX before answering (UDA); the Canon helper doesn't. */
  readonly mxDelay: boolean;
  /** Extra headers on answers and NOTIFYs. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface ManifestHttp {
  /** 0: any free port. */
  readonly port: number;
  /** Path the description is served at (LOCATION's path). */
  readonly descriptionPath: string;
  /** HTTP Server header; the SSDP SERVER string when not given. */
  readonly server: string;
  /** Content-Type of the description and SCPDs. */
  readonly contentType: string;
}

export interface ManifestIdentity {
  /**
   * `uuid:…` to use, or undefined: one is created on the first start and kept in the folder
   * (.upnp-device-uuid), so a paired camera recognises the device forever.
   */
  readonly uuid?: string;
  /** friendlyName template; `${hostname}` and `${user}` are replaced. Undefined: the description's. */
  readonly friendlyName?: string;
}

/** What an action answers: output values, or a UPnP fault. */
export type CannedAnswer =
  | { readonly kind: 'outputs'; readonly outputs: Readonly<Record<string, string>> }
  | { readonly kind: 'fault'; readonly code: number; readonly description: string };

export interface ManifestService {
  /** By action name. Actions not listed answer their out-arguments' defaults (or empty). */
  readonly actions: Readonly<Record<string, CannedAnswer>>;
  /** Initial values of evented state variables, by name. */
  readonly variables: Readonly<Record<string, string>>;
}

export interface DeviceManifest {
  /** The description's file in the folder. */
  readonly description: string;
  readonly ssdp: ManifestSsdp;
  readonly http: ManifestHttp;
  readonly identity: ManifestIdentity;
  /** By serviceId (e.g. `urn:upnp-org:serviceId:SwitchPower:1`). */
  readonly services: Readonly<Record<string, ManifestService>>;
}

export interface ManifestProblem {
  /** JSON path of the value, e.g. `ssdp.maxAgeSeconds` or `services["urn:…"].actions.SetTarget`. */
  readonly path: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export const DEFAULT_SERVER = 'Linux/6 UPnP/1.1 UPnP-Explorer/0.1';
export const DEFAULT_CONTENT_TYPE = 'text/xml; charset="utf-8"';
export const MIN_MAX_AGE = 60;
export const MAX_MAX_AGE = 86_400;
const MAX_TEXT = 1024;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the announcer writes itself: a manifest can't replace them. */
const RESERVED_HEADERS = new Set(['host', 'st', 'nt', 'nts', 'usn', 'location', 'cache-control', 'server', 'ext', 'date', 'man', 'mx']);
const UUID = /^uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value a header or an XML text node can carry: one line, printable, bounded. */
function isHeaderText(v: unknown): v is string {
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  return typeof v === 'string' && v.length <= MAX_TEXT && !/[\u0000-\u001f\u007f]/.test(v);
}

const key = (path: string, name: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`);

/** Reads a parsed `upnp-device.json`; never throws. */
export function readManifest(value: unknown): { manifest: DeviceManifest; problems: ManifestProblem[] } {
  const problems: ManifestProblem[] = [];
  const error = (path: string, message: string): void => { problems.push({ path, severity: 'error', message }); };
  const warn = (path: string, message: string): void => { problems.push({ path, severity: 'warning', message }); };
  const root = isRecord(value) ? value : {};
  if (!isRecord(value)) error('', 'The manifest must be a JSON object; the defaults are used.');
  const known = (obj: Record<string, unknown>, path: string, names: readonly string[]): void => {
    for (const k of Object.keys(obj)) if (!names.includes(k) && k !== '$schema') warn(key(path, k).replace(/^\./, ''), `Unknown field "${k}": it is ignored.`);
  };
  known(root, '', ['description', 'ssdp', 'http', 'identity', 'services']);

  let description = 'description.xml';
  if (root.description !== undefined) {
    if (typeof root.description === 'string' && isSafeRelativePath(root.description)) description = root.description;
    else error('description', 'Must be the path of a file inside the device folder, e.g. "description.xml".');
  }

  const section = (name: string): Record<string, unknown> => {
    const v = root[name];
    if (v === undefined) return {};
    if (isRecord(v)) return v;
    error(name, `Must be an object; the defaults are used.`);
    return {};
  };

  // ---- ssdp ----
  const s = section('ssdp');
  known(s, 'ssdp', ['server', 'maxAgeSeconds', 'answer', 'mxDelay', 'headers']);
  let server = DEFAULT_SERVER;
  if (s.server !== undefined) {
    if (isHeaderText(s.server) && s.server.trim() !== '') server = s.server;
    else error('ssdp.server', 'Must be one line of text, e.g. "Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0".');
  }
  let maxAgeSeconds = 1800;
  if (s.maxAgeSeconds !== undefined) {
    if (Number.isInteger(s.maxAgeSeconds) && (s.maxAgeSeconds as number) >= MIN_MAX_AGE && (s.maxAgeSeconds as number) <= MAX_MAX_AGE) maxAgeSeconds = s.maxAgeSeconds as number;
    else error('ssdp.maxAgeSeconds', `Must be a whole number of seconds from ${MIN_MAX_AGE} to ${MAX_MAX_AGE} (UDA asks for at least 1800).`);
  }
  if (maxAgeSeconds < 1800) warn('ssdp.maxAgeSeconds', `UDA asks for a max-age of at least 1800 s; ${maxAgeSeconds} s is used as given.`);
  let answer: SsdpAnswerPolicy = 'all';
  if (s.answer !== undefined) {
    if (s.answer === 'all' || s.answer === 'root') answer = s.answer;
    else error('ssdp.answer', 'Must be "all" (every search target of the device) or "root" (only upnp:rootdevice and ssdp:all).');
  }
  let mxDelay = true;
  if (s.mxDelay !== undefined) {
    if (typeof s.mxDelay === 'boolean') mxDelay = s.mxDelay;
    else error('ssdp.mxDelay', 'Must be true or false.');
  }
  const headers: Record<string, string> = {};
  if (s.headers !== undefined) {
    if (!isRecord(s.headers)) error('ssdp.headers', 'Must be an object of header names and values.');
    else {
      for (const [name, v] of Object.entries(s.headers)) {
        const path = key('ssdp.headers', name);
        if (!HEADER_NAME.test(name)) error(path, `"${name}" is not a valid header name.`);
        else if (RESERVED_HEADERS.has(name.toLowerCase())) error(path, `${name.toUpperCase()} is written by the host itself; set it elsewhere in the manifest or leave it out.`);
        else if (!isHeaderText(v)) error(path, 'Must be one line of text.');
        else headers[name] = v;
      }
    }
  }

  // ---- http ----
  const h = section('http');
  known(h, 'http', ['port', 'descriptionPath', 'server', 'contentType']);
  let port = 0;
  if (h.port !== undefined) {
    if (Number.isInteger(h.port) && (h.port as number) >= 0 && (h.port as number) <= 65535) port = h.port as number;
    else error('http.port', 'Must be a port number from 1 to 65535, or 0 for any free port.');
  }
  let descriptionPath = `/${description.split('/').map(encodeURIComponent).join('/')}`;
  if (h.descriptionPath !== undefined) {
    if (typeof h.descriptionPath === 'string' && /^\/[!$&'()*+,;=:@A-Za-z0-9._~%/-]*$/.test(h.descriptionPath) && !h.descriptionPath.split('/').includes('..')) descriptionPath = h.descriptionPath;
    else error('http.descriptionPath', 'Must be an absolute URL path such as "/description.xml".');
  }
  let httpServer = server;
  if (h.server !== undefined) {
    if (isHeaderText(h.server) && h.server.trim() !== '') httpServer = h.server;
    else error('http.server', 'Must be one line of text.');
  }
  let contentType = DEFAULT_CONTENT_TYPE;
  if (h.contentType !== undefined) {
    if (isHeaderText(h.contentType) && /^[\w.+-]+\/[\w.+-]+/.test(h.contentType)) contentType = h.contentType;
    else error('http.contentType', 'Must be a media type such as text/xml; charset="utf-8".');
  }

  // ---- identity ----
  const id = section('identity');
  known(id, 'identity', ['uuid', 'friendlyName']);
  let uuid: string | undefined;
  if (id.uuid !== undefined) {
    if (typeof id.uuid === 'string' && UUID.test(id.uuid)) uuid = id.uuid.toLowerCase();
    else error('identity.uuid', 'Must be "uuid:" followed by a UUID (8-4-4-4-12 hex digits); leave it out to have one created and kept.');
  }
  let friendlyName: string | undefined;
  if (id.friendlyName !== undefined) {
    if (isHeaderText(id.friendlyName) && id.friendlyName.trim() !== '' && id.friendlyName.length <= 256) friendlyName = id.friendlyName;
    else error('identity.friendlyName', 'Must be one line of text (at most 256 characters); ${hostname} and ${user} are replaced.');
  }

  // ---- services ----
  const services: Record<string, ManifestService> = {};
  const svc = section('services');
  for (const [serviceId, raw] of Object.entries(svc)) {
    const path = key('services', serviceId);
    if (!isRecord(raw)) {
      error(path, 'Must be an object with "actions" and/or "variables".');
      continue;
    }
    known(raw, path, ['actions', 'variables']);
    const actions: Record<string, CannedAnswer> = {};
    if (raw.actions !== undefined) {
      if (!isRecord(raw.actions)) error(`${path}.actions`, 'Must be an object keyed by action name.');
      else {
        for (const [name, a] of Object.entries(raw.actions)) {
          const ap = key(`${path}.actions`, name);
          const canned = readCanned(a, ap, error);
          if (canned) actions[name] = canned;
        }
      }
    }
    const variables: Record<string, string> = {};
    if (raw.variables !== undefined) {
      if (!isRecord(raw.variables)) error(`${path}.variables`, 'Must be an object of variable names and initial values.');
      else {
        for (const [name, v] of Object.entries(raw.variables)) {
          if (typeof v === 'string' && v.length <= 65_536) variables[name] = v;
          else if (typeof v === 'number' || typeof v === 'boolean') variables[name] = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
          else error(key(`${path}.variables`, name), 'Must be the initial value as a string (or a number or boolean).');
        }
      }
    }
    services[serviceId] = { actions, variables };
  }

  return {
    manifest: {
      description,
      ssdp: { server, maxAgeSeconds, answer, mxDelay, headers },
      http: { port, descriptionPath, server: httpServer, contentType },
      identity: { ...(uuid !== undefined ? { uuid } : {}), ...(friendlyName !== undefined ? { friendlyName } : {}) },
      services,
    },
    problems,
  };
}

function readCanned(value: unknown, path: string, error: (path: string, message: string) => void): CannedAnswer | undefined {
  if (!isRecord(value) || (value.outputs === undefined) === (value.fault === undefined)) {
    error(path, 'Must be { "outputs": { … } } or { "fault": { "code": 7xx, "description": "…" } }.');
    return undefined;
  }
  if (value.fault !== undefined) {
    const f = value.fault;
    if (!isRecord(f) || !Number.isInteger(f.code) || (f.code as number) < 400 || (f.code as number) > 999 || !isHeaderText(f.description)) {
      error(`${path}.fault`, 'Must have a "code" (a UPnP error code, 400-999, e.g. 701) and a one-line "description".');
      return undefined;
    }
    return { kind: 'fault', code: f.code as number, description: f.description };
  }
  if (!isRecord(value.outputs)) {
    error(`${path}.outputs`, 'Must be an object of out-argument names and values.');
    return undefined;
  }
  const outputs: Record<string, string> = {};
  for (const [name, v] of Object.entries(value.outputs)) {
    if (typeof v === 'string') outputs[name] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') outputs[name] = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
    else error(key(`${path}.outputs`, name), 'Must be the value as a string (or a number or boolean).');
  }
  return { kind: 'outputs', outputs };
}

/** A relative path that stays inside the folder: no absolute path, no `..`, no backslashes or drive letters. */
export function isSafeRelativePath(p: string): boolean {
  if (p === '' || p.length > 512 || p.startsWith('/') || p.includes('\\') || /^[A-Za-z]:/.test(p)) return false;
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u001f]/.test(p)) return false;
  return p.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** The friendlyName from its template: `${hostname}` and `${user}` replaced. */
export function expandFriendlyName(template: string, values: { readonly hostname: string; readonly user: string }): string {
  return template.replace(/\$\{(hostname|user)\}/g, (_, name: 'hostname' | 'user') => values[name]);
}
