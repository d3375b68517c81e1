// Validate Device in the real VS Code (code-server + Chromium), inside the isolated namespace:
// from the simulated Leica camera's context menu; the report opens as a markdown document, and
// the findings on its description are in the Problems panel on the description document, which
// opens at the offending line: the capture's redacted UDN is no UUID, and its photos are served
// with the capture's Date in the year 19324 (shown at the ContentDirectory's serviceType). The
// simulator ignores Range requests (the capture has none to copy), hence the byte-range warning.
//
//   npm run build && scripts/netns.sh --veth node --import tsx --test test/e2e/validate.e2e.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { assertIsolatedNetwork } from '../harness/netns';
import { reportingFailure, startWorkbench } from '../harness/workbench';
import type { Workbench } from '../harness/workbench';
import { contextMenuEntry, openViewContainer, runCommand, screenshot, treeRow, waitForTreeRows } from '../harness/browser';
import { CAMERA_DEFAULT_FRIENDLY_NAME } from '../devices/camera-data/description';
import { startSimulatedCamera } from '../devices/camera';
import type { SimulatedCamera } from '../devices/camera';

describe('Validate Device (code-server)', { timeout: 240_000 }, () => {
  let camera: SimulatedCamera | undefined;
  let wb: Workbench | undefined;
  let page: Page;

  before(async () => {
    assertIsolatedNetwork('validate.e2e.test.ts');
    camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1' });
    wb = await startWorkbench('validate.e2e.test.ts', {}, { browser: { viewport: { width: 1600, height: 1000 } } });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
    await camera?.stop();
  });

  it('validates the camera: a markdown report, and the description finding in the Problems panel', () => reportingFailure(wb, 'validate', async () => {
    await openViewContainer(page, 'UPnP');
    await waitForTreeRows(page, [CAMERA_DEFAULT_FRIENDLY_NAME], 60_000);
    await (await contextMenuEntry(page, treeRow(page, CAMERA_DEFAULT_FRIENDLY_NAME).first(), 'Validate Device')).click();
    // What to check: control sends requests, so it is asked for, not done by default.
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Also control and content' }).first().click();

    // The report: a markdown document, grouped by stage.
    const editor = page.locator('.editor-instance .monaco-editor .view-lines').filter({ hasText: 'UPnP validation' }).first();
    await editor.waitFor({ timeout: 30_000 });
    const text = (await editor.innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, /# UPnP validation: `Leica Q3-1234567`/);
    assert.match(text, /- Result: 1 error, 2 warnings, 0 notes/);
    assert.match(text, /## Service descriptions \(SCPD\)/);
    assert.match(text, /## Control \(SOAP\)\s+No findings\./);
    assert.match(text, /## Discovery \(SSDP\)\s+No findings\./);
    assert.match(text, /## Content \(ContentDirectory resources\)\s+0 errors, 2 warnings, 0 notes/);
    await page.locator('.notifications-toasts', { hasText: 'Validated "Leica Q3-1234567": 1 error, 2 warnings, 0 notes.' }).first().waitFor({ timeout: 10_000 });

    // The Problems panel: the finding on the description document, with its rule.
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'is not "uuid:" and a UUID' }).first();
    await row.waitFor({ timeout: 15_000 });
    const rows = (await page.locator('.markers-panel .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    assert.ok(rows.some((r) => r.includes('Leica Q3-1234567 — description.xml')), rows.join('\n'));
    assert.ok(rows.some((r) => /UPnP UDA 1\.1 description\/udn \[Ln 17, Col 5\]/.test(r)), rows.join('\n'));
    // The photos' Date, at the ContentDirectory's <service> of the same description.
    const date = page.locator('.markers-panel .monaco-list-row', { hasText: 'says the year 19324' }).first();
    await date.waitFor({ timeout: 5_000 });
    assert.match((await date.innerText()).replace(/\s+/g, ' '), /content\/http-date \[Ln 24, Col 9\]/);
    // It opens the read-only description at the UDN.
    await row.dblclick();
    await page.locator('.tab.active', { hasText: 'description.xml' }).first().waitFor({ timeout: 15_000 });
    await page.locator('.editor-instance .squiggly-error').first().waitFor({ timeout: 10_000 });
    await screenshot(page, 'validate');
  }));
});
