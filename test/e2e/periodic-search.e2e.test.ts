// Devices that vanish no more, in the real VS Code (code-server + Debian Chromium), inside the
// isolated namespace: while the Devices view is visible the extension searches again every
// `upnpExplorer.discovery.searchIntervalSeconds` (10 s here), so a device that never announces
// itself and arrived after the startup search shows up without anyone pressing Search.
//
//   npm run build && scripts/netns.sh --veth node --import tsx --test test/e2e/periodic-search.e2e.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { assertIsolatedNetwork } from '../harness/netns';
import { reportingFailure, startWorkbench } from '../harness/workbench';
import type { Workbench } from '../harness/workbench';
import { openViewContainer, screenshot, treeRowTexts, waitForTreeRows } from '../harness/browser';
import { startSimulatedCamera } from '../devices/camera';
import type { SimulatedDevice } from '../devices/device-handle';

const FIRST = 'Leica Q3-1234567';
const LATE = 'Quiet Camera';

describe('periodic search (code-server)', { timeout: 300_000 }, () => {
  let first: SimulatedDevice | undefined;
  let late: SimulatedDevice | undefined;
  let wb: Workbench | undefined;
  let page: Page;

  before(async () => {
    assertIsolatedNetwork('periodic-search.e2e.test.ts');
    first = await startSimulatedCamera({ interfaceAddress: '127.0.0.1' });
    wb = await startWorkbench('periodic-search.e2e.test.ts', { 'upnpExplorer.discovery.searchIntervalSeconds': 10 });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
    await first?.stop();
    await late?.stop();
  });

  it('finds a device that never announces itself, with no search asked for', () => reportingFailure(wb, 'periodic-search', async () => {
    await openViewContainer(page, 'UPnP');
    await waitForTreeRows(page, [FIRST], 60_000);
    assert.ok(!(await treeRowTexts(page)).some((r) => r.startsWith(LATE)));
    // Silent: no NOTIFY at start, only answers to M-SEARCH.
    late = await startSimulatedCamera({ interfaceAddress: '127.0.0.1', udn: 'uuid:4Dxxxxxx-0100-1000-8000-DC00000000Q1', friendlyName: LATE, announce: false });
    await waitForTreeRows(page, [LATE], 30_000);
    await screenshot(page, 'periodic-search');

    // Its setting, where a user looks for it: the extension's settings in their groups and in the
    // order a user needs them (search target first, the device cap last of Discovery), not
    // alphabetical. (VS Code still prefixes "Upnp Explorer ›": it trims a key's first part only
    // when it matches the extension's id, and `upnpExplorer` is not `upnp-explorer`.)
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor();
    await input.fill('>Preferences: Open Settings (UI)');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Preferences: Open Settings (UI)' }).first().click();
    // The settings editor opens with its search box focused.
    await page.locator('.setting-item-title').first().waitFor({ timeout: 20_000 });
    await page.keyboard.type('@ext:upnp-explorer.upnp-explorer');
    const titles = page.locator('.setting-item-title', { hasText: /Search Target|Timeout|Page Size/ });
    await titles.first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1000);
    const shown = (await page.locator('.setting-item-title').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    const names = shown.map((t) => t.replace(/^Upnp Explorer › /, ''));
    // (The list is virtual: the first five are what is drawn.)
    assert.deepEqual(names.slice(0, 5), [
      'Discovery: Search Target', 'Discovery: Mx', 'Discovery: Interfaces', 'Discovery: Ipv6', 'Discovery: Search On Startup',
    ], shown.join(' | '));
    await screenshot(page, 'settings');
  }));
});
