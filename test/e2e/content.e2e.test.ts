// Media browsing in a real VS Code (code-server + Chromium), inside an isolated network namespace:
// the simulated Leica camera with a few hundred generated photos besides the two captured ones.
// Expand camera → ContentDirectory:1 → Content, page with Load more, open the thumbnails grid and
// check the images really rendered, preview one, delete a photo through the modal, download the
// DNG through VS Code's own save dialog, byte for byte, and act on tiles (keys, preview buttons,
// the tile's context menu).
//
//   npm run build && scripts/netns.sh --veth node --import tsx --test test/e2e/content.e2e.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { assertIsolatedNetwork } from '../harness/netns';
import { reportingFailure, startWorkbench } from '../harness/workbench';
import type { Workbench } from '../harness/workbench';
import { contextMenuEntry, expandPath, openViewContainer, screenshot, treeRow, treeRowTexts, waitForTreePath, waitForTreeRows } from '../harness/browser';
import { startSimulatedCamera } from '../devices/camera';
import type { SimulatedCamera } from '../devices/camera';
import { findFrameWith } from './actionFormHelpers';

const CAMERA = 'Leica Q3-1234567';
const CONTENT_PATH = [CAMERA, 'ContentDirectory:1', 'Content'];
const EXTRA_PHOTOS = 250;
const TOTAL = EXTRA_PHOTOS + 2;
const PAGE_SIZE = 20;

describe('media browsing (code-server)', { timeout: 300_000 }, () => {
  let camera: SimulatedCamera | undefined;
  let wb: Workbench | undefined;
  let downloads: string | undefined;
  let page: Page;

  before(async () => {
    assertIsolatedNetwork('content.e2e.test.ts');
    camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1', extraPhotos: EXTRA_PHOTOS });
    wb = await startWorkbench('content.e2e.test.ts', {
      'upnpExplorer.browse.pageSize': PAGE_SIZE,
      // Sticky ancestors would cover the rows scrolled under them (and count as visible rows).
      'workbench.tree.enableStickyScroll': false,
    }, { needs: ['dist/webviews/thumbnails.js'] });
    page = wb.page;
    downloads = path.join(wb.workspace, 'downloads');
    mkdirSync(downloads);
  });

  after(async () => {
    await wb?.close();
    await camera?.stop();
  });

  const failing = (name: string, run: () => Promise<void>): Promise<void> => reportingFailure(wb, `content-${name}`, run);

  it('lists the camera\'s photos under Content, a page at a time', () => failing('tree', async () => {
    await openViewContainer(page, 'UPnP');
    await waitForTreeRows(page, [CAMERA], 60_000);
    await expandPath(page, CONTENT_PATH);
    const rows = await waitForTreeRows(page, ['101-0972', '101-0976', `Load more (${PAGE_SIZE} of ${TOTAL})`]);
    // Title, then the camera's own date and the original's size.
    assert.ok(rows.includes('101-0972 — 2024-12-10 15:12 · 72.9 MiB'), rows.join(' | '));
    assert.ok(rows.includes('101-0976 — 2024-12-10 15:14 · 29.1 MiB'), rows.join(' | '));
    // Content comes before the actions under the service.
    const content = rows.indexOf('Content');
    assert.ok(content >= 0 && content < rows.findIndex((r) => r.startsWith('Browse — ')), rows.join(' | '));

    await treeRow(page, `Load more (${PAGE_SIZE} of ${TOTAL})`).first().click();
    // The second page follows the first (index 39 is the 38th generated photo), then the next Load more.
    await scrollTreeTo(page, '102-0038');
    await scrollTreeTo(page, `Load more (${2 * PAGE_SIZE} of ${TOTAL})`);
    await treeToTop(page);
  }));

  it('shows the thumbnails grid, lazily, with images that really render', () => failing('thumbnails', async () => {
    await treeToTop(page);
    await contextMenu(page, await waitForTreePath(page, CONTENT_PATH), 'Show Thumbnails');
    const grid = await findFrameWith(page, '.grid .tile');
    await waitForVisibleImages(grid);
    const captions = await grid.locator('.tile figcaption').allInnerTexts();
    assert.deepEqual(captions.slice(0, 3), ['101-0972', '101-0976', '102-0001']);
    assert.equal((await grid.locator('h1').innerText()).trim(), `Content — ${CAMERA}`);

    // Only what is near the view was fetched, never the whole card.
    const thumbnailsBefore = camera!.mediaRequests.filter((p) => p.startsWith('/DT')).length;
    assert.ok(thumbnailsBefore > 0 && thumbnailsBefore < TOTAL, `thumbnail requests: ${thumbnailsBefore}`);
    assert.ok(camera!.mediaRequests.every((p) => p.startsWith('/DT')), 'only thumbnails are fetched for the grid');
    // No tree tooltip over the picture.
    await page.mouse.move(900, 880);
    await page.waitForTimeout(300);
    await screenshot(page, 'thumbnails');

    // Scrolling to the end pages through the rest; the tiles that come into view get theirs.
    // Each scroll to the end asks for the next page; a busy machine answers slowly, so wait on
    // progress (a deadline for the whole walk) rather than a fixed number of tries.
    const walkDeadline = Date.now() + 90_000;
    while ((await grid.locator('.tile').count()) < TOTAL && Date.now() < walkDeadline) {
      await grid.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await grid.waitForTimeout(300);
    }
    assert.equal(await grid.locator('.tile').count(), TOTAL);
    // The end is known once the server sent an empty page; the count then stops saying "of ?".
    await grid.locator('.status', { hasText: new RegExp(`^${TOTAL} items$`) }).waitFor({ timeout: 15_000 });
    await waitForVisibleImages(grid);
    const thumbnailsAfter = camera!.mediaRequests.filter((p) => p.startsWith('/DT')).length;
    assert.ok(thumbnailsAfter > thumbnailsBefore, 'scrolling fetched more thumbnails');
    // Each thumbnail was fetched once at most (the host caches them).
    const dt = camera!.mediaRequests.filter((p) => p.startsWith('/DT'));
    assert.equal(new Set(dt).size, dt.length);

    // A click opens the larger preview (JPEG_MED) with the item's metadata.
    await grid.evaluate(() => window.scrollTo(0, 0));
    await grid.locator('.tile[data-id="01010972"]').click();
    const preview = grid.locator('.preview');
    await preview.locator('.preview-image img').waitFor({ timeout: 20_000 });
    await grid.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.preview .preview-image img');
      return img !== null && img.complete && img.naturalWidth > 0;
    }, undefined, { timeout: 20_000 });
    assert.equal(await preview.locator('h2').innerText(), '101-0972');
    const details = await preview.locator('.details').innerText();
    assert.match(details, /object\.item\.imageItem/);
    assert.match(details, /DNG original · 72\.9 MiB · application\/octet-stream \(L1010972\.DNG\)/);
    assert.ok(camera!.mediaRequests.includes('/DL01010972.JPG'), 'the preview is the JPEG_MED resource');
    await screenshot(page, 'thumbnails-preview');
    await grid.locator('.preview .close').click();
    await preview.waitFor({ state: 'hidden' });
  }));

  it('deletes a photo after a modal confirmation, and the tree follows', () => failing('delete', async () => {
    await openViewContainer(page, 'UPnP');
    await treeToTop(page);
    await contextMenu(page, treeRow(page, '101-0976').first(), 'Delete…');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Delete "101-0976" \(id 01010976\) from Leica Q3-1234567\?/);
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await treeRow(page, '101-0976').first().waitFor({ state: 'detached', timeout: 20_000 });
    assert.ok(!camera!.objectIds().includes('01010976'));
    assert.ok(camera!.objectIds().includes('01010972'));
    await waitForTreeRows(page, ['101-0972', '102-0001']);
    // The thumbnails grid still open beside the tree follows: the tile goes, the count drops.
    const grid = await findFrameWith(page, '.grid .tile');
    await grid.locator('.tile[data-id="01010976"]').waitFor({ state: 'detached', timeout: 15_000 });
    await grid.locator('.status', { hasText: new RegExp(`^${TOTAL - 1} items$`) }).waitFor({ timeout: 15_000 });
    assert.equal(await grid.locator('.tile').count(), TOTAL - 1);
    assert.equal(await grid.locator('.tile[data-id="01010972"]').count(), 1);
  }));

  it("shows an item's metadata: decoded in the channel, the DIDL-Lite in a read-only editor", () => failing('metadata', async () => {
    await treeToTop(page);
    await contextMenu(page, treeRow(page, '101-0972').first(), 'Show Metadata');
    const editor = page.locator('.editor-instance .monaco-editor .view-lines').filter({ hasText: 'DIDL-Lite' });
    await editor.first().waitFor({ timeout: 15_000 });
    assert.match(await page.locator('.tab.active').first().innerText(), /101-0972\.didl/);
    // Monaco renders spaces as U+00A0; the one-line DIDL-Lite is shown indented.
    const xml = (await editor.first().innerText()).replace(/\u00a0/g, ' ');
    assert.match(xml, /^\s*<dc:title>101-0972<\/dc:title>$/m);
    assert.match(xml, /OriginalFileName='L1010972\.DNG'/);
    // The decoded lines end the "UPnP Results" channel.
    const channel = page.locator('.part.panel .monaco-editor .view-lines').filter({ hasText: 'res large: JPEG large · 20.0 MiB' });
    await channel.first().waitFor({ timeout: 15_000 });
  }));

  it('downloads the DNG through the save dialog, whole and without leftovers', () => failing('download', async () => {
    await contextMenu(page, treeRow(page, '101-0972').first(), 'Download…');
    // Which resource: a quick pick described from protocolInfo.
    const quickInput = page.locator('.quick-input-widget');
    const original = quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 'L1010972.DNG' }).first();
    await original.waitFor();
    assert.match(await original.innerText(), /Original[\s\S]*DNG original · 72\.9 MiB/);
    assert.equal(await quickInput.locator('.quick-input-list .monaco-list-row').count(), 4);
    await original.click();

    // code-server's save dialog is VS Code's simple file dialog: a quick input holding the path.
    const target = path.join(downloads!, 'L1010972.DNG');
    const pathInput = quickInput.locator('input');
    await page.waitForFunction(
      () => (document.querySelector<HTMLInputElement>('.quick-input-widget input')?.value ?? '').endsWith('L1010972.DNG'),
      undefined,
      { timeout: 15_000 },
    );
    await pathInput.fill(target);
    await quickInput.getByRole('button', { name: 'OK' }).click();

    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Downloaded L1010972.DNG' });
    await toast.first().waitFor({ timeout: 30_000 });
    assert.match(await toast.first().innerText(), /Downloaded L1010972\.DNG \(\d+(\.\d)? KiB\)/);
    const expected = camera!.mediaBytes('/DO01010972.DNG');
    assert.ok(expected && expected.length > 0);
    assert.ok(readFileSync(target).equals(expected), 'the file is what the camera serves');
    // Written to a temporary file and renamed: nothing else is left in the folder.
    assert.deepEqual(readdirSync(downloads!), ['L1010972.DNG']);
  }));

  it('acts on the grid: arrow keys, the preview follows, its buttons and a tile\'s context menu', () => failing('grid-actions', async () => {
    await page.locator('.tab', { hasText: `Content — ${CAMERA}` }).first().click();
    const grid = await findFrameWith(page, '.grid .tile');
    await grid.evaluate(() => window.scrollTo(0, 0));
    const keys = async (): Promise<string[]> => grid.locator('.tile').evaluateAll((ts) => ts.map((t) => (t as HTMLElement).dataset.id ?? ''));
    const focused = async (): Promise<string | undefined> => grid.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.id);
    const ids = await keys();
    // Tiles per row, measured here from where they sit.
    const columns = await grid.locator('.tile').evaluateAll((ts) => ts.filter((t) => (t as HTMLElement).offsetTop === (ts[0] as HTMLElement).offsetTop).length);
    assert.ok(columns > 1, `columns: ${columns}`);

    // Keyboard: one tile in the tab order; arrows move, Down goes a whole row.
    await grid.locator(`.tile[data-id="${ids[0]}"]`).focus();
    assert.equal(await grid.locator('.tile[tabindex="0"]').count(), 1);
    await page.keyboard.press('ArrowRight');
    assert.equal(await focused(), ids[1]);
    await page.keyboard.press('ArrowDown');
    assert.equal(await focused(), ids[1 + columns]);
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focused(), ids[columns]);
    await page.keyboard.press('Home');
    assert.equal(await focused(), ids[0]);
    assert.equal(await grid.locator('.tile[tabindex="0"]').count(), 1);

    // Enter previews; with the preview open the arrows page through the pictures.
    const preview = grid.locator('.preview');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await preview.locator('h2', { hasText: '102-0001' }).waitFor({ timeout: 15_000 });
    await page.keyboard.press('ArrowRight');
    await preview.locator('h2', { hasText: '102-0002' }).waitFor({ timeout: 15_000 });
    assert.equal(await focused(), '01020002');

    // The preview's Copy URL: which resource (a quick pick), then the clipboard holds its URL.
    await wb!.browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await preview.getByRole('button', { name: 'Copy URL' }).click();
    const quickInput = page.locator('.quick-input-widget');
    await quickInput.locator('.quick-input-title', { hasText: 'Copy the URL of "102-0002"' }).waitFor({ timeout: 10_000 });
    await quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 'L1020002.DNG' }).first().click();
    await page.locator('.statusbar', { hasText: 'Copied the URL of' }).waitFor({ timeout: 10_000 });
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /^http:\/\/127\.0\.0\.1:\d+\/DO01020002\.DNG$/);

    // Delete on a focused tile asks first; Cancel keeps it, on the device and in the grid.
    await grid.locator('.preview .close').click();
    await grid.locator('.tile[data-id="01020002"]').focus();
    await page.keyboard.press('Delete');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Delete "102-0002" \(id 01020002\) from Leica Q3-1234567\?/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.ok(camera!.objectIds().includes('01020002'));
    assert.equal(await grid.locator('.tile[data-id="01020002"]').count(), 1);

    // A tile's context menu offers the tree's commands; Delete… goes through the same modal.
    await page.keyboard.press('Escape');
    await grid.locator('.tile[data-id="01020003"]').click({ button: 'right' });
    const menu = page.locator('.monaco-menu');
    await menu.waitFor();
    // A menu ignores a click that comes right after it opened (the mouse-up of the right-click).
    await page.waitForTimeout(500);
    const entries = (await menu.locator('.action-item .action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    assert.deepEqual(entries, ['Play on…', 'Play Next on…', 'Download…', 'Show Metadata', 'Copy URL', 'Delete…']);
    await menu.locator('.action-item', { hasText: 'Delete…' }).click();
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Delete "102-0003" \(id 01020003\)/);
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await grid.locator('.tile[data-id="01020003"]').waitFor({ state: 'detached', timeout: 20_000 });
    assert.ok(!camera!.objectIds().includes('01020003'));
    await grid.locator('.status', { hasText: new RegExp(`^${TOTAL - 2} items$`) }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'thumbnails-context-menu-delete');
  }));
});

/** Scrolls the Devices tree (mouse wheel) until a row labelled `label` is visible. */
async function scrollTreeTo(page: Page, label: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const list = page.locator('.part.sidebar .monaco-list').first();
  while (!(await treeRow(page, label).first().isVisible())) {
    if (Date.now() > deadline) throw new Error(`no tree row '${label}'; visible rows: ${JSON.stringify(await treeRowTexts(page))}`);
    await list.hover();
    await page.mouse.wheel(0, 200);
    await page.waitForTimeout(150);
  }
}

/** Scrolls the Devices tree back to its first row: select a photo row (nothing else happens), then Home. */
async function treeToTop(page: Page): Promise<void> {
  const photo = page.locator('.part.sidebar .monaco-list-row').filter({ visible: true })
    .filter({ has: page.locator('.label-name', { hasText: /^\s*10\d-\d{4}\s*$/ }) }).first();
  await photo.click();
  await page.keyboard.press('Home');
  await treeRow(page, CAMERA).first().waitFor({ state: 'visible' });
}

/** Opens a tree row's context menu and chooses `label`. */
async function contextMenu(page: Page, row: Locator, label: string): Promise<void> {
  await (await contextMenuEntry(page, row, label)).click();
}

/**
 * Waits until every tile in the webview's viewport shows its image, decoded (naturalWidth > 0),
 * and at least one does.
 */
async function waitForVisibleImages(grid: Frame, timeoutMs = 30_000): Promise<void> {
  try {
    await grid.waitForFunction(() => {
      const tiles = Array.from(document.querySelectorAll<HTMLElement>('.grid .tile')).filter((t) => {
        const r = t.getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight;
      });
      if (tiles.length === 0) return false;
      return tiles.every((t) => {
        const img = t.querySelector('img');
        return img !== null && img.complete && img.naturalWidth > 0;
      });
    }, undefined, { timeout: timeoutMs, polling: 250 });
  } catch (err) {
    const state = await grid.evaluate(() => Array.from(document.querySelectorAll<HTMLElement>('.grid .tile')).slice(0, 30)
      .map((t) => `${t.dataset.id}:${t.querySelector('img') ? 'img' : (t.textContent ?? '')}`).join(', '));
    throw new Error(`visible thumbnails did not all render: ${state}\n${String(err)}`);
  }
}
