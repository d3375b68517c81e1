// The host's way to the code loaded on first use (src/onDemand.ts, bundled as dist/ondemand.js):
// only types are imported statically (erased); values come through onDemand().
import type * as OnDemand from '../onDemand';

let lib: typeof OnDemand | undefined;

export function onDemand(): typeof OnDemand {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (see above)
  lib ??= require('../onDemand') as typeof OnDemand;
  return lib;
}
