// What the action form remembers per action — the values and vendor arguments last sent — and the
// one reader of it. Browsing from the tree asks here for Browse's vendor arguments (the Leica
// camera's leica:X_FromCP, typed once in the form) instead of parsing the form's storage itself.
// No `vscode`: the storage is passed in as the raw value workspaceState holds.
import type { DiscoveredDevice } from '../../core/registry/types';
import type { SoapExtraArg } from '../../core/soap/envelope';
import type { ExtraArgInput } from '../../protocol/actionForm';
import { isExtraArgInput } from '../../protocol/actionForm';

/**
 * workspaceState key of the values and vendor arguments last sent per action. Browsing from the
 * tree reads it too (rememberedExtraArgs), so a vendor argument entered once in the form is used
 * when browsing as well.
 */
export const ACTION_FORM_VALUES_KEY = 'upnpExplorer.actionForm.values';

/** Identifies an action across registry refreshes and restarts. */
export interface ActionRef {
  /** Root UDN, else the description URL. */
  readonly deviceId: string;
  readonly serviceKey: string;
  readonly actionName: string;
}

export interface RememberedForm {
  readonly values: Record<string, string>;
  readonly extras: ExtraArgInput[];
  readonly at: number;
}

/** The device part of an ActionRef. */
export function deviceIdOf(device: DiscoveredDevice): string {
  return device.udn ?? device.description?.device.udn ?? device.location;
}

export function actionKeyOf(ref: ActionRef): string {
  return JSON.stringify([ref.deviceId, ref.serviceKey, ref.actionName]);
}

export function parseActionKey(key: string): ActionRef | undefined {
  try {
    const parsed: unknown = JSON.parse(key);
    if (Array.isArray(parsed) && parsed.length === 3 && parsed.every((p) => typeof p === 'string')) {
      const [deviceId, serviceKey, actionName] = parsed as [string, string, string];
      return { deviceId, serviceKey, actionName };
    }
  } catch {
    // not one of ours
  }
  return undefined;
}

/** Reads what workspaceState holds, dropping anything malformed (state written by another version). */
export function readRememberedForms(raw: unknown): Record<string, RememberedForm> {
  if (typeof raw !== 'object' || raw === null) return {};
  const out: Record<string, RememberedForm> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const v = value as Partial<RememberedForm> | null;
    if (!v || typeof v.values !== 'object' || v.values === null || !Array.isArray(v.extras)) continue;
    out[key] = { values: v.values, extras: v.extras.filter(isExtraArgInput), at: typeof v.at === 'number' ? v.at : 0 };
  }
  return out;
}

/** The form's vendor arguments as SOAP sends them: unnamed ones dropped, a prefix makes a namespace. */
export function toSoapExtraArgs(extras: readonly ExtraArgInput[]): SoapExtraArg[] {
  const out: SoapExtraArg[] = [];
  for (const e of extras) {
    const name = e.name.trim();
    if (name === '') continue;
    const prefix = e.prefix.trim();
    out.push({ name, value: e.value, namespace: prefix ? { prefix, uri: e.namespaceUri.trim() } : undefined });
  }
  return out;
}

/** The vendor arguments last sent with this action from the form (none if it was never sent). */
export function rememberedExtraArgs(raw: unknown, ref: ActionRef): SoapExtraArg[] {
  const form = readRememberedForms(raw)[actionKeyOf(ref)];
  return form ? toSoapExtraArgs(form.extras) : [];
}
