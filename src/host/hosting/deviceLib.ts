// The device side (src/device) is bundled apart, as dist/hosting.js, and loaded the first time it
// is needed: most sessions never host a device, and its code would otherwise be compiled at every
// activation. Only types are imported statically (erased); values come through deviceLib().
import type * as DeviceLib from '../../device/index';

/** The definition file's name, known without loading the library (file watchers, menus). */
export const MANIFEST_FILE = 'upnp-device.json';

let lib: typeof DeviceLib | undefined;

export function deviceLib(): typeof DeviceLib {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (see above)
  lib ??= require('../../device/index') as typeof DeviceLib;
  return lib;
}
