// The simulated light's events in the real VS Code (code-server + Chromium), inside the isolated
// namespace — what `npm start` shows: with nothing selected, "UPnP: Subscribe to Events" from the
// palette offers a picker of the evented services; the light's initial event arrives; another
// control point switches the light on (SOAP SetTarget from this test) and the Status change is
// evented to the channel; "UPnP: Open Event…" opens that event whole, as XML.
//
//   npm run build && scripts/netns.sh --veth node --import tsx --test test/e2e/light-events.e2e.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { assertIsolatedNetwork } from '../harness/netns';
import { reportingFailure, startWorkbench } from '../harness/workbench';
import type { Workbench } from '../harness/workbench';
import { openViewContainer, runCommand, screenshot, waitForOutputLines, waitForTreeRows } from '../harness/browser';
import { LIGHT_FRIENDLY_NAME, LIGHT_PATHS, SWITCH_POWER_TYPE, startSimulatedLight } from '../devices/light';
import type { SimulatedLight } from '../devices/light';

describe('the light\'s events (code-server)', { timeout: 240_000 }, () => {
  let light: SimulatedLight | undefined;
  let wb: Workbench | undefined;
  let page: Page;

  before(async () => {
    assertIsolatedNetwork('light-events.e2e.test.ts');
    light = await startSimulatedLight({ interfaceAddress: '127.0.0.1' });
    wb = await startWorkbench('light-events.e2e.test.ts', { '[Log]': { 'editor.wordWrap': 'off' } }, { browser: { viewport: { width: 1600, height: 1000 } } });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
    await light?.stop();
  });

  /** Another control point switches the light: SOAP SetTarget straight to the device. */
  async function setTarget(on: boolean): Promise<void> {
    const res = await fetch(`${light!.baseUrl}${LIGHT_PATHS.switchPowerControl}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: `"${SWITCH_POWER_TYPE}#SetTarget"` },
      body: '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">'
        + `<s:Body><u:SetTarget xmlns:u="${SWITCH_POWER_TYPE}"><newTargetValue>${on ? 1 : 0}</newTargetValue></u:SetTarget></s:Body></s:Envelope>`,
    });
    assert.equal(res.status, 200, await res.text());
  }

  it('subscribes from the palette picker, streams the Status change, opens the event whole', () => reportingFailure(wb, 'light-events', async () => {
    await openViewContainer(page, 'UPnP');
    await waitForTreeRows(page, [LIGHT_FRIENDLY_NAME], 60_000);

    // Nothing selected: the palette command asks which service.
    await runCommand(page, 'UPnP: Subscribe to Events');
    const quick = page.locator('.quick-input-widget');
    await quick.locator('.quick-input-title', { hasText: 'Subscribe to UPnP Events' }).waitFor({ timeout: 10_000 });
    const rows = quick.locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor();
    const labels = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.ok(labels.some((l) => l.startsWith('SwitchPower:1')), labels.join(' | '));
    assert.ok(labels.some((l) => l.startsWith('Dimming:1')), labels.join(' | '));
    await rows.filter({ hasText: 'SwitchPower:1' }).first().click();

    // The initial event: the light is off.
    const initial = await waitForOutputLines(page, (lines) => lines.some((l) => /SwitchPower:1 · event SEQ 0 \(initial\)$/.test(l)));
    const head = initial.findIndex((l) => /SwitchPower:1 · event SEQ 0 \(initial\)$/.test(l));
    assert.equal(initial[head + 1], '  Status = 0');
    assert.equal(light!.switchPowerEvents.subscribers().length, 1);

    // Someone switches it on: the change is evented (SEQ 1).
    await setTarget(true);
    const on = await waitForOutputLines(page, (lines) => lines.some((l) => /SwitchPower:1 · event SEQ 1$/.test(l)));
    assert.equal(on[on.findIndex((l) => /SwitchPower:1 · event SEQ 1$/.test(l)) + 1], '  Status = 1');
    await screenshot(page, 'light-events');

    // The event, whole, in a read-only XML editor.
    await runCommand(page, 'UPnP: Open Event…');
    await quick.locator('.quick-input-title', { hasText: 'Open a Recent UPnP Event' }).waitFor({ timeout: 10_000 });
    const events = quick.locator('.quick-input-list .monaco-list-row');
    await events.first().waitFor();
    assert.equal(await events.count(), 2);
    await events.filter({ hasText: 'SEQ 1' }).first().click();
    const editor = page.locator('.editor-instance .monaco-editor .view-lines').filter({ hasText: 'propertyset' });
    await editor.first().waitFor({ timeout: 15_000 });
    const xml = (await editor.first().innerText()).replace(/\u00a0/g, ' ');
    assert.match(xml, /<Status>1<\/Status>/);
  }));
});
