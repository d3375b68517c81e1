// Clone to Workspace in the real VS Code (code-server + Chromium), inside the isolated namespace:
// Browse is invoked on the simulated Leica camera from the action form; "Clone to Workspace…" on
// the camera's row writes the clone with that answer canned; the camera goes away (byebye); the
// clone is hosted from the palette, appears in the Devices tree under the camera's name, and
// Browse invoked on it gives the camera's answer, which the UPnP Host channel logs.
//
//   npm run build && scripts/netns.sh --veth node --import tsx --test test/e2e/clone.e2e.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { assertIsolatedNetwork } from '../harness/netns';
import { reportingFailure, startWorkbench } from '../harness/workbench';
import type { Workbench } from '../harness/workbench';
import { contextMenuEntry, expandRow, openViewContainer, runCommand, screenshot, treeRow, waitForOutputLines, waitForTreeRows } from '../harness/browser';
import { CAMERA_DEFAULT_FRIENDLY_NAME } from '../devices/camera-data/description';
import { startSimulatedCamera } from '../devices/camera';
import type { SimulatedCamera } from '../devices/camera';
import { findFrameWith } from './actionFormHelpers';

describe('Clone to Workspace (code-server)', { timeout: 300_000 }, () => {
  let camera: SimulatedCamera | undefined;
  let wb: Workbench | undefined;
  let page: Page;

  before(async () => {
    assertIsolatedNetwork('clone.e2e.test.ts');
    camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1' });
    wb = await startWorkbench('clone.e2e.test.ts', { 'upnpExplorer.hosting.interfaces': ['127.0.0.1'], '[Log]': { 'editor.wordWrap': 'off' } }, { needs: ['dist/webviews/actionForm.js'], browser: { viewport: { width: 1600, height: 1000 } } });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
    await camera?.stop();
  });

  /** Opens Browse of the only camera row in the tree, sends the Leica app's Browse, returns the form. */
  async function browseRoot(): Promise<Frame> {
    await expandRow(page, CAMERA_DEFAULT_FRIENDLY_NAME);
    await waitForTreeRows(page, ['ContentDirectory:1']);
    await expandRow(page, 'ContentDirectory:1');
    await waitForTreeRows(page, ['Browse']);
    await treeRow(page, 'Browse').first().click();
    const form = await findFrameWith(page, '#arg-ObjectID');
    await form.locator('#arg-ObjectID').fill('0');
    await form.locator('#arg-BrowseFlag').fill('BrowseDirectChildren');
    await form.locator('#arg-Filter').fill('*');
    await form.locator('#arg-StartingIndex').fill('0');
    await form.locator('#arg-RequestedCount').fill('0');
    await form.getByRole('button', { name: 'Send' }).click();
    await form.locator('tr[data-arg="NumberReturned"] td.value').waitFor({ timeout: 20_000 });
    return form;
  }

  it('clones the camera with its Browse answer, hosts the clone, and the clone answers Browse as the camera did', () => reportingFailure(wb, 'clone', async () => {
    await openViewContainer(page, 'UPnP');
    await waitForTreeRows(page, [CAMERA_DEFAULT_FRIENDLY_NAME], 60_000);
    const original = await browseRoot();
    const originalResult = (await original.locator('tr[data-arg="Result"] td.value').innerText()).trim();
    assert.equal((await original.locator('tr[data-arg="NumberReturned"] td.value').innerText()).trim(), '2');

    // Clone to Workspace… from the camera's context menu: a new identity, the suggested folder.
    await (await contextMenuEntry(page, treeRow(page, CAMERA_DEFAULT_FRIENDLY_NAME).first(), 'Clone to Workspace…')).click();
    const quick = page.locator('.quick-input-widget');
    await quick.locator('.quick-input-list .monaco-list-row', { hasText: 'A new identity' }).first().click();
    await page.waitForFunction(() => ((document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value ?? '').startsWith('upnp-devices/'), undefined, { timeout: 10_000 });
    const relative = await quick.locator('input').inputValue();
    await quick.locator('input').press('Enter');
    const folder = path.join(wb!.workspace, ...relative.split('/'));
    await page.locator('.tab', { hasText: 'README.md' }).first().waitFor({ timeout: 20_000 });
    assert.ok(existsSync(path.join(folder, 'description.xml')));
    const manifest = JSON.parse(readFileSync(path.join(folder, 'upnp-device.json'), 'utf8')) as { services?: Record<string, { actions: Record<string, { outputs?: Record<string, string> }> }> };
    const canned = Object.values(manifest.services ?? {}).map((s) => s.actions['Browse']).find(Boolean);
    assert.equal(canned?.outputs?.['NumberReturned'], '2', 'the Browse answer from the form is canned');

    // The camera goes away (byebye); the clone takes its place.
    await camera!.stop();
    camera = undefined;
    await page.waitForFunction((n) => ![...document.querySelectorAll('.monaco-list-row')].some((r) => (r.getAttribute('aria-label') ?? r.textContent ?? '').includes(n)), CAMERA_DEFAULT_FRIENDLY_NAME, { timeout: 20_000 });
    await runCommand(page, 'View: Close All Editors');

    await runCommand(page, 'UPnP: Host Device');
    await quick.locator('.quick-input-title', { hasText: 'Host Device' }).waitFor({ timeout: 10_000 });
    await quick.locator('.quick-input-list .monaco-list-row', { hasText: relative }).first().click();
    await waitForTreeRows(page, [CAMERA_DEFAULT_FRIENDLY_NAME], 60_000);

    // Browse on the clone: the camera's answer, from the manifest.
    const clone = await browseRoot();
    assert.equal((await clone.locator('tr[data-arg="NumberReturned"] td.value').innerText()).trim(), '2');
    assert.equal((await clone.locator('tr[data-arg="Result"] td.value').innerText()).trim(), originalResult);
    await screenshot(page, 'clone');
    await runCommand(page, 'UPnP: Show Host Log');
    await waitForOutputLines(page, (l) => l.some((x) => /SOAP Browse\(ObjectID=0, BrowseFlag=BrowseDirectChildren.*\) from 127\.0\.0\.1: Result=.*NumberReturned=2/.test(x)), 20_000);
  }));
});
