// GENA events in a real VS Code (code-server + Chromium), inside an isolated network namespace:
// subscribe to the simulated Leica camera's ConnectionManager from the Devices tree's context
// menu, read the initial event (SEQ 0) in the "UPnP Events" channel, make the camera send its
// captured vendor event and watch the line arrive, see the subscription and the evented values
// in the tree, then unsubscribe with the row's inline button.
//
//   npm run build && scripts/netns.sh --veth node --import tsx --test test/e2e/events.e2e.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { assertIsolatedNetwork } from '../harness/netns';
import { reportingFailure, startWorkbench } from '../harness/workbench';
import type { Workbench } from '../harness/workbench';
import { expandRow, openViewContainer, runCommand, screenshot, treeRow, treeRowTexts, waitForOutputLines, waitForTreeRows } from '../harness/browser';
import { startSimulatedCamera } from '../devices/camera';
import type { SimulatedCamera } from '../devices/camera';
import { HttpDeviceServer } from '../devices/http-device';
import type { EventPublisher } from '../devices/http-device';
import { SWITCH_POWER_SCPD } from '../devices/light-data/scpd';
import { SWITCH_POWER_TYPE } from '../devices/light';

const CAMERA_NAME = 'Leica Q3-1234567';
const SERVICE = 'ConnectionManager:1';
const QUIET_NAME = 'Quiet Switch';
const QUIET_UDN = 'uuid:7e1f3c2a-5b6d-4e8f-9a0b-1c2d3e4f5a6b';

/**
 * A device that accepts subscriptions but never sends an event (minidlna does that), granting
 * 4 s so the client renews every 2 s. Not announced: it is added by URL.
 */
async function startQuietDevice(): Promise<{ http: HttpDeviceServer; events: EventPublisher; location: string }> {
  const http = await HttpDeviceServer.start({ host: '127.0.0.1' });
  http.serveDocument('/quiet/desc.xml', `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion><major>1</major><minor>0</minor></specVersion>
  <device>
    <deviceType>urn:schemas-upnp-org:device:BinaryLight:1</deviceType>
    <friendlyName>${QUIET_NAME}</friendlyName>
    <manufacturer>UPnP Explorer tests</manufacturer>
    <modelName>Quiet Switch</modelName>
    <UDN>${QUIET_UDN}</UDN>
    <serviceList>
      <service>
        <serviceType>${SWITCH_POWER_TYPE}</serviceType>
        <serviceId>urn:upnp-org:serviceId:SwitchPower</serviceId>
        <SCPDURL>/quiet/switch.xml</SCPDURL>
        <controlURL>/quiet/control</controlURL>
        <eventSubURL>/quiet/events</eventSubURL>
      </service>
    </serviceList>
  </device>
</root>
`);
  http.serveDocument('/quiet/switch.xml', SWITCH_POWER_SCPD);
  const events = http.publishEvents('/quiet/events', { silent: true, grantSeconds: 4 });
  return { http, events, location: `${http.baseUrl}/quiet/desc.xml` };
}

describe('GENA events (code-server)', { timeout: 240_000 }, () => {
  let camera: SimulatedCamera | undefined;
  let wb: Workbench | undefined;
  let quiet: Awaited<ReturnType<typeof startQuietDevice>> | undefined;
  let page: Page;

  before(async () => {
    assertIsolatedNetwork('events.e2e.test.ts');
    camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1' });
    wb = await startWorkbench('events.e2e.test.ts', {
      'upnpExplorer.events.timeoutSeconds': 600,
      // One logical line per editor line in the Output view, so its lines can be read back.
      '[Log]': { 'editor.wordWrap': 'off' },
    }, { browser: { viewport: { width: 1600, height: 1000 } } });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
    await camera?.stop();
    await quiet?.http.close();
  });

  it('subscribes from the tree, shows the initial and a vendor event in the channel and the count in the tree', () => reportingFailure(wb, 'events', async () => {
    await openViewContainer(page, 'UPnP');
    await waitForTreeRows(page, [CAMERA_NAME], 60_000);
    await expandRow(page, CAMERA_NAME);
    await waitForTreeRows(page, [SERVICE, 'ContentDirectory:1']);
    // Both SCPDs read (no 'loading…'): the tree stops redrawing, so the row's menu acts on it.
    await waitForRowDescription(page, SERVICE, '');
    await waitForRowDescription(page, 'ContentDirectory:1', '');

    // Select the row, then its context menu: Subscribe to Events. (A redraw of the tree between
    // the right-click and the menu choice would leave the command without its row; the
    // selection covers that.)
    await treeRow(page, SERVICE).first().click();
    await treeRow(page, SERVICE).first().click({ button: 'right' });
    const item = page.locator('.monaco-menu .action-item', { hasText: 'Subscribe to Events' }).first();
    await item.waitFor();
    // The workbench ignores a mouse-up that comes right after the menu opened (it would be the
    // right-click's own); a person takes longer than that to choose.
    await page.waitForTimeout(500);
    await item.click();

    // Subscribing brings the channel up (focus stays in the tree); once it is up and the
    // initial event is in, the palette command shows it too.
    await waitForRowDescription(page, SERVICE, 'subscribed · 1 event');
    await page.locator('.part.panel .monaco-editor .view-lines').first().waitFor();
    await runCommand(page, 'UPnP: Show Events');
    const initial = await waitForOutputLines(page, (lines) => lines.some((l) => l.includes('CurrentConnectionIDs = 0')));
    const header = initial.findIndex((l) => /^\[\d\d:\d\d:\d\d\.\d{3}\] Leica Q3-1234567 · ConnectionManager:1 · event SEQ 0 \(initial\)$/.test(l));
    assert.ok(header >= 0, `no SEQ 0 header in:\n${initial.join('\n')}`);
    assert.match(initial[header + 1]!, /^ {2}SourceProtocolInfo = http-get:\*:image\/jpeg:DLNA\.ORG_PN=JPEG_LRG;/);
    assert.equal(initial[header + 2], '  SinkProtocolInfo = ""');
    assert.equal(initial[header + 3], '  CurrentConnectionIDs = 0');
    // The subscription line: the camera's SID (its UDN), what it granted against what was asked, our callback.
    const subscribed = initial.find((l) => l.includes('] Subscribed to Leica Q3-1234567 · ConnectionManager:1:'));
    assert.ok(subscribed, `no subscription line in:\n${initial.join('\n')}`);
    assert.ok(subscribed.includes(`SID ${camera!.udn}, TIMEOUT granted 300 s (asked 600 s), callback http://127.0.0.1:`), subscribed);
    assert.match(subscribed, /callback http:\/\/127\.0\.0\.1:\d+\/gena\/g1-[0-9a-f]{16}$/);
    assert.equal(camera!.cmsEvents.subscribers().length, 1);

    // The camera's captured vendor event, SEQ 1.
    await camera!.sendVendorEvent('X_Leica_Cam_Sync', 'lens_Update');
    const after1 = await waitForOutputLines(page, (lines) => lines.includes('  X_Leica_Cam_Sync = lens_Update'));
    const vendor = after1.indexOf('  X_Leica_Cam_Sync = lens_Update');
    assert.match(after1[vendor - 1]!, /^\[[\d:.]+\] Leica Q3-1234567 · ConnectionManager:1 · event SEQ 1$/);

    // Lost events are called out: the camera skips three keys.
    camera!.skipEventSeq(3);
    await camera!.sendVendorEvent('X_Leica_Cam_PRec', 'ok');
    const after2 = await waitForOutputLines(page, (lines) => lines.includes('  X_Leica_Cam_PRec = ok'));
    const prec = after2.indexOf('  X_Leica_Cam_PRec = ok');
    assert.match(after2[prec - 2]!, /· event SEQ 5$/);
    assert.equal(after2[prec - 1], '  ⚠ 3 events were missed: expected SEQ 2, got 5.');

    // The tree: the service row says it is subscribed and counts the events; evented values show.
    await waitForRowDescription(page, SERVICE, 'subscribed · 3 events');
    await expandRow(page, SERVICE);
    await waitForTreeRows(page, ['State Variables']);
    await expandRow(page, 'State Variables');
    await waitForTreeRows(page, ['CurrentConnectionIDs']);
    const variables = new Map(await rowDescriptions(page));
    assert.equal(variables.get('CurrentConnectionIDs'), '= 0 · string · evented');
    assert.equal(variables.get('SourceProtocolInfo'), '= http-get:*:image/jpeg:DLNA.ORG_PN=JPEG_L… · string · evented');
    assert.equal(variables.get('SinkProtocolInfo'), '= "" · string · evented');
    assert.match(variables.get('X_Leica_Cam_Sync') ?? '', /^= lens_Update · string/);
    assert.match(variables.get('X_Leica_Cam_PRec') ?? '', /^= ok · string/);
    assert.doesNotMatch(variables.get('X_Leica_Cam_VRec') ?? '', /^=/);
    await widenSidebar(page, 640);
    await screenshot(page, 'events');
    await page.mouse.move(10, 10);

    // The inline button on the row ends the subscription with UNSUBSCRIBE.
    const row = treeRow(page, SERVICE).first();
    await row.hover();
    await row.locator('.action-label[aria-label="Unsubscribe from Events"]').click();
    const ended = await waitForOutputLines(page, (lines) => lines.some((l) => l.includes('] Unsubscribed from Leica Q3-1234567 · ConnectionManager:1 (SID uuid:')));
    assert.ok(!ended.some((l) => l.includes('⚠ UNSUBSCRIBE')), ended.join('\n'));
    await waitForRowDescription(page, SERVICE, '');
    assert.equal(camera!.cmsEvents.subscribers().length, 0);

    // Subscribe to All Services on the device: the camera has no eventing on ContentDirectory
    // (as captured), so one of the two fails and says why.
    // (Clicking the device row to select it also collapses it; it is expanded again below.)
    await treeRow(page, CAMERA_NAME).first().click();
    await treeRow(page, CAMERA_NAME).first().click({ button: 'right' });
    const all = page.locator('.monaco-menu .action-item', { hasText: 'Subscribe to All Services' }).first();
    await all.waitFor();
    await page.waitForTimeout(500);
    await all.click();
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Subscribed to 1 of 2 services of Leica Q3-1234567' });
    await toast.first().waitFor({ timeout: 20_000 });
    assert.match(await toast.first().innerText(), /ContentDirectory:1: SUBSCRIBE to http:\/\/127\.0\.0\.1:\d+\/Server0\/CDS_event answered HTTP 405/);
    await expandRow(page, CAMERA_NAME);
    await waitForRowDescription(page, SERVICE, 'subscribed · 1 event');
    assert.equal(camera!.cmsEvents.subscribers().length, 1);

    // The camera says byebye: its subscription is dropped, and the channel says so.
    await camera!.stop();
    const gone = await waitForOutputLines(page, (lines) => lines.some((l) => l.includes('Leica Q3-1234567 left the network (byebye): 1 subscription dropped')));
    assert.ok(gone.some((l) => /\] Dropped the subscription to Leica Q3-1234567 · ConnectionManager:1 \(SID [^)]+\): the device left, so no UNSUBSCRIBE was sent$/.test(l)), gone.join('\n'));
  }));

  it('warns when no initial event comes, re-subscribes after a refused renewal, unsubscribes when the window closes', () => reportingFailure(wb, 'events-quiet', async () => {
    quiet = await startQuietDevice();
    await runCommand(page, 'UPnP: Add Device by URL…');
    const input = page.locator('.quick-input-widget input');
    await input.fill(quiet.location);
    await input.press('Enter');
    await waitForTreeRows(page, [QUIET_NAME], 20_000);
    await expandRow(page, QUIET_NAME);
    await waitForTreeRows(page, ['SwitchPower:1']);
    await waitForRowDescription(page, 'SwitchPower:1', '');

    // The inline button on the service row.
    const row = treeRow(page, 'SwitchPower:1').first();
    await row.hover();
    await row.locator('.action-label[aria-label="Subscribe to Events"]').click();
    await waitForRowDescription(page, 'SwitchPower:1', 'subscribed · 0 events');

    // After 5 s without the initial event: the core's diagnosis, naming our callback and interface.
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'No initial event from' }).first();
    await toast.waitFor({ timeout: 20_000 });
    const text = (await toast.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Quiet Switch · SwitchPower:1: No initial event from http:\/\/127\.0\.0\.1:\d+\/quiet\/events within 5 s/);
    assert.match(text, /can't reach the callback http:\/\/127\.0\.0\.1:\d+\/gena\/g\d+-[0-9a-f]{16} \(our address 127\.0\.0\.1 on lo\)/);
    // Close the Output panel first, so "Show Events" is what brings it back.
    await page.locator('.part.panel').waitFor();
    await page.locator('.part.panel .action-label[aria-label^="Hide Panel"], .part.panel .action-label[aria-label^="Close Panel"]').first().click();
    await page.locator('.part.panel').waitFor({ state: 'hidden' });
    await toast.getByRole('button', { name: 'Show Events' }).click();
    const warned = await waitForOutputLines(page, (lines) => lines.some((l) => l.includes('⚠ No initial event from')));
    assert.ok(warned.some((l) => /^\[[\d:.]+\] Subscribed to Quiet Switch · SwitchPower:1: SID uuid:[0-9a-f-]+, TIMEOUT granted 4 s \(asked 600 s\)/.test(l)), warned.join('\n'));
    // Renewals every 2 s (4 s granted), announced in the channel.
    await waitForOutputLines(page, (lines) => lines.some((l) => /\] Renewed Quiet Switch · SwitchPower:1: SID uuid:[0-9a-f-]+, TIMEOUT granted 4 s \(renewal \d+\)$/.test(l)));

    // The device "reboots" and forgets us: the next renewal gets 412, then a fresh SUBSCRIBE works.
    const before = quiet.events.subscribers()[0]!.sid;
    quiet.events.forgetAll();
    const fresh = await waitForOutputLines(page, (lines) => lines.some((l) => l.includes('] Subscribed afresh to Quiet Switch · SwitchPower:1')));
    assert.ok(fresh.some((l) => l.includes(`⚠ Renewing Quiet Switch · SwitchPower:1 (SID ${before}) failed: Renewal SUBSCRIBE to ${quiet!.http.baseUrl}/quiet/events answered HTTP 412 Precondition Failed. Subscribing afresh…`)), fresh.join('\n'));
    const now = quiet.events.subscribers();
    assert.equal(now.length, 1);
    assert.ok(fresh.some((l) => l.includes(`after the failed renewal: SID ${now[0]!.sid} (was ${before})`)), fresh.join('\n'));

    // Reloading the window deactivates the extension: every subscription gets its UNSUBSCRIBE.
    await runCommand(page, 'Developer: Reload Window');
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && quiet.events.subscribers().length > 0) await new Promise((r) => setTimeout(r, 100));
    const unsubscribes = quiet.events.requests.filter((r) => r.method === 'UNSUBSCRIBE');
    assert.deepEqual(unsubscribes.map((r) => [r.sid, r.status]), [[now[0]!.sid, 200]]);
    assert.equal(quiet.events.subscribers().length, 0);
  }));
});

/** Drags the sash right of the sidebar so whole row descriptions show in the screenshot. */
async function widenSidebar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
  // Off the sash, so it isn't drawn highlighted.
  await page.mouse.move(box.x + width + 300, box.y + 100);
}

/** Waits until the first visible tree row labelled `label` has exactly `description` ('' for none). */
async function waitForRowDescription(page: Page, label: string, description: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: string | undefined;
  while (Date.now() < deadline) {
    const desc = treeRow(page, label).first().locator('.label-description');
    seen = (await desc.count()) > 0 ? (await desc.innerText()).trim() : '';
    if (seen === description) return;
    await page.waitForTimeout(200);
  }
  throw new Error(`tree row '${label}' did not get the description '${description}' within ${timeoutMs} ms; it has '${seen}'; rows: ${JSON.stringify(await treeRowTexts(page))}`);
}

/** Label and description of each visible tree row. */
async function rowDescriptions(page: Page): Promise<Array<[string, string]>> {
  const rows = page.locator('.part.sidebar .monaco-list-row').filter({ visible: true });
  return rows.evaluateAll((els) => els.map((el) => [
    el.querySelector('.label-name')?.textContent?.trim() ?? '',
    el.querySelector('.label-description')?.textContent?.trim() ?? '',
  ] as [string, string]));
}
