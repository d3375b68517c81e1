// Play To in a real VS Code (code-server + Chromium), inside the isolated namespace: the simulated
// Leica camera's photo sent from the Content tree to the simulated renderer with "Play on…" —
// the renderer gets the JPEG (not the DNG its sinks don't take) with the item's DIDL-Lite — and
// the Now Playing panel shows the title and Playing; Pause in the panel, and the state follows
// the renderer's LastChange event; closing the panel ends the subscriptions it made. A renderer
// without events is polled, and its panel says so.
//
//   npm run build && scripts/netns.sh --veth node --import tsx --test test/e2e/play-to.e2e.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { assertIsolatedNetwork } from '../harness/netns';
import { reportingFailure, startWorkbench } from '../harness/workbench';
import type { Workbench } from '../harness/workbench';
import { contextMenuEntry, expandPath, openViewContainer, runCommand, screenshot, treeRow, waitForTreeRows } from '../harness/browser';
import { startSimulatedCamera } from '../devices/camera';
import type { SimulatedCamera } from '../devices/camera';
import { startSimulatedRenderer } from '../devices/renderer';
import type { SimulatedRenderer } from '../devices/renderer';
import { findFrameWith } from './actionFormHelpers';

const CAMERA = 'Leica Q3-1234567';
const RENDERER = 'Living Room TV';
const SILENT = 'Kitchen Speaker';

describe('Play To (code-server)', { timeout: 240_000 }, () => {
  let camera: SimulatedCamera | undefined;
  let renderer: SimulatedRenderer | undefined;
  let silent: SimulatedRenderer | undefined;
  let wb: Workbench | undefined;
  let page: Page;

  before(async () => {
    assertIsolatedNetwork('play-to.e2e.test.ts');
    camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1' });
    renderer = await startSimulatedRenderer({ interfaceAddress: '127.0.0.1', friendlyName: RENDERER });
    // A renderer that sends no events (empty eventSubURLs): the panel polls it.
    silent = await startSimulatedRenderer({ interfaceAddress: '127.0.0.1', friendlyName: SILENT, udn: 'uuid:0b7a3c2e-9d41-4f6a-8c55-2f1e0d9c8b71', events: false });
    wb = await startWorkbench('play-to.e2e.test.ts', { 'workbench.tree.enableStickyScroll': false }, { needs: ['dist/webviews/nowPlaying.js'], browser: { viewport: { width: 1600, height: 1000 } } });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
    await renderer?.stop();
    await silent?.stop();
    await camera?.stop();
  });

  it('plays a photo on the renderer from the Content tree, and the panel follows Pause', () => reportingFailure(wb, 'play-to', async () => {
    await openViewContainer(page, 'UPnP');
    await waitForTreeRows(page, [CAMERA, RENDERER, SILENT], 60_000);
    await expandPath(page, [CAMERA, 'ContentDirectory:1', 'Content']);
    await waitForTreeRows(page, ['101-0972']);
    await (await contextMenuEntry(page, treeRow(page, '101-0972').first(), 'Play on…')).click();
    const quick = page.locator('.quick-input-widget');
    await quick.locator('.quick-input-title', { hasText: 'Play "101-0972" on…' }).waitFor({ timeout: 10_000 });
    await quick.locator('.quick-input-list .monaco-list-row', { hasText: RENDERER }).first().click();

    // The panel: the title, and Playing once the renderer's event says so.
    const panel = await findFrameWith(page, '.renderer');
    await panel.locator('h1', { hasText: '101-0972' }).waitFor({ timeout: 20_000 });
    await panel.locator('.state', { hasText: 'Playing' }).waitFor({ timeout: 20_000 });
    assert.equal((await panel.locator('.renderer').innerText()).trim(), `Now playing on ${RENDERER}`);
    // The renderer got a JPEG it accepts (its sinks take image/jpeg, not the DNG), with the item's DIDL-Lite.
    const loaded = renderer!.state();
    assert.match(loaded.uri, /^http:\/\/127\.0\.0\.1:\d+\/DL01010972\.JPG$/);
    assert.match(loaded.metadata, /<dc:title>101-0972<\/dc:title>/);
    assert.equal(loaded.transportState, 'PLAYING');
    // It subscribed to the renderer's AVTransport and RenderingControl.
    assert.equal(renderer!.avTransportEvents.subscribers().length, 1);
    assert.equal(renderer!.renderingControlEvents.subscribers().length, 1);
    await screenshot(page, 'play-to-playing');

    // Pause from the panel (by keyboard): the renderer pauses, and its event brings the state.
    const pause = panel.locator('button[data-control="pause"]');
    assert.equal(await pause.isDisabled(), false);
    await pause.focus();
    await page.keyboard.press('Enter');
    await panel.locator('.state', { hasText: 'Paused' }).waitFor({ timeout: 20_000 });
    assert.equal(renderer!.state().transportState, 'PAUSED_PLAYBACK');
    assert.equal(await panel.locator('button[data-control="pause"]').isDisabled(), true, 'Pause is disabled while paused');
    assert.equal(await panel.locator('button[data-control="play"]').isDisabled(), false);

    // Volume by keyboard (End: the top of the slider), then Mute: the renderer follows each, and
    // its RenderingControl events bring the panel along.
    const volume = panel.locator('input[aria-label="Volume"]');
    await volume.focus();
    await page.keyboard.press('End');
    for (const end = Date.now() + 15_000; renderer!.state().volume !== 100 && Date.now() < end;) await page.waitForTimeout(100);
    assert.equal(renderer!.state().volume, 100);
    await panel.locator('.volume .time', { hasText: '100' }).waitFor({ timeout: 10_000 });
    await panel.locator('.volume button', { hasText: 'Mute' }).click();
    await panel.locator('.volume button[aria-pressed="true"]').waitFor({ timeout: 10_000 });
    assert.equal(renderer!.state().mute, true);

    // What the panel sent is in the invocation history with its raw exchange, like a form's call.
    await runCommand(page, 'UPnP: Invocation History…');
    await quick.locator('.quick-input-title', { hasText: 'UPnP Invocation History' }).waitFor({ timeout: 10_000 });
    const pauseRow = quick.locator('.quick-input-list .monaco-list-row', { hasText: 'Pause' }).first();
    await pauseRow.hover();
    await pauseRow.locator('.action-label.codicon-file-code').click();
    const rawEditor = page.locator('.editor-instance .view-lines', { hasText: 'AVTransport:1#Pause' }).first();
    await rawEditor.waitFor({ timeout: 15_000 });
    // (Monaco draws spaces as no-break spaces.)
    const raw = (await rawEditor.innerText()).replace(/\u00a0/g, ' ');
    assert.match(raw, /POST \/[^ ]+ HTTP\/1\.1/, raw);
    assert.match(raw, /HTTP\/1\.1 200/, raw);
    // Read-only, under its action's name and time: nothing to save when it closes.
    const rawTab = page.locator('.tab', { hasText: /Pause \d\d\.\d\d\.\d\d\.http/ }).first();
    await rawTab.waitFor({ timeout: 10_000 });
    assert.doesNotMatch(await rawTab.getAttribute('class') ?? '', /\bdirty\b/);
    await screenshot(page, 'play-to-raw-exchange');

    // Closing the panel ends the subscriptions it made.
    await page.locator('.tab', { hasText: `Now Playing — ${RENDERER}` }).first().click();
    await page.keyboard.press('Control+W');
    const deadline = Date.now() + 15_000;
    while (renderer!.avTransportEvents.subscribers().length > 0 && Date.now() < deadline) await page.waitForTimeout(200);
    assert.equal(renderer!.avTransportEvents.subscribers().length, 0, 'unsubscribed when the panel closed');
    assert.equal(renderer!.renderingControlEvents.subscribers().length, 0);

    // The renderer without events: the panel says it polls, and still reaches Playing; Stop follows.
    await (await contextMenuEntry(page, treeRow(page, '101-0976').first(), 'Play on…')).click();
    await quick.locator('.quick-input-title', { hasText: 'Play "101-0976" on…' }).waitFor({ timeout: 10_000 });
    // The renderer used last is listed first.
    const names = (await quick.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(names.slice(0, 1), [RENDERER], names.join(' | '));
    await quick.locator('input').first().fill(SILENT);
    await quick.locator('.quick-input-list .monaco-list-row', { hasText: SILENT }).first().waitFor();
    await page.keyboard.press('Enter');
    const polled = await findFrameWith(page, '.events');
    await polled.locator('.events', { hasText: 'No events (the renderer offers none): the state is polled every second.' }).waitFor({ timeout: 20_000 });
    await polled.locator('h1', { hasText: '101-0976' }).waitFor({ timeout: 20_000 });
    await polled.locator('.state', { hasText: 'Playing' }).waitFor({ timeout: 20_000 });
    await polled.locator('button[data-control="stop"]').click();
    await polled.locator('.state', { hasText: 'Stopped' }).waitFor({ timeout: 20_000 });
    assert.equal(silent!.state().transportState, 'STOPPED');
  }));

  it('plays from a tile of the thumbnails grid', () => reportingFailure(wb, 'play-to-tile', async () => {
    await (await contextMenuEntry(page, treeRow(page, 'Content').first(), 'Show Thumbnails')).click();
    const grid = await findFrameWith(page, '.grid .tile');
    const tile = grid.locator('.tile[data-id="01010976"]');
    await tile.waitFor({ timeout: 20_000 });
    await tile.click({ button: 'right' });
    const menu = page.locator('.monaco-menu');
    await menu.waitFor();
    // A menu ignores a click that comes right after it opened (the mouse-up of the right-click).
    await page.waitForTimeout(500);
    await menu.locator('.action-item', { hasText: 'Play on…' }).first().click();
    const quick = page.locator('.quick-input-widget');
    await quick.locator('.quick-input-title', { hasText: 'Play "101-0976" on…' }).waitFor({ timeout: 10_000 });
    await quick.locator('input').first().fill(RENDERER);
    await quick.locator('.quick-input-list .monaco-list-row', { hasText: RENDERER }).first().waitFor();
    await page.keyboard.press('Enter');
    const panel = await findFrameWith(page, `.renderer:has-text("${RENDERER}")`);
    await panel.locator('h1', { hasText: '101-0976' }).waitFor({ timeout: 20_000 });
    await panel.locator('.state', { hasText: 'Playing' }).waitFor({ timeout: 20_000 });
    assert.match(renderer!.state().uri, /\/DL01010976\.JPG$/);
    await screenshot(page, 'play-to-tile');
  }));
});
