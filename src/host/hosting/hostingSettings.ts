// The `upnpExplorer.hosting.*` settings, read without VS Code (tested like the other settings).
import type { ConfigurationLike } from '../settings';

export interface HostingSettings {
  /** Interface names or IPv4 addresses; empty = every up, multicast-capable IPv4 interface (loopback only when there is no other). */
  readonly interfaces: readonly string[];
  /** Start again, when the workspace opens, the devices that were hosted when it last closed. */
  readonly restoreOnStartup: boolean;
  /** Also serve and announce on the chosen interfaces' IPv6 addresses (FF02::C and FF05::C). */
  readonly ipv6: boolean;
}

export function readHostingSettings(config: ConfigurationLike): HostingSettings {
  const interfaces = config.get<unknown>('hosting.interfaces');
  return {
    interfaces: Array.isArray(interfaces)
      ? [...new Set(interfaces.filter((i): i is string => typeof i === 'string').map((i) => i.trim()).filter((i) => i !== ''))]
      : [],
    restoreOnStartup: config.get<unknown>('hosting.restoreOnStartup') === true,
    ipv6: config.get<unknown>('hosting.ipv6') === true,
  };
}
