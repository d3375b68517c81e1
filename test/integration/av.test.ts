// Media browsing end to end over real HTTP: a real minidlna serving a generated folder tree of
// JPEGs (some with EXIF thumbnails), and the simulated Leica Q3 (vendor Browse argument,
// DestroyObject, chunked DNG downloads). Both announce themselves over SSDP, so this runs only
// inside an isolated namespace:
//   scripts/netns.sh --veth node --import tsx --test test/integration/av.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fetchBytes } from '../../src/core/http/fetch';
import { parseDeviceDescription } from '../../src/core/description/device';
import { parseScpd } from '../../src/core/description/scpd';
import { decodeText } from '../../src/core/xml/xml';
import { ChildPager, ContentDirectoryClient, UpnpActionError } from '../../src/core/av/contentDirectory';
import type { ContentDirectoryTarget } from '../../src/core/av/contentDirectory';
import type { DidlObject } from '../../src/core/av/didl';
import { pickPreview, pickThumbnail, resourceLabel } from '../../src/core/av/resources';
import { DownloadError, downloadToFile, fetchImage } from '../../src/core/av/download';
import { assertIsolatedNetwork } from '../harness/netns';
import { startMinidlna } from '../harness/minidlna';
import type { RunningMinidlna } from '../harness/minidlna';
import { startSimulatedCamera } from '../devices/camera';
import type { SimulatedCamera } from '../devices/camera';
import { photoJpeg } from '../devices/camera-data/jpeg';

const CDS = 'urn:schemas-upnp-org:service:ContentDirectory:1';

/** The ContentDirectory of a device, read the way the explorer reads it: description, then SCPD. */
async function contentDirectoryOf(location: string): Promise<ContentDirectoryTarget> {
  const desc = parseDeviceDescription(decodeText((await fetchBytes(location)).body), location);
  const service = desc.device.services.find((s) => s.serviceType === CDS);
  assert.ok(service, `${location} has no ContentDirectory:1`);
  const scpd = parseScpd(decodeText((await fetchBytes(service.scpdUrl)).body), service.scpdUrl);
  return { controlUrl: service.controlUrl, serviceType: CDS, scpd };
}

interface Walked { object: DidlObject; path: string[] }

/** Every object under `id`, depth first, with the titles of the containers above it. */
async function walk(client: ContentDirectoryClient, id: string, pageSize: number, trail: string[] = [], depth = 0): Promise<Walked[]> {
  assert.ok(depth < 12, 'tree deeper than 12 levels: a loop?');
  const out: Walked[] = [];
  const pager = new ChildPager(client, id, pageSize);
  for (const object of await pager.loadAll()) {
    out.push({ object, path: trail });
    if (object.kind === 'container') out.push(...await walk(client, object.id, pageSize, [...trail, object.title], depth + 1));
  }
  return out;
}

const FOLDERS: Readonly<Record<string, string[]>> = { beach: ['2023', 'Summer'], sunset: ['2023', 'Summer'], winter: ['2024'], peak: ['2024', 'Trips', 'Alps'], cover: [] };
const folderOf = (title: string): string[] => FOLDERS[title] ?? [];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('media browsing on a real minidlna serving a generated folder tree', () => {
  let minidlna: RunningMinidlna;
  let client: ContentDirectoryClient;
  let tmp: string;
  const exifThumbs = new Map<string, Buffer>();

  before(async () => {
    assertIsolatedNetwork('media browsing integration test (minidlna)');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'upnp-av-media-'));
    const media = path.join(tmp, 'media');
    const photo = (rel: string, w: number, h: number, seed: number, exif = false): void => {
      const file = path.join(media, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      const thumbnail = exif ? photoJpeg(160, 120, seed, { quality: 70 }) : undefined;
      if (thumbnail) exifThumbs.set(path.basename(rel, '.jpg'), thumbnail);
      writeFileSync(file, photoJpeg(w, h, seed, exif ? { exif: { make: 'Leica Camera AG', model: 'LEICA Q3', dateTimeOriginal: `2024:12:1${seed % 10} 15:12:19`, thumbnail } } : {}));
    };
    photo('2023/Summer/beach.jpg', 640, 480, 1, true);
    photo('2023/Summer/sunset.jpg', 800, 600, 2, true);
    photo('2024/winter.jpg', 480, 640, 3);
    photo('2024/Trips/Alps/peak.jpg', 1024, 683, 4, true);
    photo('cover.jpg', 320, 240, 5);
    minidlna = await startMinidlna({ friendlyName: 'av-peer', port: 8215, mediaDir: media });
    client = new ContentDirectoryClient(await contentDirectoryOf(minidlna.location), { timeoutMs: 5000 });
    // minidlna answers before its first scan ends: wait until all five photos are listed.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const all = await walk(client, '0', 50).catch(() => []);
      if (all.filter((w) => w.object.kind === 'item' && w.path[0] === 'Browse Folders').length >= 5) break;
      if (Date.now() > deadline) throw new Error(`minidlna did not list the 5 photos in time:\n${minidlna.output()}`);
      await sleep(300);
    }
  });
  after(async () => {
    await minidlna?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('walks the folder tree under "Browse Folders" as it is on disk, with small pages', async () => {
    const all = await walk(client, '0', 2);
    const top = all.filter((w) => w.path.length === 0).map((w) => w.object.title).sort();
    assert.deepEqual(top, ['Browse Folders', 'Music', 'Pictures', 'Video']);
    const folders = all.filter((w) => w.path[0] === 'Browse Folders');
    const describe = (w: Walked): string => [...w.path.slice(1), w.object.title].join('/') + (w.object.kind === 'container' ? '/' : '');
    assert.deepEqual(folders.map(describe).sort(), [
      '2023/', '2023/Summer/', '2023/Summer/beach', '2023/Summer/sunset', '2024/', '2024/Trips/', '2024/Trips/Alps/',
      '2024/Trips/Alps/peak', '2024/winter', 'cover',
    ]);
    for (const w of folders) {
      if (w.object.kind === 'container') {
        assert.equal(w.object.childCount, folders.filter((f) => f.object.parentId === w.object.id).length, `childCount of ${describe(w)}`);
      } else {
        assert.equal(w.object.upnpClass, 'object.item.imageItem.photo');
        assert.ok(w.object.resources.length >= 1);
        assert.equal(w.object.resources[0]!.protocolInfo.contentFormat, 'image/jpeg');
      }
    }
    const winter = folders.find((w) => w.object.title === 'winter')!.object;
    assert.equal(winter.resources[0]!.resolution, '480x640');
  });

  it('photos with EXIF thumbnails get a JPEG_TN serving exactly that thumbnail; the others a scaled one', async () => {
    const items = (await walk(client, '0', 50)).filter((w) => w.object.kind === 'item' && w.path[0] === 'Browse Folders').map((w) => w.object);
    assert.equal(items.length, 5);
    for (const item of items) {
      const thumb = pickThumbnail(item);
      assert.equal(thumb?.source, 'JPEG_TN', `${item.title}: ${JSON.stringify(item.resources.map((r) => r.protocolInfo.raw))}`);
      const image = await fetchImage(thumb.uri);
      assert.equal(image.mime, 'image/jpeg');
      const embedded = exifThumbs.get(item.title);
      if (embedded) {
        // minidlna 1.3 serves the EXIF thumbnail itself at /Thumbnails/<id>.jpg.
        assert.match(thumb.uri, /\/Thumbnails\/\d+\.jpg$/);
        assert.ok(image.data.equals(embedded), `${item.title}: the JPEG_TN bytes are the EXIF thumbnail`);
      } else {
        // Without one it scales the photo down itself (/Resized/<id>.jpg?width=…,height=…).
        assert.match(thumb.uri, /\/Resized\/\d+\.jpg\?width=\d+,height=\d+$/);
        const tn = item.resources.find((r) => r.uri === thumb.uri)!;
        const [w, h] = tn.resolution!.split('x').map(Number) as [number, number];
        assert.ok(Math.max(w, h) <= 160, tn.resolution);
      }
      // The preview is the photo itself (the only resource with a size), never the thumbnail.
      const preview = pickPreview(item);
      assert.match(preview?.uri ?? '', /\/MediaItems\/\d+\.jpg$/, item.title);
      assert.ok(readFileSync(path.join(tmp, 'media', ...folderOf(item.title), `${item.title}.jpg`)).equals(
        (await fetchBytes(preview!.uri, { maxBytes: 8 * 1024 * 1024 })).body), `${item.title}: MediaItems serves the file`);
    }
  });

  it('downloads a photo byte for byte from minidlna (Content-Length this time)', async () => {
    const items = (await walk(client, '0', 50)).filter((w) => w.object.kind === 'item' && w.object.title === 'cover');
    const res = items[0]!.object.resources[0]!;
    const dest = path.join(tmp, 'cover-download.jpg');
    const result = await downloadToFile(res.uri, dest);
    assert.ok(readFileSync(dest).equals(readFileSync(path.join(tmp, 'media', 'cover.jpg'))));
    assert.equal(result.bytes, res.size);
  });
});

describe('media browsing on the simulated Leica Q3', () => {
  let camera: SimulatedCamera;
  let client: ContentDirectoryClient;
  let tmp: string;
  before(async () => {
    assertIsolatedNetwork('media browsing integration test (camera)');
    camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1', friendlyName: 'Leica Q3-av', udn: 'uuid:4Dxxxxxx-0100-1000-8000-DC00000000a5', extraPhotos: 30 });
    client = new ContentDirectoryClient(await contentDirectoryOf(camera.location), {
      extraArgs: [{ name: 'X_FromCP', value: 'Leica Q3', namespace: { prefix: 'leica', uri: 'urn:schemas-leica-com:leica' } }],
      timeoutMs: 5000,
    });
    tmp = mkdtempSync(path.join(os.tmpdir(), 'upnp-av-camera-'));
  });
  after(async () => {
    await camera?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('Browse with the vendor argument lists the photos; every thumbnail is a real JPEG', async () => {
    const pager = new ChildPager(client, '0', 8);
    const photos = await pager.loadAll();
    assert.equal(photos.length, 32);
    assert.equal(pager.pages, 5);
    assert.deepEqual(photos.slice(0, 2).map((p) => p.title), ['101-0972', '101-0976']);
    for (const p of photos.slice(0, 6)) {
      const thumb = pickThumbnail(p);
      assert.equal(thumb?.source, 'JPEG_TN');
      const image = await fetchImage(thumb.uri);
      assert.equal(image.mime, 'image/jpeg');
      assert.ok(image.data.equals(camera.mediaBytes(new URL(thumb.uri).pathname)!));
    }
    const preview = pickPreview(photos[0]!);
    assert.equal(preview?.protocolInfo.dlna?.profile, 'JPEG_MED');
    assert.equal((await fetchImage(preview.uri)).mime, 'image/jpeg');
  });

  it('downloads the DNG original, chunked and without Content-Length, byte for byte and atomically', async () => {
    const meta = await client.browseMetadata('01010972');
    const original = meta.object!.resources.find((r) => resourceLabel(r) === 'original')!;
    assert.equal(original.protocolInfo.params['OriginalFileName'], 'L1010972.DNG');
    const dest = path.join(tmp, 'L1010972.DNG');
    let total: number | undefined;
    const result = await downloadToFile(original.uri, dest, { expectedSize: original.size, onProgress: (p) => { total = p.total; } });
    const expected = camera.mediaBytes('/DO01010972.DNG')!;
    assert.ok(readFileSync(dest).equals(expected));
    assert.equal(result.bytes, expected.length);
    assert.equal(total, expected.length); // X-FILE_SIZE, not the DIDL's 76436480
    assert.equal(result.headers['transfer-encoding'], 'chunked');
    assert.equal(result.headers['content-length'], undefined);
    assert.equal(result.headers['date'], 'Fri, 31 Mar 19324 11:47:28 GMT');
    assert.equal(result.headers['x-file_size'], String(expected.length));
    assert.deepEqual(readdirSync(tmp), ['L1010972.DNG']);
  });

  it('a cancelled download leaves nothing behind', async () => {
    camera.throttleMedia(100_000);
    try {
      const controller = new AbortController();
      const dest = path.join(tmp, 'L1010976.DNG');
      await assert.rejects(downloadToFile(`${camera.baseUrl}/DO01010976.DNG`, dest, {
        signal: controller.signal,
        onProgress: (p) => { if (p.bytes >= 32 * 1024) controller.abort(); },
      }), (err: unknown) => err instanceof DownloadError && err.kind === 'aborted');
      assert.deepEqual(readdirSync(tmp), ['L1010972.DNG']);
    } finally {
      camera.throttleMedia(undefined);
    }
  });

  it('DestroyObject removes the photo: gone from Browse, its files 404, a second delete is 701', async () => {
    await client.destroyObject('01010976');
    const photos = await new ChildPager(client, '0', 50).loadAll();
    assert.equal(photos.length, 31);
    assert.ok(!photos.some((p) => p.id === '01010976'));
    await assert.rejects(downloadToFile(`${camera.baseUrl}/DO01010976.DNG`, path.join(tmp, 'gone.DNG')), (err: unknown) => err instanceof DownloadError && err.status === 404);
    await assert.rejects(client.destroyObject('01010976'), (err: unknown) => err instanceof UpnpActionError && err.code === 701);
    assert.deepEqual(readdirSync(tmp), ['L1010972.DNG']);
  });
});
