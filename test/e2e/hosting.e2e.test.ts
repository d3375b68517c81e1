// Hosting a device in the real VS Code (code-server + Chromium), inside the isolated namespace:
// New Device Definition from the Canon template writes the folder and opens its README; Host
// Device (from the notification) announces it on loopback; our own Devices tree finds it with the
// Windows-form name the camera would show; the UPnP Host channel shows our own M-SEARCH with its
// source and whether it was answered; the Hosted Devices view lists it; Stop Hosting sends byebye
// and the Devices tree lets it go.
//
//   npm run build && scripts/netns.sh --veth node --import tsx --test test/e2e/hosting.e2e.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { assertIsolatedNetwork } from '../harness/netns';
import { reportingFailure, startWorkbench } from '../harness/workbench';
import type { Workbench } from '../harness/workbench';
import { openViewContainer, runCommand, screenshot, treeRow, waitForOutputLines, waitForTreeRows } from '../harness/browser';

describe('hosting a device (code-server)', { timeout: 300_000 }, () => {
  let wb: Workbench | undefined;
  let page: Page;
  const name = `${os.hostname()}: PTPIPResponder:`;

  before(async () => {
    assertIsolatedNetwork('hosting.e2e.test.ts');
    wb = await startWorkbench('hosting.e2e.test.ts', { 'upnpExplorer.hosting.interfaces': ['127.0.0.1'], '[Log]': { 'editor.wordWrap': 'off' } }, { browser: { viewport: { width: 1600, height: 1000 } } });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
  });

  it('creates the Canon responder from its template, hosts it, finds it, logs our search, stops it', () => reportingFailure(wb, 'hosting', async () => {
    await openViewContainer(page, 'UPnP');
    await runCommand(page, 'UPnP: New Device Definition…');
    const quick = page.locator('.quick-input-widget');
    await quick.locator('.quick-input-title', { hasText: 'New Device Definition' }).waitFor({ timeout: 10_000 });
    const templates = quick.locator('.quick-input-list .monaco-list-row');
    await templates.first().waitFor();
    const labels = (await templates.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.equal(labels.length, 3, labels.join(' | '));
    await templates.filter({ hasText: 'Canon PTP/IP pairing responder' }).first().click();
    // The folder, suggested: upnp-devices/canon.
    const input = quick.locator('input');
    await page.waitForFunction(() => (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value === 'upnp-devices/canon', undefined, { timeout: 10_000 });
    await input.press('Enter');
    const folder = path.join(wb!.workspace, 'upnp-devices', 'canon');
    await page.locator('.tab', { hasText: 'README.md' }).first().waitFor({ timeout: 15_000 });
    assert.ok(existsSync(path.join(folder, 'upnp-device.json')));
    assert.ok(existsSync(path.join(folder, 'ptpip-canon-desc-helper.xml')));

    // Host it from the notification.
    await page.locator('.notifications-toasts .monaco-button', { hasText: 'Host Device' }).first().click();
    // Our own discovery finds it from its alive NOTIFYs, by the name the camera would show.
    await waitForTreeRows(page, [name], 60_000);
    const udn = readFileSync(path.join(folder, '.upnp-device-uuid'), 'utf8').trim();
    assert.match(udn, /^uuid:[0-9a-f-]{36}$/);
    // The Hosted Devices view lists it.
    await treeRow(page, name).first().waitFor({ timeout: 10_000 });
    assert.ok(await page.locator('.pane-header', { hasText: 'Hosted Devices' }).count() > 0);
    // Its interface row shows the LOCATION.
    await page.locator('.monaco-list-row', { hasText: 'lo 127.0.0.1' }).filter({ hasText: 'http://127.0.0.1:8043/ptpip-canon-desc-helper.xml' }).first().waitFor({ timeout: 15_000 });
    await screenshot(page, 'hosting');

    // Our own search, in the host log, with who asked and what was answered.
    await runCommand(page, 'UPnP: Search for Devices');
    await runCommand(page, 'UPnP: Show Host Log');
    const lines = await waitForOutputLines(page, (l) => l.some((x) => /M-SEARCH from 127\.0\.0\.1:\d+ \(multicast, ST ssdp:all, MX 1, USER-AGENT [^)]*UPnP-Explorer[^)]*\): answering with 1 on lo now/.test(x)), 30_000);
    assert.ok(lines.some((x) => /Hosting ".*PTPIPResponder:" from upnp-devices\/canon .* on lo 127\.0\.0\.1: LOCATION http:\/\/127\.0\.0\.1:8043\/ptpip-canon-desc-helper\.xml/.test(x)), lines.join('\n'));
    assert.ok(lines.some((x) => /GET \/ptpip-canon-desc-helper\.xml from 127\.0\.0\.1.*: 200 the description/.test(x)), 'the explorer fetched the description, and the log says so');
    await screenshot(page, 'hosting-log');

    // Stop Hosting: byebye, and the Devices tree lets it go.
    await runCommand(page, 'UPnP: Stop Hosting');
    await page.waitForFunction((n) => ![...document.querySelectorAll('.monaco-list-row')].some((r) => (r.textContent ?? '').includes(n)), name, { timeout: 20_000 });
    const after = await waitForOutputLines(page, (l) => l.some((x) => /Stopped hosting ".*PTPIPResponder:" \(byebye sent on lo\)/.test(x)));
    assert.ok(after.length > 0);
  }));
});
