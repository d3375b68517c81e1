// The device side (src/device) is loaded the first time it is needed, with the rest of the code
// loaded on first use (src/host/onDemand.ts, dist/ondemand.js): most sessions never host a device.
import type * as DeviceLib from '../../device/index';
import { onDemand } from '../onDemand';

/** The definition file's name, known without loading the library (file watchers, menus). */
export const MANIFEST_FILE = 'upnp-device.json';

export function deviceLib(): typeof DeviceLib {
  return onDemand();
}
