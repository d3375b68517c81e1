// Reads the `upnpExplorer.events.*` settings. Takes any WorkspaceConfiguration-like object, so
// the conversion is tested without VS Code.
import { DEFAULT_REQUESTED_TIMEOUT_SECONDS } from '../../core/gena/client';
import type { ConfigurationLike } from '../settings';

export interface EventSettings {
  /** TIMEOUT asked for in SUBSCRIBE, in seconds; the device decides what it grants. */
  readonly timeoutSeconds: number;
  /** Port of the callback server; 0 = an ephemeral port. */
  readonly callbackPort: number;
}

/** GENA's own range for a duration in a TIMEOUT header is "Second-1" upwards; a day is plenty. */
const MAX_TIMEOUT_SECONDS = 86_400;

/** `config` is `workspace.getConfiguration('upnpExplorer')`. Out-of-range values are clamped, wrong types fall back to defaults. */
export function readEventSettings(config: ConfigurationLike): EventSettings {
  const timeout = config.get<unknown>('events.timeoutSeconds');
  const port = config.get<unknown>('events.callbackPort');
  return {
    timeoutSeconds: typeof timeout === 'number' && Number.isFinite(timeout)
      ? Math.min(MAX_TIMEOUT_SECONDS, Math.max(1, Math.round(timeout)))
      : DEFAULT_REQUESTED_TIMEOUT_SECONDS,
    callbackPort: typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65_535 ? port : 0,
  };
}
