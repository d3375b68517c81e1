// Context menus that hit their row while the tree is busy, in the real VS Code (code-server +
// Debian Chromium), inside the isolated namespace. A simulated renderer streams AVTransport
// events ten times a second (each redraws the device's rows); meanwhile the RenderingControl
// row's context menu subscribes and unsubscribes, over and over. Every command must act on the
// row clicked: never a picker of every service, never another service.
//
//   npm run build && scripts/netns.sh --veth node --import tsx --test test/e2e/busy-tree.e2e.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { assertIsolatedNetwork } from '../harness/netns';
import { reportingFailure, startWorkbench } from '../harness/workbench';
import type { Workbench } from '../harness/workbench';
import { contextMenuEntry, expandRow, openViewContainer, treeRow, treeRowTexts, waitForTreeRows } from '../harness/browser';
import { startSimulatedRenderer } from '../devices/renderer';
import type { SimulatedRenderer } from '../devices/renderer';

const RENDERER = 'Busy Renderer';
const STREAMING = 'AVTransport:1';
const CLICKED = 'RenderingControl:1';
const ROUNDS = 6;

describe('a busy tree (code-server)', { timeout: 400_000 }, () => {
  let renderer: SimulatedRenderer | undefined;
  let wb: Workbench | undefined;
  let page: Page;
  let streaming: NodeJS.Timeout | undefined;

  before(async () => {
    assertIsolatedNetwork('busy-tree.e2e.test.ts');
    renderer = await startSimulatedRenderer({ interfaceAddress: '127.0.0.1', friendlyName: RENDERER });
    wb = await startWorkbench('busy-tree.e2e.test.ts');
    page = wb.page;
  });

  after(async () => {
    if (streaming) clearInterval(streaming);
    await wb?.close();
    await renderer?.stop();
  });

  async function rowDescription(label: string): Promise<string> {
    const desc = treeRow(page, label).first().locator('.label-description');
    return (await desc.count()) > 0 ? (await desc.innerText()).trim() : '';
  }

  async function waitForDescription(label: string, test: (d: string) => boolean, what: string): Promise<string> {
    const deadline = Date.now() + 20_000;
    let seen = '';
    while (Date.now() < deadline) {
      seen = await rowDescription(label);
      if (test(seen)) return seen;
      await page.waitForTimeout(100);
    }
    throw new Error(`${label}: expected ${what}, has '${seen}'; rows: ${JSON.stringify(await treeRowTexts(page))}`);
  }

  it('acts on the clicked row every time while events stream in', () => reportingFailure(wb, 'busy-tree', async () => {
    await openViewContainer(page, 'UPnP');
    await waitForTreeRows(page, [RENDERER], 60_000);
    await expandRow(page, RENDERER);
    await waitForTreeRows(page, [STREAMING, CLICKED]);
    await waitForDescription(STREAMING, (d) => d === '', 'its SCPD read');
    await waitForDescription(CLICKED, (d) => d === '', 'its SCPD read');

    // Subscribe to AVTransport, then keep it busy: ten LastChange events a second.
    await (await contextMenuEntry(page, treeRow(page, STREAMING).first(), 'Subscribe to Events')).click();
    await waitForDescription(STREAMING, (d) => d.startsWith('subscribed'), 'subscribed');
    let volume = 0;
    streaming = setInterval(() => {
      void renderer!.avTransportEvents.notify([['LastChange', `<Event xmlns="urn:schemas-upnp-org:metadata-1-0/AVT/"><InstanceID val="0"><RelativeTimePosition val="0:00:${String(volume++ % 60).padStart(2, '0')}"/></InstanceID></Event>`]]);
    }, 100);
    // The stream is redrawing the device's rows.
    const first = await waitForDescription(STREAMING, (d) => /subscribed · \d+ events/.test(d), 'events counted');
    await waitForDescription(STREAMING, (d) => d !== first, 'the count moving');

    for (let round = 1; round <= ROUNDS; round++) {
      const subscribe = round % 2 === 1;
      const entry = await contextMenuEntry(page, treeRow(page, CLICKED).first(), subscribe ? 'Subscribe to Events' : 'Unsubscribe from Events');
      await entry.click();
      // No picker of every service: the command had its row.
      await page.waitForTimeout(300);
      assert.equal(await page.locator('.quick-input-widget .quick-input-title', { hasText: /UPnP Events/ }).filter({ visible: true }).count(), 0, `round ${round}: a picker opened`);
      if (subscribe) await waitForDescription(CLICKED, (d) => d.startsWith('subscribed'), `round ${round}: subscribed`);
      else await waitForDescription(CLICKED, (d) => d === '', `round ${round}: unsubscribed`);
      // The other service was never touched.
      assert.match(await rowDescription(STREAMING), /^subscribed/, `round ${round}: AVTransport still subscribed`);
    }
    assert.equal(renderer!.renderingControlEvents.subscribers().length, 0, 'the last round unsubscribed');
    assert.equal(renderer!.avTransportEvents.subscribers().length, 1);
  }));
});
