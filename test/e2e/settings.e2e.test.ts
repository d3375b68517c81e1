// The extension's settings as the Settings editor shows them, in the real VS Code (code-server +
// Chromium), inside the isolated namespace: filtered to the extension, its settings come in the
// order of their four groups (discovery first), each titled by its group and name.
//
//   npm run build && scripts/netns.sh --veth node --import tsx --test test/e2e/settings.e2e.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { assertIsolatedNetwork } from '../harness/netns';
import { reportingFailure, startWorkbench } from '../harness/workbench';
import type { Workbench } from '../harness/workbench';
import { runCommand, screenshot } from '../harness/browser';

describe('settings (code-server)', { timeout: 180_000 }, () => {
  let wb: Workbench | undefined;
  let page: Page;

  before(async () => {
    assertIsolatedNetwork('settings.e2e.test.ts');
    wb = await startWorkbench('settings.e2e.test.ts', {}, { browser: { viewport: { width: 1400, height: 1400 } } });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
  });

  it('groups the settings and titles each by its group and name', () => reportingFailure(wb, 'settings', async () => {
    await runCommand(page, 'Preferences: Open Settings (UI)');
    // The search box (a small editor) has the focus when the Settings editor opens.
    await page.locator('.settings-editor .suggest-input-container .monaco-editor').first().click();
    await page.keyboard.type('@ext:upnp-explorer.upnp-explorer');
    await page.locator('.settings-editor .setting-item-label').first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1000);
    // Filtered to the extension, results come in the groups' order, each titled by its group.
    await page.waitForFunction(() => (document.querySelector('.settings-editor .setting-item-contents .setting-item-title')?.textContent ?? '').includes('Search Target'), undefined, { timeout: 20_000 });
    const labels = await page.locator('.settings-editor .setting-item-contents .setting-item-title').evaluateAll((els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));
    assert.deepEqual(labels.slice(0, 4), [
      'Upnp Explorer › Discovery: Search Target', 'Upnp Explorer › Discovery: Mx', 'Upnp Explorer › Discovery: Interfaces', 'Upnp Explorer › Discovery: Ipv6',
    ]);
    await screenshot(page, 'settings');

    // Every group in its order: Discovery (7), HTTP (1), Events (GENA) (2), Content Browsing (2), SSDP Traffic (1), Hosting (2).
    const seen = new Set<string>();
    await page.locator('.settings-editor .settings-tree-container').first().hover();
    for (let i = 0; i < 16; i++) {
      for (const t of await page.locator('.settings-editor .setting-item-contents .setting-item-title').allInnerTexts()) seen.add(t.replace(/\s+/g, ' ').trim());
      await page.mouse.wheel(0, 400);
      await page.waitForTimeout(150);
    }
    const all = [...seen];
    const groupsInOrder = [...new Set(all.map((t) => t.replace(/^Upnp Explorer › /, '').split(':')[0]))];
    assert.deepEqual(groupsInOrder, ['Discovery', 'Http', 'Events', 'Browse', 'Traffic', 'Hosting'], all.join(' | '));
  }));
});
