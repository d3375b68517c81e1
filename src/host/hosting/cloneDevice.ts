// Clone to Workspace: gathers what the explorer knows of a discovered device (the description and
// SCPDs as the device sent them, its icons, its SSDP SERVER and max-age) and what the user got from
// it (the action history's answers), and writes a definition folder that hosts as that device.
import type * as vscode from 'vscode';
import type { DiscoveredDevice } from '../../core/registry/types';
import { fetchBytes } from '../../core/http/fetch';
import { errorMessage } from '../../core/util/errors';
import type { CloneAnswer, CloneInput } from '../../device/index';
import { HISTORY_KEY, readHistoryStore } from '../actions/history';

const MAX_ICON_BYTES = 1024 * 1024;

/** Everything planClone needs, gathered from the registry, the device (icons) and the history. */
export async function gatherClone(device: DiscoveredDevice, context: vscode.ExtensionContext, keepIdentity: boolean, timeoutMs: number): Promise<CloneInput> {
  const description = device.description;
  if (!description || device.descriptionXml === undefined) {
    throw new Error(device.description
      ? 'its description was too large to keep in memory, so it cannot be cloned.'
      : 'it has not been described yet (its description could not be fetched).');
  }
  const notes: string[] = [];
  const icons: Array<{ url: string; mimeType: string; bytes: Uint8Array }> = [];
  const seen = new Set<string>();
  for (const icon of allIcons(description.device)) {
    if (seen.has(icon.url)) continue;
    seen.add(icon.url);
    try {
      const r = await fetchBytes(icon.url, { timeoutMs, maxBytes: MAX_ICON_BYTES });
      icons.push({ url: icon.url, mimeType: r.headers['content-type'] ?? icon.mimetype, bytes: r.body });
    } catch (err) {
      notes.push(`The icon ${icon.url} was not copied: ${errorMessage(err)}`);
    }
  }
  const history = readHistoryStore(context.workspaceState.get(HISTORY_KEY));
  const deviceId = device.udn ?? device.location;
  const answers: Array<{ serviceId: string; action: string; answer: CloneAnswer }> = [];
  for (const entry of history[deviceId] ?? []) {
    if (!entry.answer) continue;
    const service = device.services.find((s) => s.key === entry.serviceKey);
    if (service) answers.push({ serviceId: service.description.serviceId, action: entry.actionName, answer: entry.answer });
  }
  return {
    descriptionXml: device.descriptionXml,
    description,
    location: device.location,
    scpds: device.services.map((s) => ({ service: s.description, xml: s.scpdXml, scpd: s.scpd })),
    icons,
    ssdp: { ...(device.server ? { server: device.server } : {}), ...(device.maxAgeSeconds !== undefined ? { maxAgeSeconds: device.maxAgeSeconds } : {}) },
    answers,
    keepIdentity,
    clonedAt: new Date().toISOString(),
    gatherNotes: notes,
  };
}

function allIcons(d: NonNullable<DiscoveredDevice['description']>['device']): Array<{ url: string; mimetype: string }> {
  return [...d.icons, ...d.devices.flatMap(allIcons)];
}
