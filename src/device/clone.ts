// Clone to Workspace: a discovered device turned into a definition folder that hosts as it.
// The description and SCPDs are kept as the device sent them, with their URLs made relative to
// the folder (SCPDs in scpd/, icons in icons/, control and event URLs on the clone); the SSDP
// SERVER and max-age go into the manifest; the answers the user got from the device (the action
// history) become canned answers, checked against the SCPD like any manifest value.
//
// Plain data in, files out: the extension gathers what the registry and the history hold.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { RootDescription, ServiceDescription, ServiceScpd } from '../core/description/model';
import { findStateVariable } from '../core/description/lookup';
import { validateValue } from '../core/soap/types';
import { xmlUnescape } from '../core/xml/xml';
import { MANIFEST_FILE, MAX_MAX_AGE, MIN_MAX_AGE } from './manifest';

export type CloneAnswer =
  | { readonly outputs: Readonly<Record<string, string>> }
  | { readonly fault: { readonly code: number; readonly description: string } };

export interface CloneInput {
  /** The description as the device sent it, and as the explorer parsed it (absolute URLs). */
  readonly descriptionXml: string;
  readonly description: RootDescription;
  readonly location: string;
  /** Each service's SCPD as the device sent it (services without one are noted). */
  readonly scpds: ReadonlyArray<{ readonly service: ServiceDescription; readonly xml: string | undefined; readonly scpd: ServiceScpd | undefined }>;
  readonly icons: ReadonlyArray<{ readonly url: string; readonly mimeType: string; readonly bytes: Uint8Array }>;
  readonly ssdp: { readonly server?: string; readonly maxAgeSeconds?: number };
  /** Answers from the history, newest first. */
  readonly answers: ReadonlyArray<{ readonly serviceId: string; readonly action: string; readonly answer: CloneAnswer }>;
  /** Keep the original's UUID (the clone then answers as the original: only while it is away). */
  readonly keepIdentity: boolean;
  /** For the README: when, and what made it. */
  readonly clonedAt: string;
  /** Problems met while gathering (icons that didn't load, …), for the README. */
  readonly gatherNotes?: readonly string[];
}

export interface ClonePlan {
  /** Relative path → content. */
  readonly files: ReadonlyMap<string, string | Uint8Array>;
  /** What was left out or changed, in words (also in the README). */
  readonly notes: readonly string[];
}

const EXTENSIONS: Readonly<Record<string, string>> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/bmp': 'bmp', 'image/webp': 'webp' };
const HEADER_TEXT = /^[^\r\n\u0000-\u001f\u007f]{1,512}$/; // eslint-disable-line no-control-regex -- control characters are what is refused

export function planClone(input: CloneInput): ClonePlan {
  const notes: string[] = [...(input.gatherNotes ?? [])];
  const files = new Map<string, string | Uint8Array>();

  // Local names for every URL the description holds.
  const scpdPaths = new Map<string, string>();
  const controlPaths = new Map<string, string>();
  const eventPaths = new Map<string, string>();
  const iconPaths = new Map<string, string>();
  input.scpds.forEach(({ service, xml }, i) => {
    const n = i + 1;
    const short = (service.serviceId.split(':').pop() ?? 'service').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40) || 'service';
    if (service.scpdUrl && xml !== undefined && !scpdPaths.has(service.scpdUrl)) {
      const file = `scpd/${n}-${short}.xml`;
      scpdPaths.set(service.scpdUrl, file);
      files.set(file, xml);
    } else if (xml === undefined) {
      notes.push(`The SCPD of ${service.serviceId} was not available; the clone cannot be hosted until scpd/${n}-${short}.xml is added and its SCPDURL points at it.`);
      if (service.scpdUrl) scpdPaths.set(service.scpdUrl, `scpd/${n}-${short}.xml`);
    }
    if (service.controlUrl && !controlPaths.has(service.controlUrl)) controlPaths.set(service.controlUrl, `control/${n}`);
    if (service.eventSubUrl && !eventPaths.has(service.eventSubUrl)) eventPaths.set(service.eventSubUrl, `events/${n}`);
  });
  input.icons.forEach((icon, i) => {
    const ext = EXTENSIONS[icon.mimeType.toLowerCase().split(';')[0]!.trim()] ?? 'bin';
    const file = `icons/${i + 1}.${ext}`;
    iconPaths.set(icon.url, file);
    files.set(file, icon.bytes);
  });

  // The description, its URLs made relative; URLBase and presentationURL would point at the original.
  const base = input.description.baseUrl;
  const resolve = (raw: string): string | undefined => {
    try {
      return new URL(xmlUnescape(raw.trim()), base).toString();
    } catch {
      return undefined;
    }
  };
  const mapFor: Readonly<Record<string, Map<string, string>>> = { SCPDURL: scpdPaths, controlURL: controlPaths, eventSubURL: eventPaths, url: iconPaths };
  let xml = input.descriptionXml.replace(/<(SCPDURL|controlURL|eventSubURL|url)>([^<]*)<\/\1>/g, (whole, element: string, raw: string) => {
    const absolute = resolve(raw);
    const local = absolute !== undefined ? mapFor[element]!.get(absolute) : undefined;
    return local ? `<${element}>${local}</${element}>` : whole;
  });
  if (/<URLBase>/.test(xml)) {
    xml = xml.replace(/\s*<URLBase>[^<]*<\/URLBase>/g, '');
    notes.push('URLBase was removed: the clone serves everything itself.');
  }
  if (/<presentationURL>/.test(xml)) {
    xml = xml.replace(/\s*<presentationURL>[^<]*<\/presentationURL>/g, '');
    notes.push('presentationURL was removed: it pointed at the original device\'s web page.');
  }
  files.set('description.xml', xml);

  // The manifest.
  const ssdp: Record<string, unknown> = {};
  if (input.ssdp.server && HEADER_TEXT.test(input.ssdp.server)) ssdp['server'] = input.ssdp.server;
  if (input.ssdp.maxAgeSeconds !== undefined) ssdp['maxAgeSeconds'] = Math.min(MAX_MAX_AGE, Math.max(MIN_MAX_AGE, Math.round(input.ssdp.maxAgeSeconds)));
  const services: Record<string, { actions: Record<string, unknown> }> = {};
  const taken = new Set<string>();
  for (const { serviceId, action: actionName, answer } of input.answers) {
    const key = `${serviceId}\n${actionName}`;
    if (taken.has(key)) continue; // the newest answer wins
    taken.add(key);
    const found = input.scpds.find((s) => s.service.serviceId === serviceId);
    const action = found?.scpd?.actions.find((a) => a.name === actionName);
    if (!found?.scpd || !action) {
      notes.push(`The answer of ${actionName} (${serviceId}) was not kept: the SCPD has no such action.`);
      continue;
    }
    let canned: unknown;
    if ('fault' in answer) {
      if (Number.isInteger(answer.fault.code) && answer.fault.code >= 400 && answer.fault.code <= 999 && HEADER_TEXT.test(answer.fault.description || ' ')) {
        canned = { fault: { code: answer.fault.code, description: answer.fault.description || `Error ${answer.fault.code}` } };
      } else {
        notes.push(`The fault ${answer.fault.code} of ${actionName} was not kept: not a UPnP error code (400-999) with a one-line description.`);
        continue;
      }
    } else {
      const outputs: Record<string, string> = {};
      for (const arg of action.arguments.filter((a) => a.direction === 'out')) {
        const value = answer.outputs[arg.name];
        if (value === undefined) continue;
        const variable = findStateVariable(found.scpd, arg.relatedStateVariable);
        const check = variable ? validateValue(value, variable) : { ok: true as const, normalized: value };
        if (check.ok) outputs[arg.name] = value;
        else notes.push(`${actionName}'s ${arg.name} was not kept: the device's value does not fit its own SCPD (${check.message}).`);
      }
      canned = { outputs };
    }
    (services[serviceId] ??= { actions: {} }).actions[actionName] = canned;
  }
  const manifest: Record<string, unknown> = {
    description: 'description.xml',
    ...(Object.keys(ssdp).length ? { ssdp } : {}),
    ...(input.keepIdentity ? { identity: { uuid: input.description.device.udn.toLowerCase() } } : {}),
    ...(Object.keys(services).length ? { services } : {}),
  };
  files.set(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);

  const kept = [...taken].length;
  files.set('README.md', [
    `# Clone of ${oneLineText(input.description.device.friendlyName)}`,
    '',
    `Cloned on ${input.clonedAt} from ${input.location}.`,
    '',
    `- Device type: \`${input.description.device.deviceType}\``,
    `- Identity: ${input.keepIdentity ? `the original's, \`${input.description.device.udn}\` — host it only while the original is off the network` : 'a new UUID, created on the first start and kept in `.upnp-device-uuid`'}`,
    `- Services: ${input.scpds.length}, SCPDs in \`scpd/\`; icons: ${input.icons.length} in \`icons/\``,
    `- Canned answers from the action history: ${kept} (see \`${MANIFEST_FILE}\`); other actions answer their state variables' values`,
    ...(notes.length ? ['', '## Notes', '', ...notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n'));
  return { files, notes };
}

/** Writes a plan into a new or empty folder; never over anything. */
export async function writeClone(plan: ClonePlan, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const present = await readdir(folder);
  if (present.length > 0) throw new Error(`${folder} is not empty: a clone goes into a new or empty folder.`);
  for (const [relative, content] of plan.files) {
    const file = path.join(folder, ...relative.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content, { flag: 'wx' });
  }
}

function oneLineText(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ').slice(0, 200);
}
