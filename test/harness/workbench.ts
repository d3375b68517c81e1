// One call for what every e2e suite needs: inside the isolated namespace, a code-server with the
// built extension (discovery pointed at loopback), a fresh workspace, and Chromium on the workbench.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { assertIsolatedNetwork } from './netns';
import { REPO_ROOT, startCodeServer } from './code-server';
import type { RunningCodeServer } from './code-server';
import { launchBrowser, openWorkbench, screenshot } from './browser';
import type { LaunchOptions, LaunchedBrowser } from './browser';

export interface Workbench {
  readonly server: RunningCodeServer;
  readonly browser: LaunchedBrowser;
  readonly page: Page;
  /** The folder opened in the workbench (removed by close()). */
  readonly workspace: string;
  close(): Promise<void>;
}

/** Built files the suite needs, relative to the repository (checked so a missing build fails clearly). */
const BUILT = ['dist/extension.js', 'dist/undici.js', 'dist/ssdpThread.js', 'dist/ondemand.js'];

export interface WorkbenchOptions {
  /** Built files this suite needs besides dist/extension.js, e.g. 'dist/webviews/actionForm.js'. */
  readonly needs?: readonly string[];
  readonly browser?: LaunchOptions;
}

export async function startWorkbench(suite: string, settings: Record<string, unknown> = {}, options: WorkbenchOptions = {}): Promise<Workbench> {
  assertIsolatedNetwork(suite);
  for (const file of [...BUILT, ...(options.needs ?? [])]) {
    assert.ok(existsSync(path.join(REPO_ROOT, file)), `run \`npm run build\` first: ${file} is missing`);
  }
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'upnp-e2e-ws-'));
  let server: RunningCodeServer | undefined;
  let browser: LaunchedBrowser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await server?.stop();
    rmSync(workspace, { recursive: true, force: true });
  };
  try {
    server = await startCodeServer({
      extensionDir: REPO_ROOT,
      workspace,
      settings: { 'upnpExplorer.discovery.interfaces': ['127.0.0.1'], 'upnpExplorer.discovery.mx': 1, ...settings },
    });
    browser = await launchBrowser(options.browser);
    await openWorkbench(browser.page, server.workspaceUrl);
    return { server, browser, page: browser.page, workspace, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Runs one step of a suite; if it fails, leaves a screenshot (`<name>-failure.png` in test-results)
 * and the browser console's last lines beside the error.
 */
export async function reportingFailure(wb: Workbench | undefined, name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (wb) {
      await screenshot(wb.page, `${name}-failure`).catch(() => undefined);
      console.error(wb.browser.consoleLines().slice(-40).join('\n'));
    }
    throw err;
  }
}
