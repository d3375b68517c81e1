// Steps the hosting e2e suites share.
import type { Page } from 'playwright-core';
import { runCommand } from '../harness/browser';

/** UPnP: New Device Definition… from the Basic template into upnp-devices/basic, as a person does it. */
export async function newBasicDefinition(page: Page): Promise<void> {
  const quick = page.locator('.quick-input-widget');
  await runCommand(page, 'UPnP: New Device Definition…');
  await quick.locator('.quick-input-list .monaco-list-row', { hasText: 'Basic device with a vendor service' }).first().click();
  // The folder, suggested.
  await page.waitForFunction(() => (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value === 'upnp-devices/basic', undefined, { timeout: 10_000 });
  await quick.locator('input').press('Enter');
  await page.locator('.tab', { hasText: 'upnp-device.json' }).first().waitFor({ timeout: 15_000 });
}
