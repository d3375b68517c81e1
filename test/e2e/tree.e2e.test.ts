// The Devices tree in a real VS Code (code-server + Debian Chromium, driven like a person), inside
// the isolated network namespace: the simulated camera, the simulated light bridge, a real minidlna
// and a broken device are discovered on startup; we expand down to actions and read what is shown.
//
//   npm run build && scripts/netns.sh --veth node --import tsx --test test/e2e/tree.e2e.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { assertIsolatedNetwork } from '../harness/netns';
import { REPO_ROOT } from '../harness/code-server';
import { startWorkbench } from '../harness/workbench';
import type { Workbench } from '../harness/workbench';
import { activityBarItem, contextMenuEntry, expandRow, openViewContainer, screenshot, treeRow, treeRowTexts, waitForTreeRows } from '../harness/browser';
import { startMinidlna } from '../harness/minidlna';
import type { RunningMinidlna } from '../harness/minidlna';
import { startSimulatedCamera } from '../devices/camera';
import { startSimulatedLight } from '../devices/light';
import { startFaultyDevices } from '../devices/faulty';
import type { FaultyDevices } from '../devices/faulty';
import type { SimulatedDevice } from '../devices/device-handle';
import { SsdpResponder } from '../devices/ssdp-responder';

const CAMERA = 'Leica Q3-1234567';
const LIGHT = 'Simulated Light Bridge';
const MINIDLNA = 'minidlna-peer';

describe('Devices tree (code-server)', { timeout: 300_000 }, () => {
  let responder: SsdpResponder | undefined;
  let camera: SimulatedDevice | undefined;
  let light: SimulatedDevice | undefined;
  let faulty: FaultyDevices | undefined;
  let hidden: SimulatedDevice | undefined;
  let minidlna: RunningMinidlna | undefined;
  let wb: Workbench | undefined;
  let page: Page;

  before(async () => {
    assertIsolatedNetwork('tree.e2e.test.ts');
    responder = await SsdpResponder.start({ interfaceAddress: '127.0.0.1' });
    camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1', ssdp: responder });
    light = await startSimulatedLight({ interfaceAddress: '127.0.0.1', ssdp: responder });
    faulty = await startFaultyDevices({ interfaceAddress: '127.0.0.1', ssdp: responder, variants: ['http-404'] });
    // A device multicast doesn't reach (it neither announces nor answers M-SEARCH): added by URL.
    hidden = await startSimulatedCamera({ interfaceAddress: '127.0.0.1', ssdp: responder, udn: 'uuid:4Dxxxxxx-0100-1000-8000-DC00000000AD', friendlyName: 'Camera Behind A Router', announce: false, answerSearch: false });
    minidlna = await startMinidlna({ friendlyName: MINIDLNA, port: 8221 });
    wb = await startWorkbench('tree.e2e.test.ts');
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
    await camera?.stop();
    await light?.stop();
    await faulty?.stop();
    await hidden?.stop();
    await responder?.close();
    await minidlna?.stop();
  });

  it('lists the devices found at startup by friendly name, with a count badge', async () => {
    await openViewContainer(page, 'UPnP');
    await waitForTreeRows(page, [CAMERA, LIGHT, MINIDLNA], 60_000);
    // Sorted by name; the broken device is listed too, after the named ones, with its reason.
    const rows = await treeRowTexts(page);
    const at = (name: string): number => rows.findIndex((r) => r.startsWith(name));
    assert.ok(at(CAMERA) === 0 && at(MINIDLNA) === 1 && at(LIGHT) === 2, rows.join(' | '));
    assert.match(rows[0]!, /MediaServer:1 · 127\.0\.0\.1:\d+$/);
    const broken = rows.find((r) => r.includes('/faulty/http-404/description.xml'));
    assert.ok(broken, `broken device row: ${rows.join(' | ')}`);
    assert.match(broken, /answered HTTP 404 Not Found/);
    // While the startup search runs the activity bar shows a progress badge; then the count.
    const badge = activityBarItem(page, 'UPnP').locator('.badge:not(.progress-badge) .badge-content');
    await badge.filter({ hasText: /^\s*4\s*$/ }).waitFor({ timeout: 20_000 });
    // Move the pointer off the activity bar: its hover would cover the first rows.
    await page.mouse.move(900, 500);
  });

  it('expands a real minidlna down to its ContentDirectory actions', async () => {
    await expandRow(page, MINIDLNA);
    await waitForTreeRows(page, ['ContentDirectory:1', 'ConnectionManager:1', 'X_MS_MediaReceiverRegistrar:1']);
    await expandRow(page, 'ContentDirectory:1');
    await waitForTreeRows(page, ['Browse', 'Search', 'GetSearchCapabilities', 'State Variables']);
    const browse = (await treeRow(page, 'Browse').first().innerText()).replace(/\s+/g, ' ');
    assert.match(browse, /Browse ?\(ObjectID, BrowseFlag, Filter, StartingIndex, RequestedCount, SortCriteria\) → \(Result, NumberReturned, TotalMatches, UpdateID\)/);
    // Collapse it again so the camera's rows are the first of their kind.
    await treeRow(page, MINIDLNA).first().click();
    await page.keyboard.press('ArrowLeft');
    await treeRow(page, 'Browse').first().waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('expands the light bridge to its embedded light, and the camera down to Browse', async () => {
    await expandRow(page, LIGHT);
    await waitForTreeRows(page, ['Simulated Dimmable Light']);
    await expandRow(page, 'Simulated Dimmable Light');
    await waitForTreeRows(page, ['SwitchPower:1', 'Dimming:1']);
    await expandRow(page, 'SwitchPower:1');
    await waitForTreeRows(page, ['SetTarget', 'GetStatus']);

    await expandRow(page, CAMERA);
    await waitForTreeRows(page, ['ContentDirectory:1', 'ConnectionManager:1']);
    await expandRow(page, 'ContentDirectory:1');
    await waitForTreeRows(page, ['Browse', 'DestroyObject', 'State Variables']);
    await expandRow(page, 'State Variables');
    await waitForTreeRows(page, ['SystemUpdateID']);
    const sysUpdate = (await treeRow(page, 'SystemUpdateID').first().innerText()).replace(/\s+/g, ' ');
    assert.match(sysUpdate, /ui4/);
    assert.match(sysUpdate, /evented/);
    await page.mouse.move(900, 500);
    const file = await screenshot(page, 'tree');
    // The README shows this picture.
    if (process.env.UPNP_UPDATE_SCREENSHOT) copyFileSync(file, path.join(REPO_ROOT, 'media', 'screenshot-tree.png'));
  });

  it("shows the camera's firmware and vendor fields in its tooltip", async () => {
    await treeRow(page, CAMERA).first().hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Leica Camera AG' }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await hover.innerText();
    assert.match(text, /2\.0\.5/);
    assert.match(text, /leica:X_FirmVersion/);
    assert.match(text, /M-DMS-1\.50/);
    assert.match(text, /http:\/\/127\.0\.0\.1:\d+\/DCxxxxxxxx09\/Server0\/ddd/);
  });

  it('adds a device by URL from the command palette', async () => {
    const input = await openAddDeviceByUrl(page);
    // The command's own input box: a bad value is flagged before anything is sent.
    await input.fill('not a url');
    await page.locator('.quick-input-message', { hasText: /URL/ }).first().waitFor({ timeout: 10_000 });
    await input.fill(hidden!.location);
    await page.keyboard.press('Enter');
    await waitForTreeRows(page, ['Camera Behind A Router'], 20_000);
    const row = (await treeRowTexts(page)).find((r) => r.startsWith('Camera Behind A Router'));
    assert.match(row ?? '', /MediaServer:1/);
    await activityBarItem(page, 'UPnP').locator('.badge:not(.progress-badge) .badge-content').filter({ hasText: /^\s*5\s*$/ }).waitFor({ timeout: 10_000 });
  });

  it('two descriptions open side by side are told apart by their tab titles', async () => {
    await (await contextMenuEntry(page, treeRow(page, CAMERA).first(), 'Open Description')).click();
    await page.locator('.tabs-container .tab', { hasText: `${CAMERA} — description.xml` }).first().waitFor({ timeout: 15_000 });
    await (await contextMenuEntry(page, treeRow(page, LIGHT).first(), 'Open Description')).click();
    await page.locator('.tabs-container .tab', { hasText: `${LIGHT} — description.xml` }).first().waitFor({ timeout: 15_000 });
    await screenshot(page, 'description-tabs');
  });

  it('an unreachable URL is not added: one error that says why, no row, no badge change', async () => {
    const input = await openAddDeviceByUrl(page);
    await input.fill('http://127.0.0.1:9/nothing-here.xml');
    await page.keyboard.press('Enter');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Could not add the device' }).first();
    await toast.waitFor({ timeout: 20_000 });
    assert.match(await toast.innerText(), /connection refused/);
    assert.ok(!(await treeRowTexts(page)).some((r) => r.includes('nothing-here.xml')), 'no error row');
    assert.equal((await activityBarItem(page, 'UPnP').locator('.badge:not(.progress-badge) .badge-content').innerText()).trim(), '5');
    await screenshot(page, 'add-by-url-unreachable');
  });
});

/** "UPnP: Add Device by URL…" from the palette; resolves with its input box, ready for a URL. */
async function openAddDeviceByUrl(page: Page): Promise<Locator> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill('>UPnP: Add Device by URL');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Add Device by URL' }).first().click();
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  return input;
}
