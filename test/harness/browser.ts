// Drives the code-server workbench like a person would: Debian's chromium through playwright-core
// (never `npx playwright install`: browser downloads are unreachable here).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { REPO_ROOT } from './code-server';

export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

export interface LaunchedBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Browser console messages and page errors, for failure messages. */
  consoleLines(): string[];
  close(): Promise<void>;
}

export interface LaunchOptions {
  executablePath?: string;
  headless?: boolean;
  viewport?: { width: number; height: number };
}

/** Flags that keep Chromium off the network and quiet in a container without a GPU. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-dev-shm-usage',
  '--disable-domain-reliability',
  '--no-default-browser-check',
  // The media router looks for Cast/DIAL receivers with SSDP M-SEARCH; a browser used outside the
  // namespace (e.g. to look at `npm start`) must never put SSDP on the real network.
  '--disable-features=MediaRouter,DialMediaRouteProvider,CastMediaRouteProvider,GlobalMediaControls',
];

/** Launches Debian's chromium with a fresh profile and opens one page. */
export async function launchBrowser(opts: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const executablePath = opts.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} not found (Debian: apt-get install --no-install-recommends chromium)`);
  }
  const profile = mkdtempSync(path.join(os.tmpdir(), 'upnp-chromium-'));
  // A persistent context gives Chromium its own fresh --user-data-dir we can delete afterwards.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: opts.headless ?? true,
    args: [...CHROMIUM_ARGS],
    viewport: opts.viewport ?? { width: 1400, height: 900 },
  });
  const browser = context.browser();
  const page = context.pages()[0] ?? (await context.newPage());
  const lines: string[] = [];
  page.on('console', (m) => lines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`[pageerror] ${e.message}`));
  let closed = false;
  return {
    browser: browser as Browser,
    context,
    page,
    consoleLines: () => lines.slice(),
    close: async () => {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the workbench at `url` and waits until it and its activity bar are up. */
export async function openWorkbench(page: Page, url: string, timeoutMs = 60_000): Promise<void> {
  await page.goto(url, { timeout: timeoutMs });
  await page.locator('.monaco-workbench').first().waitFor({ timeout: timeoutMs });
  await page.locator('.part.activitybar .action-item').first().waitFor({ timeout: timeoutMs });
}

/** The activity-bar entry whose label contains `title` (e.g. 'UPnP'); the label sits on the <li> or its <a>. */
export function activityBarItem(page: Page, title: string): Locator {
  return page
    .locator(
      `.part.activitybar li.action-item:has(> a.action-label[aria-label*="${title}"]), ` +
        `.part.activitybar li.action-item[aria-label*="${title}"]`,
    )
    .first();
}

/** Clicks the activity-bar entry (unless its container is already shown) and waits for its sidebar. */
export async function openViewContainer(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const item = activityBarItem(page, title);
  await item.waitFor({ timeout: timeoutMs });
  if ((await item.getAttribute('aria-selected')) !== 'true') await item.click();
  await page
    .locator('.part.sidebar .composite.title .title-label h2', { hasText: title })
    .first()
    .waitFor({ timeout: timeoutMs });
}

/** Text of the badge on an activity-bar entry (e.g. a device count), or undefined when none shows. */
export async function activityBarBadge(page: Page, title: string): Promise<string | undefined> {
  const badge = activityBarItem(page, title).locator('.badge .badge-content');
  if ((await badge.count()) === 0 || !(await badge.first().isVisible())) return undefined;
  return (await badge.first().innerText()).trim();
}

/**
 * aria-labels of the view pane headers in the sidebar ("<view name> - <description> Section").
 * A TreeView's `description` shows there; with a single view the header itself is hidden but keeps it.
 */
export async function viewHeaderLabels(page: Page): Promise<string[]> {
  return page
    .locator('.part.sidebar .pane-header')
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Visible tree/list rows in the sidebar whose label text is exactly `label`. */
export function treeRow(page: Page, label: string): Locator {
  return page
    .locator('.part.sidebar .monaco-list-row')
    .filter({ visible: true })
    .filter({ has: page.locator('.label-name, .monaco-highlighted-label', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) });
}

/** Waits until a visible sidebar row exists for each label; returns all visible row texts then. */
export async function waitForTreeRows(page: Page, labels: readonly string[], timeoutMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (const label of labels) {
    const left = Math.max(1, deadline - Date.now());
    try {
      await treeRow(page, label).first().waitFor({ state: 'visible', timeout: left });
    } catch (err) {
      const rows = await treeRowTexts(page);
      throw new Error(`no tree row '${label}' within ${timeoutMs} ms; visible rows: ${JSON.stringify(rows)}\n${String(err)}`);
    }
  }
  return treeRowTexts(page);
}

/** The visible sidebar rows, top to bottom, as "label" or "label — description". */
export async function treeRowTexts(page: Page): Promise<string[]> {
  const rows = page.locator('.part.sidebar .monaco-list-row').filter({ visible: true });
  // No named helpers inside: tsx (esbuild keepNames) would wrap them in __name(), unknown in the page.
  return rows.evaluateAll((els) =>
    els.map((row) => {
      const label = (row.querySelector('.label-name')?.textContent ?? row.textContent ?? '').replace(/\s+/g, ' ').trim();
      const description = (row.querySelector('.label-description')?.textContent ?? '').replace(/\s+/g, ' ').trim();
      return description ? `${label} — ${description}` : label;
    }),
  );
}

/** Expands the first visible row labelled `label` (its twistie) and waits for aria-expanded=true. */
export async function expandRow(page: Page, label: string, timeoutMs = 15_000): Promise<void> {
  const row = treeRow(page, label).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  if ((await row.getAttribute('aria-expanded')) === 'true') return;
  await row.scrollIntoViewIfNeeded();
  const twistie = row.locator('.monaco-tl-twistie');
  if ((await twistie.count()) > 0) await twistie.first().click();
  else await row.click();
  try {
    await page.waitForFunction(
      (el) => el?.getAttribute('aria-expanded') === 'true',
      await row.elementHandle(),
      { timeout: 3000 },
    );
  } catch {
    // Fall back to the keyboard: select the row, then Right expands a collapsed tree node.
    await row.click();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await row.elementHandle(), {
      timeout: timeoutMs,
    });
  }
}

interface RowInfo {
  label: string;
  level: number;
  expanded: string | null;
}

async function visibleRowInfos(page: Page): Promise<RowInfo[]> {
  return page
    .locator('.part.sidebar .monaco-list-row')
    .filter({ visible: true })
    .evaluateAll((els) =>
      els.map((row) => ({
        label: (row.querySelector('.label-name')?.textContent ?? row.textContent ?? '').replace(/\s+/g, ' ').trim(),
        level: Number(row.getAttribute('aria-level') ?? '1'),
        expanded: row.getAttribute('aria-expanded'),
      })),
    );
}

/** Index among visible sidebar rows of the row at `labelPath` (each label a child of the one before), or -1. */
export function findPath(rows: readonly RowInfo[], labelPath: readonly string[]): number {
  let from = 0;
  let parentLevel = 0;
  let found = -1;
  for (const label of labelPath) {
    found = -1;
    for (let i = from; i < rows.length; i++) {
      const row = rows[i];
      if (parentLevel > 0 && row.level <= parentLevel) break; // left the parent's subtree
      if (row.label === label && (parentLevel === 0 || row.level === parentLevel + 1)) {
        found = i;
        break;
      }
    }
    if (found < 0) return -1;
    from = found + 1;
    parentLevel = rows[found].level;
  }
  return found;
}

/** Waits for the row at `labelPath` (e.g. ['Leica Q3-1234567', 'ContentDirectory:1']) and returns its locator. */
export async function waitForTreePath(page: Page, labelPath: readonly string[], timeoutMs = 30_000): Promise<Locator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const index = findPath(await visibleRowInfos(page), labelPath);
    if (index >= 0) return page.locator('.part.sidebar .monaco-list-row').filter({ visible: true }).nth(index);
    if (Date.now() > deadline) {
      throw new Error(`no tree row at ${labelPath.join(' > ')} within ${timeoutMs} ms; visible rows: ${JSON.stringify(await treeRowTexts(page))}`);
    }
    await page.waitForTimeout(250);
  }
}

/** Expands each row along `labelPath` in turn (parents first); resolves when the last one is expanded. */
export async function expandPath(page: Page, labelPath: readonly string[], timeoutMs = 30_000): Promise<void> {
  for (let depth = 1; depth <= labelPath.length; depth++) {
    const sub = labelPath.slice(0, depth);
    const row = await waitForTreePath(page, sub, timeoutMs);
    if ((await row.getAttribute('aria-expanded')) === 'true') continue;
    const twistie = row.locator('.monaco-tl-twistie');
    if ((await twistie.count()) > 0) await twistie.first().click();
    else await row.click();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await visibleRowInfos(page);
      const i = findPath(rows, sub);
      if (i >= 0 && rows[i].expanded === 'true') break;
      if (Date.now() > deadline) {
        throw new Error(`row ${sub.join(' > ')} did not expand; visible rows: ${JSON.stringify(await treeRowTexts(page))}`);
      }
      await page.waitForTimeout(200);
    }
  }
}

/** Saves a full-page screenshot to test-results/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Opens a tree row's context menu and resolves with its entry `label`, ready to click. Waits out a
 * hover tooltip that could sit on the row, and pauses after the menu opens: VS Code ignores a
 * click on a menu that has only just appeared.
 */
export async function contextMenuEntry(page: Page, row: Locator, label: string): Promise<Locator> {
  // A tree redrawn while the menu opens (events streaming into its rows) can close the menu or
  // open it on the row's previous state; a person right-clicks again, and so does this, three
  // times at most. What the last menu held is in the error.
  let offered: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    await row.waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await page.mouse.move(5, 870);
    await page.waitForTimeout(300);
    await row.click({ button: 'right' });
    const item = page.locator('.monaco-menu .action-item', { hasText: label }).first();
    try {
      await item.waitFor({ timeout: 8_000 });
      await page.waitForTimeout(500);
      if (await item.isVisible()) return item;
    } catch {
      // not offered (yet): look at what was, and try again
    }
    offered = (await page.locator('.monaco-menu .action-item').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  }
  throw new Error(`the context menu never offered "${label}"; the last one held: ${JSON.stringify(offered)}`);
}

/** Runs a command from the palette (F1) by its title, e.g. `UPnP: Show Events`. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  // F1 pressed while a quick input is still closing can be swallowed: press it again (a person
  // would), three times at most.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      break;
    } catch (err) {
      if (attempt === 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click();
}

/** The visible lines of the Output panel's editor (Monaco renders spaces as U+00A0). */
export async function outputLines(page: Page): Promise<string[]> {
  const lines = page.locator('.part.panel .monaco-editor .view-lines .view-line');
  const texts = await lines.evaluateAll((els) => els
    .map((el) => ({ top: parseFloat((el as HTMLElement).style.top || '0'), text: el.textContent ?? '' }))
    .sort((a, b) => a.top - b.top)
    .map((l) => l.text));
  return texts.map((t) => t.replace(/\u00a0/g, ' '));
}

export async function waitForOutputLines(page: Page, ok: (lines: string[]) => boolean, timeoutMs = 20_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let lines: string[] = [];
  while (Date.now() < deadline) {
    lines = await outputLines(page);
    if (ok(lines)) return lines;
    await page.waitForTimeout(200);
  }
  throw new Error(`the Output panel did not show the expected lines within ${timeoutMs} ms; it shows:\n${lines.join('\n')}`);
}
