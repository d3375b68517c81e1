// The action form in a real VS Code (code-server + Chromium), inside an isolated network namespace:
// click Browse under the simulated Leica camera's ContentDirectory, fill the form with the Leica
// vendor argument, read the result table, then provoke the camera's 701 fault.
//
//   npm run build && scripts/netns.sh --veth node --import tsx --test test/e2e/action-form.e2e.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { assertIsolatedNetwork } from '../harness/netns';
import { reportingFailure, startWorkbench } from '../harness/workbench';
import type { Workbench } from '../harness/workbench';
import { expandRow, openViewContainer, screenshot, treeRow, waitForTreeRows } from '../harness/browser';
import { startSimulatedCamera } from '../devices/camera';
import type { SimulatedCamera } from '../devices/camera';
import { findFrameWith } from './actionFormHelpers';

const CAMERA_NAME = 'Leica Q3-1234567';
// UPNP_E2E_THEME='Default High Contrast' (or any built-in theme) runs the same test in that theme,
// with the screenshots named after it, to check the form's look there.
const THEME = process.env.UPNP_E2E_THEME;
const shot = (name: string): string => (THEME ? `${name}-${THEME.toLowerCase().replace(/[^a-z0-9]+/g, '-')}` : name);

describe('action form (code-server)', { timeout: 240_000 }, () => {
  let camera: SimulatedCamera | undefined;
  let wb: Workbench | undefined;
  let page: Page;

  before(async () => {
    assertIsolatedNetwork('action-form.e2e.test.ts');
    camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1' });
    wb = await startWorkbench('action-form.e2e.test.ts', THEME ? { 'workbench.colorTheme': THEME } : {}, { needs: ['dist/webviews/actionForm.js'] });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
    await camera?.stop();
  });

  it('invokes Browse with the Leica vendor argument, then shows the 701 fault in words', () => reportingFailure(wb, 'action-form', async () => {
    await openViewContainer(page, 'UPnP');
    await waitForTreeRows(page, [CAMERA_NAME], 60_000);
    await expandRow(page, CAMERA_NAME);
    await waitForTreeRows(page, ['ContentDirectory:1']);
    await expandRow(page, 'ContentDirectory:1');
    await waitForTreeRows(page, ['Browse']);
    await treeRow(page, 'Browse').first().click();

    const form = await findFrameWith(page, '#arg-ObjectID');
    assert.equal(await page.locator('.tab.active .label-name').first().innerText(), `Browse — ContentDirectory — ${CAMERA_NAME}`);
    // The type-driven field kinds the SCPD asks for.
    assert.equal(await form.locator('#arg-BrowseFlag').getAttribute('list'), 'arg-BrowseFlag-list');
    assert.match(await form.locator('.field:has(#arg-StartingIndex) .hint').innerText(), /whole number between 0 and 4294967295/);

    // A form that opens is not red: fields are checked once touched, and all of them on Send.
    assert.equal(await form.locator('.field.invalid').count(), 0, 'no errors before anything was typed');
    await form.locator('#arg-RequestedCount').fill('');
    await form.getByRole('button', { name: 'Send' }).click();
    await form.locator('.field.invalid:has(#arg-RequestedCount)').waitFor();
    assert.match(await form.locator('.status').first().innerText(), /Fix the (marked field|\d+ marked fields) first\./);

    // Invalid input is flagged before sending.
    await form.locator('#arg-StartingIndex').fill('-1');
    await form.locator('.field.invalid:has(#arg-StartingIndex)').waitFor();
    assert.match(await form.locator('#arg-StartingIndex-msg').innerText(), /too small/);

    await form.locator('#arg-ObjectID').fill('0');
    await form.locator('#arg-BrowseFlag').fill('BrowseDirectChildren');
    await form.locator('#arg-Filter').fill('*');
    await form.locator('#arg-StartingIndex').fill('0');
    await form.locator('#arg-RequestedCount').fill('0');
    assert.equal(await form.locator('.field.invalid').count(), 0);

    await form.getByRole('button', { name: 'Add argument' }).click();
    const row = form.locator('.extra-row').last();
    await row.locator('input.prefix').fill('leica');
    await row.locator('input.extra-name').fill('X_FromCP');
    await row.locator('input.extra-value').fill('Leica Q3');
    await row.locator('input.namespace').fill('urn:schemas-leica-com:leica');

    // Ctrl+Enter sends from anywhere in the form.
    await row.locator('input.namespace').press('Control+Enter');
    const numberReturned = form.locator('tr[data-arg="NumberReturned"] td.value');
    await numberReturned.waitFor({ timeout: 20_000 });
    assert.equal((await numberReturned.innerText()).trim(), '2');
    assert.equal((await form.locator('tr[data-arg="TotalMatches"] td.value').innerText()).trim(), '2');
    // DIDL-Lite is decoded into readable lines in the Result cell.
    assert.match(await form.locator('tr[data-arg="Result"] ul.didl').innerText(), /item 01010972 "101-0972" · object\.item\.imageItem \(imageItem\) · in 0/);
    // The vendor argument went out as the Leica app sends it.
    const raw = (await form.locator('details.raw pre').textContent()) ?? '';
    assert.match(raw, /<u:Browse xmlns:u="urn:schemas-upnp-org:service:ContentDirectory:1" xmlns:leica="urn:schemas-leica-com:leica">/);
    assert.match(raw, /<leica:X_FromCP>Leica Q3<\/leica:X_FromCP><\/u:Browse>/);
    assert.match(raw, /HTTP\/1\.1 200 OK/);
    await screenshotWithResult(page, form, shot('action-form-ok'));

    await form.locator('#arg-ObjectID').fill('nope');
    await form.getByRole('button', { name: 'Send' }).click();
    const fault = form.locator('.fault-box');
    await fault.waitFor({ timeout: 20_000 });
    const faultText = await fault.innerText();
    assert.match(faultText, /errorCode\s+701/);
    assert.match(faultText, /errorDescription\s+No such object/);
    assert.match(faultText, /Meaning\s+No such object/);
    assert.match(await form.locator('.result h2').innerText(), /UPnP error 701: No such object/);

    // Both invocations are in the device's history, newest first.
    await form.locator('.history-row').nth(1).waitFor();
    const history = await form.locator('.history-row').allInnerTexts();
    assert.match(history[0]!, /Fault 701 No such object/);
    assert.match(history[1]!, /leica:X_FromCP=Leica Q3/);

    await screenshotWithResult(page, form, shot('action-form'));

    // Re-run from the history: the form gets the old values back and the result comes again.
    await form.locator('.history-row').nth(1).getByRole('button', { name: 'Re-run' }).click();
    await form.locator('tr[data-arg="NumberReturned"] td.value').waitFor({ timeout: 20_000 });
    assert.equal(await form.locator('#arg-ObjectID').inputValue(), '0');
    assert.equal((await form.locator('tr[data-arg="NumberReturned"] td.value').innerText()).trim(), '2');
    await form.locator('.history-row').nth(2).waitFor();

    // The raw exchange opens in an editor, request and response.
    await form.getByRole('button', { name: 'Open in Editor' }).click();
    const editor = page.locator('.editor-instance .monaco-editor .view-lines').filter({ hasText: 'SOAPACTION' });
    await editor.first().waitFor({ timeout: 15_000 });
    // Monaco renders spaces as U+00A0.
    assert.match((await editor.first().innerText()).replace(/\u00a0/g, ' '), /POST \/Server0\/CDS_control HTTP\/1\.1/);

    // "UPnP: Invoke Action…" from the command palette: a quick pick over every known action.
    await page.keyboard.press('F1');
    const quickInput = page.locator('.quick-input-widget input');
    await quickInput.waitFor();
    await quickInput.fill('>UPnP: Invoke Action');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'UPnP: Invoke Action…' }).first().click();
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Invoke UPnP Action' }).waitFor();
    await quickInput.fill('GetSystemUpdateID');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'GetSystemUpdateID' }).first().click();
    const other = await findFrameWith(page, '.header h1:text-is("GetSystemUpdateID")');
    assert.equal(await other.locator('.fields').innerText(), 'This action takes no arguments.');
    await other.getByRole('button', { name: 'Send' }).click();
    const id = other.locator('tr[data-arg="Id"] td.value');
    await id.waitFor({ timeout: 20_000 });
    assert.equal((await id.innerText()).trim(), '1');
  }));
});

async function screenshotWithResult(page: Page, form: Frame, name: string): Promise<void> {
  await form.locator('section.result').scrollIntoViewIfNeeded();
  await screenshot(page, name);
}
