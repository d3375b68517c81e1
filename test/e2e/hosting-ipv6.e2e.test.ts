// Hosting over IPv6 in the real VS Code (code-server + Chromium), inside the isolated namespace:
// with upnpExplorer.hosting.ipv6 on, a device hosted on upnpv1 serves and announces on its IPv4,
// link-local and unique-local addresses; the Hosted Devices view lists each with the LOCATION
// announced there (the routable one for IPv6); our own discovery, IPv6 on and working from upnpv0,
// finds it, and the UPnP Host channel shows our IPv6 search (from a link-local address) answered.
//
//   npm run build && scripts/netns.sh --veth node --import tsx --test test/e2e/hosting-ipv6.e2e.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import type { Page } from 'playwright-core';
import { addIpv6Address, linkLocalReady, removeIpv6Address } from '../harness/ipv6';
import { assertIsolatedNetwork } from '../harness/netns';
import { newBasicDefinition } from './hostingHelpers';
import { reportingFailure, startWorkbench } from '../harness/workbench';
import type { Workbench } from '../harness/workbench';
import { openViewContainer, runCommand, screenshot, waitForOutputLines, waitForTreeRows } from '../harness/browser';

const HOST_ULA = 'fd00:9b::2';
const PEER_ULA = 'fd00:9b::1';

describe('hosting a device over IPv6 (code-server)', { timeout: 240_000 }, () => {
  let wb: Workbench | undefined;
  let page: Page;

  before(async () => {
    assertIsolatedNetwork('hosting-ipv6.e2e.test.ts');
    assert.ok(os.networkInterfaces()['upnpv1'], 'this suite needs the in-namespace veth: run it through scripts/netns.sh --veth');
    addIpv6Address('upnpv1', HOST_ULA);
    addIpv6Address('upnpv0', PEER_ULA);
    await linkLocalReady('upnpv0', 'upnpv1');
    wb = await startWorkbench('hosting-ipv6.e2e.test.ts', {
      'upnpExplorer.hosting.interfaces': ['upnpv1'],
      'upnpExplorer.hosting.ipv6': true,
      'upnpExplorer.discovery.interfaces': ['upnpv0'],
      'upnpExplorer.discovery.ipv6': true,
      '[Log]': { 'editor.wordWrap': 'off' },
    }, { browser: { viewport: { width: 1600, height: 1000 } } });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
    removeIpv6Address('upnpv1', HOST_ULA);
    removeIpv6Address('upnpv0', PEER_ULA);
  });

  it('announces on every address of the interface, lists each with its LOCATION, and answers our IPv6 search', () => reportingFailure(wb, 'hosting-ipv6', async () => {
    const quick = page.locator('.quick-input-widget');
    await openViewContainer(page, 'UPnP');
    await newBasicDefinition(page);
    await runCommand(page, 'UPnP: Host Device');
    await quick.locator('.quick-input-list .monaco-list-row', { hasText: 'upnp-devices/basic' }).first().click();
    const name = `Jambon 3000 on ${os.hostname()}`;
    await waitForTreeRows(page, [name], 60_000);

    // The Hosted Devices view: one row per address, IPv6 ones announcing the routable LOCATION.
    const rows = page.locator('.monaco-list-row');
    await rows.filter({ hasText: 'upnpv1 10.99.0.2' }).filter({ hasText: 'http://10.99.0.2:' }).first().waitFor({ timeout: 15_000 });
    await rows.filter({ hasText: `upnpv1 ${HOST_ULA}` }).filter({ hasText: `http://[${HOST_ULA}]:` }).first().waitFor({ timeout: 15_000 });
    await rows.filter({ hasText: /upnpv1 fe80:/ }).filter({ hasText: `http://[${HOST_ULA}]:` }).first().waitFor({ timeout: 15_000 });
    await screenshot(page, 'hosting-ipv6');

    // Our search goes out on IPv4 and on FF02::C from upnpv0's link-local address: both answered.
    await runCommand(page, 'UPnP: Search for Devices');
    await runCommand(page, 'UPnP: Show Host Log');
    const lines = await waitForOutputLines(page, (l) => l.some((x) => /M-SEARCH from fe80:[0-9a-f:]+%upnpv1:\d+ \(multicast, ST ssdp:all, MX \d[^)]*\): answering with 4 on upnpv1/.test(x)), 30_000);
    assert.ok(lines.some((x) => /M-SEARCH from 10\.99\.0\.1:\d+ \(multicast, ST ssdp:all/.test(x)), lines.join('\n'));
    assert.ok(lines.some((x) => new RegExp(`Hosting ".*Jambon 3000.*" from upnp-devices/basic .* on upnpv1 10\\.99\\.0\\.2, upnpv1 fe80:[0-9a-f:]+, (?:upnpv1 [0-9a-f:]+, )*upnpv1 ${HOST_ULA}(?:, upnpv1 [0-9a-f:]+)*: LOCATION http://10\\.99\\.0\\.2:\\d+/description\\.xml.* http://\\[${HOST_ULA}\\]:\\d+/description\\.xml`).test(x)), lines.join('\n'));
    await screenshot(page, 'hosting-ipv6-log');
    await runCommand(page, 'UPnP: Stop Hosting');
  }));
});
