// Helpers for driving the action form webview in code-server. Webview content lives in nested
// iframes (the workbench's webview host frame, then its active frame), so they search every frame.
import type { Frame, Page } from 'playwright-core';

/** The first frame of the page that contains `selector`, waiting up to `timeoutMs` for one to appear. */
export async function findFrameWith(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      try {
        if ((await frame.locator(selector).count()) > 0) return frame;
      } catch {
        // A frame detached while we looked (webviews reload their inner frame); try the others.
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`no frame contains ${selector} within ${timeoutMs} ms; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

