// npm run bench (part 3): the thumbnails grid in a real VS Code (code-server + Chromium), inside the
// network namespace. The simulated camera holds 1,000 photos; the workbench is started once, then
// "Show Thumbnails" on the camera's Content node is run a few times (the grid closed in between):
// time from choosing the menu entry until every tile of the first visible screen shows a decoded
// image (naturalWidth > 0). The first run fetches from the camera (the host's image cache is cold);
// later runs are served from that cache, so they are reported separately. A second camera (other
// URLs, so it warms nothing in that cache) opens the session's first webview beforehand: that
// one-off cost (webview service worker, bundle load) is shown on its own row, not in run 1.
// Baseline from the same script, on a second, fresh camera server in this process: the first
// Browse page and the same first-screen thumbnails fetched with fetchImage, 4 at a time (the
// grid's own limit), with no VS Code, webview or Chromium in between.
//
//   npm run build && npm run bench -- thumbnails
import type { Frame, Page } from 'playwright-core';
import { ChildPager, ContentDirectoryClient } from '../src/core/av/contentDirectory';
import type { DidlObject } from '../src/core/av/didl';
import { fetchImage } from '../src/core/av/download';
import { pickThumbnail } from '../src/core/av/resources';
import { startCameraServer, startSimulatedCamera } from '../test/devices/camera';
import type { SimulatedCamera } from '../test/devices/camera';
import { CAMERA_PATHS } from '../test/devices/camera-data/description';
import { SsdpResponder } from '../test/devices/ssdp-responder';
import { contextMenuEntry, expandPath, openViewContainer, waitForTreePath, waitForTreeRows } from '../test/harness/browser';
import { assertIsolatedNetwork } from '../test/harness/netns';
import { startWorkbench } from '../test/harness/workbench';
import type { Workbench } from '../test/harness/workbench';

const ITEMS = 1_000;
const RUNS = 3;
/** The extension's default upnpExplorer.browse.pageSize; the grid's first Browse asks for this many. */
const PAGE_SIZE = 100;
/** THUMBNAIL_CONCURRENCY in src/host/content/thumbnailsPanel.ts. */
const CONCURRENCY = 4;
const CAMERA = 'Leica Q3-1234567';
const CONTENT_PATH = [CAMERA, 'ContentDirectory:1', 'Content'];
const WARMUP_CAMERA = 'Leica Q3-7654321';
const WARMUP_PATH = [WARMUP_CAMERA, 'ContentDirectory:1', 'Content'];
const CDS = 'urn:schemas-upnp-org:service:ContentDirectory:1';

interface GridRun {
  label: string;
  /** Menu entry chosen → the first tile in the webview. */
  tilesMs: number;
  /** Menu entry chosen → every tile in view has a decoded image. */
  imagesMs: number;
  visibleTiles: number;
  tilesInDom: number;
  /** Thumbnail GETs the camera received during this run, up to the moment the screen was complete. */
  fetched: number;
  browses: number;
}

function thumbnailRequests(camera: SimulatedCamera): number {
  return camera.mediaRequests.filter((p) => p.startsWith('/DT')).length;
}

/** The frame holding the grid's tiles, polled often (the harness's findFrameWith polls every 250 ms). */
async function gridFrame(page: Page, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      try {
        if ((await frame.locator('.grid .tile').count()) > 0) return frame;
      } catch {
        // The webview swaps its inner frame while loading; look at the others.
      }
    }
    if (Date.now() > deadline) throw new Error(`no thumbnails grid within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function noGridFrame(page: Page, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let found = false;
    for (const frame of page.frames()) {
      try {
        if ((await frame.locator('.grid .tile').count()) > 0) found = true;
      } catch {
        // detached: gone, as wanted
      }
    }
    if (!found) return;
    if (Date.now() > deadline) throw new Error('the thumbnails grid did not close');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function gridRun(wb: Workbench, camera: SimulatedCamera, contentPath: readonly string[], label: string): Promise<GridRun> {
  const page = wb.page;
  const entry = await contextMenuEntry(page, await waitForTreePath(page, contentPath), 'Show Thumbnails');
  const fetchedBefore = thumbnailRequests(camera);
  const browsesBefore = camera.browseCount;
  const started = performance.now();
  await entry.click();
  const grid = await gridFrame(page);
  const tilesMs = performance.now() - started;
  // No named functions inside: tsx (esbuild keepNames) would wrap them in __name(), unknown in the page.
  await grid.waitForFunction(() => {
    const tiles = Array.from(document.querySelectorAll<HTMLElement>('.grid .tile')).filter((t) => {
      const r = t.getBoundingClientRect();
      return r.bottom > 0 && r.top < window.innerHeight;
    });
    return tiles.length > 0 && tiles.every((t) => {
      const img = t.querySelector('img');
      return img !== null && img.complete && img.naturalWidth > 0;
    });
  }, undefined, { timeout: 60_000, polling: 'raf' });
  const imagesMs = performance.now() - started;
  const fetched = thumbnailRequests(camera) - fetchedBefore;
  const browses = camera.browseCount - browsesBefore;
  const counts = await grid.evaluate(() => {
    const all = Array.from(document.querySelectorAll<HTMLElement>('.grid .tile'));
    const visible = all.filter((t) => {
      const r = t.getBoundingClientRect();
      return r.bottom > 0 && r.top < window.innerHeight;
    });
    return { visible: visible.length, all: all.length };
  });

  // Close the grid (its tab's close button) so the next run opens a new panel.
  await page.waitForTimeout(500);
  const tab = page.locator('.tabs-container .tab', { hasText: 'Content —' }).first();
  await tab.hover();
  await tab.locator('.tab-actions .action-label').first().click();
  await noGridFrame(page);
  await page.waitForTimeout(500);
  return { label, tilesMs, imagesMs, visibleTiles: counts.visible, tilesInDom: counts.all, fetched, browses };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface BaselineRun { browseMs: number; fetchMs: number; }

/** The Node-only floor: first Browse page, then the first `count` thumbnails, CONCURRENCY at a time. */
async function baseline(count: number, runs: number): Promise<BaselineRun[]> {
  const camera = await startCameraServer({ extraPhotos: ITEMS - 2 });
  try {
    const client = new ContentDirectoryClient({ controlUrl: camera.baseUrl + CAMERA_PATHS.cdsControl, serviceType: CDS });
    const out: BaselineRun[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const objects: DidlObject[] = await new ChildPager(client, '0', PAGE_SIZE).next();
      const browseMs = performance.now() - t0;
      const urls = objects.slice(0, count).map((o) => pickThumbnail(o)?.uri).filter((u): u is string => u !== undefined);
      if (urls.length !== count) throw new Error(`only ${urls.length} of the first ${count} objects have a thumbnail`);
      const t1 = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < urls.length) {
          const image = await fetchImage(urls[next++]!, { maxBytes: 2 * 1024 * 1024 });
          if (image.data.length === 0) throw new Error('empty thumbnail');
        }
      }));
      out.push({ browseMs, fetchMs: performance.now() - t1 });
    }
    return out;
  } finally {
    await camera.close();
  }
}

void (async () => {
  assertIsolatedNetwork('thumbnails benchmark');
  // One SSDP responder for both cameras: only one socket gets a unicast M-SEARCH.
  const ssdp = await SsdpResponder.start({ interfaceAddress: '127.0.0.1' });
  const camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1', extraPhotos: ITEMS - 2, ssdp });
  const warmupCamera = await startSimulatedCamera({
    interfaceAddress: '127.0.0.1', extraPhotos: ITEMS - 2, ssdp, udn: 'uuid:4Dxxxxxx-0100-1000-8000-DCxxxxxxxx10', friendlyName: WARMUP_CAMERA,
  });
  let wb: Workbench | undefined;
  const grid: GridRun[] = [];
  try {
    const startedWb = performance.now();
    wb = await startWorkbench('thumbnails.bench.ts', {
      // Sticky ancestors would cover the rows scrolled under them.
      'workbench.tree.enableStickyScroll': false,
    }, { needs: ['dist/webviews/thumbnails.js'] });
    const page = wb.page;
    await openViewContainer(page, 'UPnP');
    await waitForTreeRows(page, [CAMERA, WARMUP_CAMERA], 60_000);
    await expandPath(page, WARMUP_PATH.slice(0, 2));
    await expandPath(page, CONTENT_PATH.slice(0, 2));
    await waitForTreePath(page, CONTENT_PATH);
    console.log(`workbench up and both cameras' Content nodes shown after ${((performance.now() - startedWb) / 1000).toFixed(1)} s`);
    grid.push(await gridRun(wb, warmupCamera, WARMUP_PATH, 'warm-up: 2nd camera, first webview of the session, cache cold'));
    for (let run = 1; run <= RUNS; run++) grid.push(await gridRun(wb, camera, CONTENT_PATH, `grid, run ${run} (host cache ${run === 1 ? 'cold' : 'warm'})`));
  } catch (err) {
    if (wb) console.error(wb.browser.consoleLines().slice(-40).join('\n'));
    throw err;
  } finally {
    await wb?.close();
    await camera.stop();
    await warmupCamera.stop();
    await ssdp.close();
  }

  const visible = grid[1]!.visibleTiles;
  const base = await baseline(visible, RUNS);
  const ms = (v: number): string => v.toFixed(0);
  const rows: Record<string, string>[] = grid.map((g) => ({
    what: g.label,
    'first tiles (ms)': ms(g.tilesMs),
    'first screen of images (ms)': ms(g.imagesMs),
    'tiles in view': String(g.visibleTiles),
    'tiles in DOM': String(g.tilesInDom),
    'thumbnails from camera': String(g.fetched),
    'Browse requests': String(g.browses),
  }));
  const b = (label: string, r: BaselineRun): Record<string, string> => ({
    what: label,
    'first tiles (ms)': `${ms(r.browseMs)} (Browse ${PAGE_SIZE})`,
    'first screen of images (ms)': `${ms(r.browseMs + r.fetchMs)} (fetch ${ms(r.fetchMs)})`,
    'tiles in view': String(visible),
    'tiles in DOM': '-',
    'thumbnails from camera': String(visible),
    'Browse requests': '1',
  });
  rows.push(b('Node baseline, cold camera', base[0]!));
  const warm = base.slice(1);
  if (warm.length > 0) {
    rows.push(b(`Node baseline, camera warm (median of ${warm.length})`, {
      browseMs: median(warm.map((r) => r.browseMs)),
      fetchMs: median(warm.map((r) => r.fetchMs)),
    }));
  }
  console.log(`\nThumbnails grid of a ${ITEMS.toLocaleString('en-US')}-photo container (Node ${process.version}, code-server + Chromium, camera in this process, page size ${PAGE_SIZE}): `
    + `time from choosing Show Thumbnails to every tile in view showing a decoded image, beside fetching the same first screen directly (Browse, then fetchImage ${CONCURRENCY} at a time)\n`);
  console.table(rows);
})().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
