// ContentDirectoryClient and ChildPager over real HTTP on 127.0.0.1: the simulated camera's HTTP
// side (no SSDP) with honest and lying Browse answers, and a replay of minidlna's captured first
// Browse (TotalMatches 0 beside 4 containers).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChildPager, ContentDirectoryClient, UpnpActionError, isAbortError } from '../../src/core/av/contentDirectory';
import type { ContentDirectoryOptions } from '../../src/core/av/contentDirectory';
import { parseScpd } from '../../src/core/description/scpd';
import { startCameraServer } from '../devices/camera';
import type { CameraServer } from '../devices/camera';
import { CDS_SCPD } from '../devices/camera-data/scpd';

const CDS = 'urn:schemas-upnp-org:service:ContentDirectory:1';
const LEICA = { prefix: 'leica', uri: 'urn:schemas-leica-com:leica' };
const FROM_CP: ContentDirectoryOptions = { extraArgs: [{ name: 'X_FromCP', value: 'Leica Q3', namespace: LEICA }], timeoutMs: 5000 };

describe('ContentDirectoryClient and ChildPager on the simulated camera', () => {
  let camera: CameraServer;
  let client: ContentDirectoryClient;
  before(async () => {
    camera = await startCameraServer({ extraPhotos: 95 });
    client = new ContentDirectoryClient({ controlUrl: `${camera.baseUrl}/Server0/CDS_control`, serviceType: CDS, scpd: parseScpd(CDS_SCPD, 'CDS_SCPD') }, FROM_CP);
  });
  after(async () => { await camera?.close(); });

  const pageAll = async (pageSize: number): Promise<ChildPager> => {
    const before = camera.browseCount;
    const pager = new ChildPager(client, '0', pageSize);
    const pages: number[] = [];
    await pager.loadAll(undefined, (objects) => pages.push(objects.length));
    assert.equal(camera.browseCount - before, pager.pages);
    return pager;
  };
  const expectAll = (pager: ChildPager): void => {
    assert.equal(pager.done, true);
    assert.equal(pager.loaded.length, 97);
    assert.deepEqual(pager.loaded.map((o) => o.id).slice(0, 3), ['01010972', '01010976', '01020001']);
    assert.equal(new Set(pager.loaded.map((o) => o.id)).size, 97);
    assert.equal(pager.loaded[96]!.title, '102-0095');
  };

  it('honest server: pages of 10 until an empty one (10 full pages, 1 partial, 1 empty)', async () => {
    const pager = await pageAll(10);
    expectAll(pager);
    assert.equal(pager.pages, 11);
    assert.equal(pager.totalMatches, 97);
    assert.deepEqual(pager.problems, []);
    assert.equal(pager.updateId, '1');
    assert.deepEqual(await pager.next(), []);
  });

  it('a folder that fills its last page exactly is done with that page (the total confirmed by one more Browse)', async () => {
    const pager = new ChildPager(client, '0', 97);
    const first = await pager.next();
    assert.equal(first.length, 97);
    assert.equal(pager.done, true, 'no "Load more (97 of ?)" left over');
    assert.equal(pager.pages, 2);
  });

  it('NumberReturned smaller than asked and TotalMatches 0: keeps paging, gets everything', async () => {
    camera.setBrowseQuirks({ maxReturned: 7, totalMatches: 0 });
    try {
      const pager = await pageAll(20);
      expectAll(pager);
      assert.equal(pager.pages, 15); // 13 pages of 7, one of 6, one empty
      assert.equal(pager.totalMatches, 0);
    } finally {
      camera.setBrowseQuirks(undefined);
    }
  });

  it('a wrong TotalMatches and a lying NumberReturned change nothing', async () => {
    camera.setBrowseQuirks({ totalMatches: 5, numberReturned: 3 });
    try {
      const page = await client.browseChildren('0', 0, 25);
      assert.equal(page.objects.length, 25);
      assert.equal(page.numberReturned, 3);
      assert.ok(page.problems.some((p) => /NumberReturned is 3, but the Result holds 25 objects/.test(p)), page.problems.join('\n'));
      assert.ok(page.problems.some((p) => /TotalMatches is 5, fewer than the 25/.test(p)), page.problems.join('\n'));
      expectAll(await pageAll(25));
    } finally {
      camera.setBrowseQuirks(undefined);
    }
  });

  it('a server that ignores StartingIndex: stops at the first repeated page instead of looping', async () => {
    camera.setBrowseQuirks({ ignoreStartingIndex: true, totalMatches: 100000 });
    try {
      const pager = await pageAll(10);
      assert.equal(pager.done, true);
      assert.equal(pager.pages, 2);
      assert.equal(pager.loaded.length, 10);
      assert.match(pager.problems.join('\n'), /ignore StartingIndex/);
    } finally {
      camera.setBrowseQuirks(undefined);
    }
  });

  it('hard caps: maxPages and maxObjects', async () => {
    const byPages = new ChildPager(client, '0', 1, { maxPages: 5 });
    await byPages.loadAll();
    assert.equal(byPages.loaded.length, 5);
    assert.match(byPages.problems.join('\n'), /after 5 Browse requests/);
    const byObjects = new ChildPager(client, '0', 10, { maxObjects: 25 });
    await byObjects.loadAll();
    assert.equal(byObjects.loaded.length, 25);
    assert.equal(byObjects.pages, 3);
  });

  it('next() calls made together are served one after the other', async () => {
    const pager = new ChildPager(client, '0', 40);
    const [a, b, c, d] = await Promise.all([pager.next(), pager.next(), pager.next(), pager.next()]);
    assert.deepEqual([a.length, b.length, c.length, d.length], [40, 40, 17, 0]);
    assert.equal(a[0]!.id, '01010972');
    assert.equal(b[0]!.id, '01020039');
    assert.equal(pager.done, true);
  });

  it('the vendor argument is really sent: an undeclared one is refused with 402', async () => {
    const other = new ContentDirectoryClient(client.target, { extraArgs: [{ name: 'X_Unknown', value: '1', namespace: LEICA }] });
    await assert.rejects(other.browseChildren('0', 0, 1), (err: unknown) => {
      assert.ok(err instanceof UpnpActionError);
      assert.equal(err.code, 402);
      assert.equal(err.meaning, 'Invalid Args');
      assert.equal(err.action, 'Browse');
      return true;
    });
  });

  it('browseMetadata of the root and of a photo; DestroyObject removes it; then 701', async () => {
    const root = await client.browseMetadata('0');
    assert.equal(root.object?.kind, 'container');
    assert.equal(root.object?.childCount, 97);
    const photo = await client.browseMetadata('01020093');
    assert.equal(photo.object?.title, '102-0093');
    assert.equal(photo.object?.resources.length, 5);
    assert.match(photo.resultXml, /^<DIDL-Lite /);

    await client.destroyObject('01020093');
    assert.equal(camera.objectIds().includes('01020093'), false);
    await assert.rejects(client.browseMetadata('01020093'), (err: unknown) => {
      assert.ok(err instanceof UpnpActionError);
      assert.equal(err.code, 701);
      assert.equal(err.meaning, 'No such object');
      assert.equal(err.httpStatus, 500);
      assert.match(err.message, /UPnP error 701 No such object/);
      return true;
    });
    await assert.rejects(client.destroyObject('0'), (err: unknown) => err instanceof UpnpActionError && err.code === 711);
  });

  it('a cancelled Browse rejects with an AbortError', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(client.browseChildren('0', 0, 10, controller.signal), (err: unknown) => isAbortError(err));
  });
});

/** A ContentDirectory that answers like minidlna right after start: the captured first Browse, then an empty page. */
async function startMinidlnaReplay(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const captured = readFileSync(join(__dirname, '..', 'fixtures', 'minidlna', 'browse-0-soap-response.xml'), 'utf8');
  const envelope = captured.slice(captured.indexOf('<?xml'));
  const empty = envelope
    .replace(/<Result>[\s\S]*<\/Result>/, '<Result>&lt;DIDL-Lite xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/"&gt;&lt;/DIDL-Lite&gt;</Result>')
    .replace('<NumberReturned>4</NumberReturned>', '<NumberReturned>0</NumberReturned>')
    .replace('<TotalMatches>0</TotalMatches>', '<TotalMatches>4</TotalMatches>');
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const start = /<StartingIndex>(\d+)<\/StartingIndex>/.exec(body)?.[1] ?? '?';
      requests.push(start);
      if (/<ObjectID>hang<\/ObjectID>/.test(body)) return; // never answers
      const text = start === '0' ? envelope : empty;
      res.writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"', Server: 'Debian DLNADOC/1.50 UPnP/1.0 MiniDLNA/1.3.0', EXT: '' });
      res.end(text);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/ctl/ContentDir`,
    requests,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

describe('ChildPager after a DestroyObject in what it already listed', () => {
  let camera: CameraServer;
  let client: ContentDirectoryClient;
  before(async () => {
    camera = await startCameraServer({ extraPhotos: 25 });
    client = new ContentDirectoryClient({ controlUrl: `${camera.baseUrl}/Server0/CDS_control`, serviceType: CDS, scpd: parseScpd(CDS_SCPD, 'CDS_SCPD') }, FROM_CP);
  });
  after(async () => { await camera?.close(); });

  it('forget() moves the next page back one index: nothing after the deleted object is skipped', async () => {
    const all = camera.objectIds();
    assert.equal(all.length, 27);
    const pager = new ChildPager(client, '0', 10);
    const first = await pager.next();
    assert.equal(first.length, 10);
    assert.equal(pager.totalMatches, 27);
    const victim = first[4]!.id;
    await client.destroyObject(victim);
    assert.equal(pager.forget(victim), true);
    assert.equal(pager.forget(victim), false, 'forgotten once');
    assert.equal(pager.forget('not-listed'), false);
    assert.equal(pager.totalMatches, 26);
    await pager.loadAll();
    // Every surviving object exactly once, in the server's order: index 10 (now 9) was not skipped.
    assert.deepEqual(pager.loaded.map((o) => o.id), all.filter((id) => id !== victim));
  });

  it('without forget() the same deletion skips the object that moved into the gap (why it exists)', async () => {
    const all = camera.objectIds();
    const pager = new ChildPager(client, '0', 10);
    const first = await pager.next();
    await client.destroyObject(first[2]!.id);
    await pager.loadAll();
    // The first object of the second page slid into index 9, which was already read: it is lost.
    const ids = pager.loaded.map((o) => o.id);
    assert.ok(!ids.includes(all[10]!), `the object at index 10 (${all[10]}) was skipped`);
    assert.ok(ids.includes(first[2]!.id), 'and the deleted one is still listed');
  });
});

describe("ChildPager on minidlna's first Browse (TotalMatches 0 beside 4 containers)", () => {
  it('takes the 4 containers and asks once more, instead of trusting TotalMatches 0', async () => {
    const replay = await startMinidlnaReplay();
    try {
      const client = new ContentDirectoryClient({ controlUrl: replay.url, serviceType: CDS }, { timeoutMs: 5000 });
      const first = await client.browseChildren('0', 0, 50);
      assert.equal(first.numberReturned, 4);
      assert.equal(first.totalMatches, 0);
      assert.match(first.problems.join('\n'), /TotalMatches is 0, fewer than the 4 objects/);
      const pager = new ChildPager(client, '0', 50);
      const objects = await pager.loadAll();
      assert.deepEqual(objects.map((o) => o.title), ['Browse Folders', 'Music', 'Pictures', 'Video']);
      assert.equal(pager.pages, 2);
      assert.deepEqual(replay.requests.slice(-2), ['0', '4']);
    } finally {
      await replay.close();
    }
  });

  it('a Browse that never answers is cancelled by its signal', async () => {
    const replay = await startMinidlnaReplay();
    try {
      const client = new ContentDirectoryClient({ controlUrl: replay.url, serviceType: CDS }, { timeoutMs: 10_000 });
      const started = Date.now();
      await assert.rejects(client.browseChildren('hang', 0, 10, AbortSignal.timeout(150)), (err: unknown) => isAbortError(err));
      assert.ok(Date.now() - started < 5000);
    } finally {
      await replay.close();
    }
  });
});
