// The SSDP Traffic view in the real VS Code (code-server + Chromium), inside the isolated
// namespace: opened, it records; our own M-SEARCH and the simulated camera's answers and NOTIFYs
// appear, newest first; "Show Traffic" on the camera filters the view to it; "Show Device" on a
// datagram selects the camera in the Devices tree; Copy Raw Datagram and Export… (JSON Lines,
// text) give what was received; Pause stops the rows coming.
//
//   npm run build && scripts/netns.sh --veth node --import tsx --test test/e2e/traffic.e2e.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { assertIsolatedNetwork } from '../harness/netns';
import { reportingFailure, startWorkbench } from '../harness/workbench';
import type { Workbench } from '../harness/workbench';
import { contextMenuEntry, openViewContainer, runCommand, screenshot, treeRow, waitForTreeRows } from '../harness/browser';
import { CAMERA_DEFAULT_FRIENDLY_NAME, CAMERA_DEFAULT_UDN } from '../devices/camera-data/description';
import { startSimulatedCamera } from '../devices/camera';
import type { SimulatedCamera } from '../devices/camera';

describe('SSDP Traffic view (code-server)', { timeout: 240_000 }, () => {
  let camera: SimulatedCamera | undefined;
  let wb: Workbench | undefined;
  let page: Page;

  before(async () => {
    assertIsolatedNetwork('traffic.e2e.test.ts');
    camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1' });
    wb = await startWorkbench('traffic.e2e.test.ts', {}, { browser: { viewport: { width: 1600, height: 1100 } } });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
    await camera?.stop();
  });

  const trafficRows = () => page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'SSDP Traffic' }) }).locator('.monaco-list-row');

  it('records our search and the camera\'s datagrams, filters to the camera, jumps to it, pauses', () => reportingFailure(wb, 'traffic', async () => {
    await openViewContainer(page, 'UPnP');
    await waitForTreeRows(page, [CAMERA_DEFAULT_FRIENDLY_NAME], 60_000);
    // Hidden at first (it would shrink the Devices tree); shown, it records.
    assert.equal(await page.locator('.pane-header', { hasText: 'SSDP Traffic' }).count(), 0);
    await runCommand(page, 'UPnP: Show SSDP Traffic');
    await page.locator('.pane-header', { hasText: 'SSDP Traffic' }).first().waitFor({ timeout: 10_000 });
    await page.waitForTimeout(500);
    await runCommand(page, 'UPnP: Search for Devices');
    await camera!.announce();
    await trafficRows().filter({ hasText: 'ANSWER' }).first().waitFor({ timeout: 20_000 });

    // The pane shows a few rows at a time: filter by kind to find each.
    const quick = page.locator('.quick-input-widget');
    const filterTo = async (kind: string): Promise<void> => {
      await runCommand(page, 'UPnP: Filter Traffic…');
      await quick.locator('.quick-input-title', { hasText: 'kinds' }).waitFor({ timeout: 10_000 });
      for (const row of await quick.locator('.quick-input-list .monaco-list-row').all()) {
        const label = (await row.innerText()).trim();
        const checked = (await row.locator('input[type=checkbox]').count()) > 0 ? await row.locator('input[type=checkbox]').isChecked() : (await row.getAttribute('aria-checked')) === 'true';
        if ((label === kind) !== checked) await row.click();
      }
      await quick.locator('input').first().press('Enter');
      await quick.locator('.quick-input-title', { hasText: 'text' }).waitFor({ timeout: 10_000 });
      await quick.locator('input').first().press('Enter');
    };
    await filterTo('search');
    await trafficRows().filter({ hasText: 'SEARCH ssdp:all' }).first().waitFor({ timeout: 20_000 });
    await filterTo('alive');
    await trafficRows().filter({ hasText: 'ALIVE upnp:rootdevice' }).first().waitFor({ timeout: 20_000 });
    const texts = (await trafficRows().allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    assert.ok(texts.every((t) => / ALIVE /.test(t)), texts.join('\n'));
    assert.ok(texts.some((t) => /ALIVE upnp:rootdevice ?127\.0\.0\.1:1900 · uuid:4Dxxxxxx/.test(t)), texts.join('\n'));
    await screenshot(page, 'traffic');

    // Show Traffic on the camera: only its datagrams.
    await runCommand(page, 'UPnP: Clear Traffic Filter');
    await (await contextMenuEntry(page, treeRow(page, CAMERA_DEFAULT_FRIENDLY_NAME).first(), 'Show Traffic')).click();
    await page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'SSDP Traffic' }) }).locator('.message', { hasText: 'Filtered: device Leica Q3-1234567.' }).first().waitFor({ timeout: 10_000 });
    const filtered = (await trafficRows().allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    assert.ok(filtered.length > 0);
    assert.ok(filtered.every((t) => t.toLowerCase().includes(CAMERA_DEFAULT_UDN.toLowerCase())), filtered.join('\n'));

    // Show Device on a datagram: the camera is selected in the Devices tree.
    await (await contextMenuEntry(page, trafficRows().first(), 'Show Device')).click();
    await page.locator('.monaco-list-row.selected', { hasText: CAMERA_DEFAULT_FRIENDLY_NAME }).first().waitFor({ timeout: 10_000 });

    // Copy Raw Datagram on a row: the clipboard holds the datagram as received.
    await wb!.browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await filterTo('alive');
    const aliveRow = trafficRows().filter({ hasText: 'ALIVE upnp:rootdevice' }).first();
    await aliveRow.waitFor({ timeout: 10_000 });
    await (await contextMenuEntry(page, aliveRow, 'Copy Raw Datagram')).click();
    await page.locator('.statusbar', { hasText: 'Copied the datagram' }).waitFor({ timeout: 10_000 });
    const raw = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(raw, /^NOTIFY \* HTTP\/1\.1\r\n/);
    assert.match(raw, /\r\nNT: upnp:rootdevice\r\n/i);
    assert.match(raw, /\r\nNTS: ssdp:alive\r\n/i);

    // Export… what the filter shows, as JSON Lines and as text (the save dialog is VS Code's
    // simple file dialog in code-server: a quick input holding the path).
    const exportTo = async (name: string): Promise<string> => {
      await runCommand(page, 'UPnP: Export Traffic…');
      const target = path.join(wb!.workspace, name);
      await page.waitForFunction(() => (document.querySelector<HTMLInputElement>('.quick-input-widget input')?.value ?? '').endsWith('ssdp-traffic.jsonl'), undefined, { timeout: 15_000 });
      await quick.locator('input').first().fill(target);
      await quick.getByRole('button', { name: 'OK' }).click();
      await page.locator('.notifications-toasts', { hasText: new RegExp(`Exported \\d+ datagrams to ${name.replace('.', '\\.')}`) }).first().waitFor({ timeout: 15_000 });
      return readFileSync(target, 'utf8');
    };
    const lines = (await exportTo('alive.jsonl')).trim().split('\n').map((l) => JSON.parse(l) as { kind: string; target?: string; raw: string; from: string });
    assert.ok(lines.length > 0 && lines.every((l) => l.kind === 'alive'), JSON.stringify(lines.map((l) => l.kind)));
    assert.ok(lines.some((l) => l.target === 'upnp:rootdevice' && l.from === '127.0.0.1' && l.raw === raw), 'the copied datagram is among those exported');
    const text = await exportTo('alive.txt');
    assert.match(text, /ALIVE/);
    assert.match(text, /NT: upnp:rootdevice/i);
    assert.doesNotMatch(text, /^\{/m, 'text, not JSON');

    // Pause: the rows stop coming (the count in the view's title stays).
    await runCommand(page, 'UPnP: Clear Traffic Filter');
    await runCommand(page, 'UPnP: Pause Traffic Capture');
    await page.waitForTimeout(500);
    const count = () => page.locator('.pane-header', { hasText: 'SSDP Traffic' }).first().locator('.description').innerText();
    const before = await count();
    await camera!.announce();
    await runCommand(page, 'UPnP: Search for Devices');
    await page.waitForTimeout(2500);
    assert.equal(await count(), before, 'nothing recorded while paused');
    await page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'SSDP Traffic' }) }).locator('.message', { hasText: 'Paused.' }).first().waitFor({ timeout: 5_000 });
  }));
});
