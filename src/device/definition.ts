// A device definition: a folder holding `upnp-device.json`, the description it names, and the
// SCPDs and icons the description references by relative URL. Loading reads and checks all of it
// through the same parsers the explorer uses on real devices, and reports every problem with its
// file and where in it (JSON path or XML message), never throwing for what the user wrote: a
// definition with problems is not hosted, and the Problems panel says why.
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { parseDeviceDescription } from '../core/description/device';
import type { DeviceDescription, RootDescription, ServiceDescription, ServiceScpd } from '../core/description/model';
import { parseScpd } from '../core/description/scpd';
import { findStateVariable } from '../core/description/lookup';
import { validateValue } from '../core/soap/types';
import { errorMessage } from '../core/util/errors';
import { XmlError } from '../core/xml/xml';
import type { DeviceManifest, ManifestProblem } from './manifest';
import { MANIFEST_FILE, isSafeRelativePath, readManifest } from './manifest';

/** Files of a definition are read whole; a description or SCPD beyond this is not a device's. */
export const MAX_DEFINITION_FILE_BYTES = 2 * 1024 * 1024;
/** The origin descriptions are resolved against while loading: relative URLs map to folder files. */
const LOCAL_ORIGIN = 'http://device.invalid';

export interface DefinitionProblem {
  /** The file, relative to the folder (`upnp-device.json`, `description.xml`, `scpd/switch.xml`). */
  readonly file: string;
  /** JSON path in the manifest; undefined for XML files and whole-file problems. */
  readonly path?: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** Where in an XML file, when the parser could tell (1-based). */
  readonly line?: number;
  readonly column?: number;
}

export interface HostedService {
  readonly description: ServiceDescription;
  /** The folder file of the SCPD. */
  readonly scpdFile: string;
  readonly scpd: ServiceScpd;
  /** URL paths the host serves for it (from the description, relative to the device's origin). */
  readonly controlPath: string;
  readonly eventPath: string;
}

export interface DeviceDefinition {
  readonly folder: string;
  readonly manifest: DeviceManifest;
  /** The description as written (its UDN and friendlyName are filled in when served). */
  readonly descriptionXml: string;
  readonly description: RootDescription;
  readonly services: readonly HostedService[];
}

export interface LoadedDefinition {
  /** Undefined when an error prevents hosting; the problems say why. */
  readonly definition?: DeviceDefinition;
  readonly problems: readonly DefinitionProblem[];
}

/** Reads and checks the definition in `folder`. Never throws for the folder's content. */
export async function loadDeviceDefinition(folder: string): Promise<LoadedDefinition> {
  const problems: DefinitionProblem[] = [];
  const add = (file: string, severity: 'error' | 'warning', message: string, jsonPath?: string): void => {
    problems.push({ file, severity, message, ...(jsonPath !== undefined ? { path: jsonPath } : {}) });
  };
  const addXmlError = (file: string, err: unknown): void => {
    const at = err instanceof XmlError && err.line !== undefined ? { line: err.line, ...(err.column !== undefined ? { column: err.column } : {}) } : {};
    problems.push({ file, severity: 'error', message: errorMessage(err), ...at });
  };

  // The manifest (optional: a bare description folder hosts with the defaults).
  let manifestValue: unknown = {};
  const manifestText = await readText(folder, MANIFEST_FILE);
  if (typeof manifestText === 'string') {
    try {
      manifestValue = JSON.parse(manifestText);
    } catch (err) {
      add(MANIFEST_FILE, 'error', `Not valid JSON: ${errorMessage(err)}`);
      return { problems };
    }
  } else if (manifestText.code !== 'ENOENT') {
    add(MANIFEST_FILE, 'error', manifestText.message);
    return { problems };
  }
  const read = readManifest(manifestValue);
  for (const p of read.problems) add(MANIFEST_FILE, p.severity, p.message, p.path);
  const manifest = read.manifest;

  // The description.
  const descriptionText = await readText(folder, manifest.description);
  if (typeof descriptionText !== 'string') {
    add(manifest.description, 'error', descriptionText.code === 'ENOENT'
      ? `The description ${manifest.description} is missing from the folder (set "description" in ${MANIFEST_FILE} if it has another name).`
      : descriptionText.message);
    return { problems };
  }
  const descriptionUrl = `${LOCAL_ORIGIN}${manifest.http.descriptionPath}`;
  let description: RootDescription;
  try {
    description = parseDeviceDescription(descriptionText, descriptionUrl);
  } catch (err) {
    addXmlError(manifest.description, err);
    return { problems };
  }
  for (const p of description.problems) add(manifest.description, p.severity, p.message);
  forEachDevice(description.device, (d) => { for (const p of d.problems) add(manifest.description, p.severity, p.message); });

  // Each service's SCPD, from the folder.
  const services: HostedService[] = [];
  const allServices: ServiceDescription[] = [];
  forEachDevice(description.device, (d) => allServices.push(...d.services));
  for (const s of allServices) {
    const where = `service ${s.serviceId}`;
    const scpdFile = folderFileOf(s.scpdUrl);
    const controlPath = localPathOf(s.controlUrl);
    const eventPath = localPathOf(s.eventSubUrl);
    if (!scpdFile) {
      add(manifest.description, 'error', `The SCPDURL of ${where} (${s.scpdUrl || 'missing'}) must be a relative URL of a file in the folder.`);
      continue;
    }
    if (!controlPath) add(manifest.description, 'error', `The controlURL of ${where} (${s.controlUrl || 'missing'}) must be a relative URL on this device.`);
    if (!eventPath) add(manifest.description, 'error', `The eventSubURL of ${where} (${s.eventSubUrl || 'missing'}) must be a relative URL on this device.`);
    const text = await readText(folder, scpdFile);
    if (typeof text !== 'string') {
      add(scpdFile, 'error', text.code === 'ENOENT' ? `The SCPD of ${where} is missing: ${scpdFile}.` : text.message);
      continue;
    }
    let scpd: ServiceScpd;
    try {
      scpd = parseScpd(text, s.scpdUrl);
    } catch (err) {
      addXmlError(scpdFile, err);
      continue;
    }
    for (const p of scpd.problems) add(scpdFile, p.severity, p.message);
    if (controlPath && eventPath) services.push({ description: s, scpdFile, scpd, controlPath, eventPath });
  }

  // The manifest's behaviour against what the description and SCPDs declare.
  checkBehaviour(manifest, services, (p) => add(MANIFEST_FILE, p.severity, p.message, p.path));

  if (problems.some((p) => p.severity === 'error')) return { problems };
  return { definition: { folder, manifest, descriptionXml: descriptionText, description, services }, problems };
}

function checkBehaviour(manifest: DeviceManifest, services: readonly HostedService[], add: (p: ManifestProblem) => void): void {
  const byId = new Map(services.map((s) => [s.description.serviceId, s]));
  for (const [serviceId, behaviour] of Object.entries(manifest.services)) {
    const base = `services[${JSON.stringify(serviceId)}]`;
    const service = byId.get(serviceId);
    if (!service) {
      add({ path: base, severity: 'error', message: `The description has no service with serviceId ${serviceId} (it has ${[...byId.keys()].join(', ') || 'none'}).` });
      continue;
    }
    for (const [name, answer] of Object.entries(behaviour.actions)) {
      const path = `${base}.actions.${name}`;
      const action = service.scpd.actions.find((a) => a.name === name);
      if (!action) {
        add({ path, severity: 'error', message: `${serviceId} has no action ${name} in its SCPD.` });
        continue;
      }
      if (answer.kind !== 'outputs') continue;
      for (const [arg, value] of Object.entries(answer.outputs)) {
        const out = action.arguments.find((a) => a.direction === 'out' && a.name === arg);
        if (!out) {
          add({ path: `${path}.outputs.${arg}`, severity: 'error', message: `${name} has no out-argument ${arg} (it has ${action.arguments.filter((a) => a.direction === 'out').map((a) => a.name).join(', ') || 'none'}).` });
          continue;
        }
        const variable = findStateVariable(service.scpd, out.relatedStateVariable);
        const check = variable ? validateValue(value, variable) : undefined;
        if (check && !check.ok) add({ path: `${path}.outputs.${arg}`, severity: 'error', message: `${arg}: ${check.message}` });
        // Outside allowedValueList and the like: a device may do that on purpose (a test of a control point).
        else if (check?.ok) for (const w of check.warnings) add({ path: `${path}.outputs.${arg}`, severity: 'warning', message: `${arg}: ${w}` });
      }
    }
    for (const [name, value] of Object.entries(behaviour.variables)) {
      const path = `${base}.variables.${name}`;
      const variable = findStateVariable(service.scpd, name);
      if (!variable) add({ path, severity: 'error', message: `${serviceId} has no state variable ${name}.` });
      else if (!variable.sendEvents) add({ path, severity: 'warning', message: `${name} is not evented (sendEvents="no"): its initial value is only used as its value.` });
      else {
        const check = validateValue(value, variable);
        if (!check.ok) add({ path, severity: 'error', message: `${name}: ${check.message}` });
        else for (const w of check.warnings) add({ path, severity: 'warning', message: `${name}: ${w}` });
      }
    }
  }
}

function forEachDevice(d: DeviceDescription, visit: (d: DeviceDescription) => void): void {
  visit(d);
  for (const child of d.devices) forEachDevice(child, visit);
}

/** The URL path of a URL on the device (resolved against the local origin), or undefined when it points elsewhere. */
function localPathOf(url: string): string | undefined {
  if (!url.startsWith(`${LOCAL_ORIGIN}/`)) return undefined;
  return url.slice(LOCAL_ORIGIN.length).replace(/[?#].*$/, '');
}

/** The folder file a URL on the device names, or undefined when it can't be one. */
function folderFileOf(url: string): string | undefined {
  const p = localPathOf(url);
  if (p === undefined) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(p.slice(1));
  } catch {
    return undefined;
  }
  return isSafeRelativePath(decoded) ? decoded : undefined;
}

/** A folder file's text, or why not (ENOENT, too large, not a file, unreadable). */
async function readText(folder: string, relative: string): Promise<string | { code: string; message: string }> {
  if (!isSafeRelativePath(relative)) return { code: 'EPATH', message: `${relative} is not a path inside the device folder.` };
  const file = path.join(folder, ...relative.split('/'));
  try {
    const info = await stat(file);
    if (!info.isFile()) return { code: 'ENOTFILE', message: `${relative} is not a file.` };
    if (info.size > MAX_DEFINITION_FILE_BYTES) return { code: 'EFBIG', message: `${relative} is ${info.size.toLocaleString('en-US')} bytes; files of a device definition are at most ${MAX_DEFINITION_FILE_BYTES.toLocaleString('en-US')}.` };
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'EIO';
    return { code, message: code === 'ENOENT' ? `${relative} is missing.` : `Could not read ${relative}: ${errorMessage(err)}` };
  }
}
