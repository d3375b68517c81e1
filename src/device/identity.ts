// A hosted device's UUID: the manifest's, or one created on the first start and kept in the device
// folder (.upnp-device-uuid), so the device is the same device after every restart — a Canon
// camera only reconnects to the responder it paired with. Written to a temporary file and renamed,
// so a crash never leaves a half-written identity.
import { randomUUID } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { DeviceManifest } from './manifest';

export const UUID_FILE = '.upnp-device-uuid';
const UUID = /^uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface DeviceIdentity {
  /** `uuid:…`, lower case. */
  readonly udn: string;
  /** Where it came from: the manifest, the kept file, or created now (and kept). */
  readonly source: 'manifest' | 'kept' | 'created';
}

/** The device's UDN; creates and keeps one when neither the manifest nor the folder has it. */
export async function resolveIdentity(folder: string, manifest: DeviceManifest): Promise<DeviceIdentity> {
  if (manifest.identity.uuid) return { udn: manifest.identity.uuid, source: 'manifest' };
  const file = path.join(folder, UUID_FILE);
  let kept: string | undefined;
  try {
    kept = (await readFile(file, 'utf8')).trim().toLowerCase();
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw new Error(`Could not read the device's identity from ${file}: ${(err as Error).message}`);
  }
  if (kept !== undefined) {
    if (UUID.test(kept)) return { udn: kept, source: 'kept' };
    throw new Error(`${file} does not hold a device UUID ("uuid:" and 8-4-4-4-12 hex digits). Fix it, or delete it to have a new one created (a paired camera will then not recognise the device).`);
  }
  const udn = `uuid:${randomUUID()}`;
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, `${udn}\n`, { flag: 'wx' });
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw new Error(`Could not keep the device's new identity in ${file}: ${(err as Error).message}`);
  }
  return { udn, source: 'created' };
}
