// Reads the `upnpExplorer.*` settings into the core's ExplorerSettings. Takes any object with a
// WorkspaceConfiguration-like `get`, so the conversion is tested without VS Code.
import type { ExplorerSettings } from '../core/explorer';

export const CONFIG_SECTION = 'upnpExplorer';

export interface ConfigurationLike {
  get<T>(section: string): T | undefined;
}

export interface HostSettings {
  readonly explorer: ExplorerSettings;
  readonly searchOnStartup: boolean;
  /** Seconds between searches while the Devices view is visible; 0 = never. */
  readonly searchIntervalSeconds: number;
}

export const DEFAULT_SEARCH_TARGET = 'ssdp:all';
export const DEFAULT_MX = 2;
export const DEFAULT_HTTP_TIMEOUT_SECONDS = 10;
export const DEFAULT_MAX_DEVICES = 500;
export const DEFAULT_SEARCH_INTERVAL_SECONDS = 300;
/** Searching more often than this would only add traffic (answers take up to MX seconds). */
export const MIN_SEARCH_INTERVAL_SECONDS = 10;

/** `config` is `workspace.getConfiguration('upnpExplorer')`. Out-of-range values are clamped, wrong types fall back to defaults. */
export function readHostSettings(config: ConfigurationLike): HostSettings {
  const searchTarget = config.get<unknown>('discovery.searchTarget');
  const mx = config.get<unknown>('discovery.mx');
  const interfaces = config.get<unknown>('discovery.interfaces');
  const ipv6 = config.get<unknown>('discovery.ipv6');
  const timeout = config.get<unknown>('http.timeoutSeconds');
  const searchOnStartup = config.get<unknown>('discovery.searchOnStartup');
  const maxDevices = config.get<unknown>('discovery.maxDevices');
  const interval = config.get<unknown>('discovery.searchIntervalSeconds');
  return {
    explorer: {
      searchTarget: typeof searchTarget === 'string' && searchTarget.trim() !== '' ? searchTarget.trim() : DEFAULT_SEARCH_TARGET,
      mx: typeof mx === 'number' && Number.isFinite(mx) ? Math.min(5, Math.max(1, Math.round(mx))) : DEFAULT_MX,
      interfaces: Array.isArray(interfaces)
        ? [...new Set(interfaces.filter((i): i is string => typeof i === 'string').map((i) => i.trim()).filter((i) => i !== ''))]
        : [],
      ipv6: ipv6 === true,
      httpTimeoutMs: Math.round(1000 * (typeof timeout === 'number' && Number.isFinite(timeout) ? Math.max(1, timeout) : DEFAULT_HTTP_TIMEOUT_SECONDS)),
      maxDevices: typeof maxDevices === 'number' && Number.isFinite(maxDevices) ? Math.min(10_000, Math.max(10, Math.round(maxDevices))) : DEFAULT_MAX_DEVICES,
    },
    searchOnStartup: searchOnStartup !== false,
    searchIntervalSeconds: typeof interval === 'number' && Number.isFinite(interval)
      ? (interval <= 0 ? 0 : Math.min(86_400, Math.max(MIN_SEARCH_INTERVAL_SECONDS, Math.round(interval))))
      : DEFAULT_SEARCH_INTERVAL_SECONDS,
  };
}
