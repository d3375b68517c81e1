// A device with a hostile name in the real VS Code (code-server + Debian Chromium), inside the
// isolated namespace: its friendly name holds a right-to-left override, a newline that would start
// a forged line, and codicon syntax. Every place it shows — the tree row, the tooltip, the
// "Invoke Action…" quick pick — must show it as one honest line with the tricks made visible.
//
//   npm run build && scripts/netns.sh --veth node --import tsx --test test/e2e/hostile.e2e.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { assertIsolatedNetwork } from '../harness/netns';
import { reportingFailure, startWorkbench } from '../harness/workbench';
import type { Workbench } from '../harness/workbench';
import { openViewContainer, screenshot, treeRowTexts, waitForTreeRows } from '../harness/browser';
import { startSimulatedCamera } from '../devices/camera';
import type { SimulatedDevice } from '../devices/device-handle';

// "Zoo" then U+202E (right-to-left override), a newline and a forged log line, then an icon.
const HOSTILE_NAME = 'Zoo\u202Egpj.exe\n[12:00:00] forged $(zap)';
const SHOWN = 'Zoo\\u202Egpj.exe\\n[12:00:00] forged $(zap)';

describe('a device with a hostile name (code-server)', { timeout: 300_000 }, () => {
  let camera: SimulatedDevice | undefined;
  let wb: Workbench | undefined;
  let page: Page;

  before(async () => {
    assertIsolatedNetwork('hostile.e2e.test.ts');
    camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1', friendlyName: HOSTILE_NAME });
    wb = await startWorkbench('hostile.e2e.test.ts');
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
    await camera?.stop();
  });

  it('shows the name as one honest line in the tree, its tooltip and a quick pick', () => reportingFailure(wb, 'hostile-name', async () => {
    await openViewContainer(page, 'UPnP');
    await waitForTreeRows(page, [SHOWN], 60_000);
    const rows = await treeRowTexts(page);
    assert.ok(rows.some((r) => r.startsWith(SHOWN)), rows.join(' | '));
    assert.ok(rows.every((r) => !r.includes('\u202E') && !r.includes('\n')), 'no raw override or newline in any row');
    await screenshot(page, 'hostile-name');

    // The quick pick of "Invoke Action…" names the device beside each action: escaped, and
    // the device's "$(zap)" is text, not an icon.
    await page.keyboard.press('F1');
    const quickInput = page.locator('.quick-input-widget input');
    await quickInput.waitFor();
    await quickInput.fill('>UPnP: Invoke Action');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'UPnP: Invoke Action…' }).first().click();
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Invoke UPnP Action' }).waitFor();
    await quickInput.fill('Browse');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Browse' }).first();
    await row.waitFor({ timeout: 20_000 });
    const text = await row.innerText();
    assert.ok(text.includes('Zoo\\u202Egpj.exe\\n[12:00:00] forged $(zap)'), text);
    assert.equal(await row.locator('.codicon-zap').count(), 0, 'no icon drawn from the device name');
    await page.keyboard.press('Escape');
  }));
});
