// npm run bench (part 2): media browsing.
//  1. Decoding a 10,000-item DIDL-Lite document in the Leica camera's style (five res each, vendor
//     fields, one line) with parseDidl, beside a plain fast-xml-parser parse of the same text (no
//     validation, no model: the floor a generic parser sets) and the project's validating parseXml.
//  2. A full paged Browse of a 10,000-photo container on the simulated camera over loopback HTTP,
//     at two page sizes: time, pages, objects per second, and how much of it is DIDL decoding.
import { XMLParser } from 'fast-xml-parser';
import { parseDidl } from '../src/core/av/didl';
import { ChildPager, ContentDirectoryClient } from '../src/core/av/contentDirectory';
import { parseXml } from '../src/core/xml/xml';
import { didl, generatedItems, itemDidl } from '../test/devices/camera-data/content';
import type { CameraItem } from '../test/devices/camera-data/content';
import { startCameraServer } from '../test/devices/camera';
import { assertIsolatedNetwork } from '../test/harness/netns';

const ITEMS = 10_000;
const CDS = 'urn:schemas-upnp-org:service:ContentDirectory:1';

/** Capture-style photos, every one a DNG+JPG pair: five res each. */
function fiveResItems(count: number): CameraItem[] {
  return generatedItems(count, (id) => 256 * 1024 + (id.length * 7919) % 65536).map((item) => {
    if (item.resources.length === 5) return item;
    const dng = item.resources[0]!;
    const jpg = { ...dng, protocolInfo: dng.protocolInfo.replace('CAM_DNG;', 'CAM_DNG_JPG;').replace(".DNG'", ".JPG'"), path: dng.path.replace('.DNG', '.JPG') };
    return { ...item, resources: [jpg, ...item.resources] };
  });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs `fn` `runs` times after one warm-up; median milliseconds. */
function time(fn: () => unknown, runs: number): number {
  fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    global.gc?.();
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

function decodeBenchmark(): Record<string, string>[] {
  const items = fiveResItems(ITEMS);
  const xml = didl(items.map((i) => itemDidl(i, 'http://192.168.54.1:50001')));
  const mib = (Buffer.byteLength(xml) / 1024 / 1024).toFixed(1);
  let objects = 0;
  let resources = 0;
  const ours = time(() => {
    const doc = parseDidl(xml);
    objects = doc.objects.length;
    resources = doc.objects.reduce((n, o) => n + o.resources.length, 0);
  }, 7);
  if (objects !== ITEMS || resources !== ITEMS * 5) throw new Error(`parseDidl found ${objects} objects, ${resources} res`);
  const plain = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, parseAttributeValue: false });
  const fxp = time(() => plain.parse(xml), 7);
  // The document limits are for one device document; this measures the reader on the whole page.
  const unlimited = { maxElements: 1e9, maxAttributesTotal: 1e9, maxDistinctNames: 1e9, maxNamespaceDeclarations: 1e9 };
  const generic = time(() => parseXml(xml, 'DIDL-Lite', { limits: unlimited }), 3);
  const row = (what: string, ms: number): Record<string, string> => ({
    decoder: what,
    'items': String(ITEMS),
    'document (MiB)': mib,
    'median (ms)': ms.toFixed(0),
    'items/s': Math.round((ITEMS / ms) * 1000).toLocaleString('en-US'),
    'vs parseDidl': `${(ms / ours).toFixed(2)}x`,
  });
  return [
    row('parseDidl (typed objects, protocolInfo decoded)', ours),
    row('fast-xml-parser parse only (no validation, untyped)', fxp),
    row('parseXml (checks well-formedness, element tree, no DIDL model)', generic),
  ];
}

async function browseBenchmark(): Promise<Record<string, string>[]> {
  const camera = await startCameraServer({ extraPhotos: ITEMS - 2 });
  try {
    const client = new ContentDirectoryClient({ controlUrl: `${camera.baseUrl}/Server0/CDS_control`, serviceType: CDS }, {
      extraArgs: [{ name: 'X_FromCP', value: 'Leica Q3', namespace: { prefix: 'leica', uri: 'urn:schemas-leica-com:leica' } }],
      timeoutMs: 60_000,
    });
    // Warm-up: JIT, the camera's DIDL rendering, connections.
    await new ChildPager(client, '0', 500).loadAll();
    const rows: Record<string, string>[] = [];
    for (const pageSize of [100, 500, 2000]) {
      global.gc?.();
      const pager = new ChildPager(client, '0', pageSize);
      const pagesXml: string[] = [];
      const original = client.browseChildren.bind(client);
      // Keeps each page's Result to time the decoding part separately afterwards.
      client.browseChildren = async (...args) => { const page = await original(...args); pagesXml.push(page.resultXml); return page; };
      const started = performance.now();
      const objects = await pager.loadAll();
      const elapsed = performance.now() - started;
      client.browseChildren = original;
      if (objects.length !== ITEMS) throw new Error(`paged browse found ${objects.length} objects`);
      const decodeMs = time(() => { for (const x of pagesXml) parseDidl(x); }, 3);
      rows.push({
        'page size': String(pageSize),
        pages: String(pager.pages),
        objects: String(objects.length),
        'total (ms)': elapsed.toFixed(0),
        'objects/s': Math.round((objects.length / elapsed) * 1000).toLocaleString('en-US'),
        'DIDL decoding (ms)': decodeMs.toFixed(0),
        'ms per page': (elapsed / pager.pages).toFixed(1),
      });
    }
    return rows;
  } finally {
    await camera.close();
  }
}

void (async () => {
  assertIsolatedNetwork('media browsing benchmark');
  const decode = decodeBenchmark();
  console.log(`\nDIDL-Lite decoding, ${ITEMS.toLocaleString('en-US')} capture-style photos with five res each (Node ${process.version})\n`);
  console.table(decode);
  const browse = await browseBenchmark();
  console.log(`\nPaged Browse of a ${ITEMS.toLocaleString('en-US')}-photo container on the simulated camera (loopback HTTP, camera in the same process; includes its DIDL rendering and SOAP escaping)\n`);
  console.table(browse);
})().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
