// The camera's media: the two items of the captured Browse (plus, on request, generated photos in
// the same style), rendered as the camera renders DIDL-Lite (one line, same attribute order), with
// resource URLs on the simulated camera.

export interface CameraResource {
  protocolInfo: string;
  /** The size the DIDL-Lite declares (the real camera's JPEG sizes are placeholders: 5000, 100000, 20971520). */
  size: number;
  /** Path on the camera's HTTP server. */
  path: string;
}

export interface CameraItem {
  id: string;
  title: string;
  date: string;
  resources: CameraResource[];
}

const FLAGS = 'DLNA.ORG_FLAGS=00900000000000000000000000000000';
const tn = (id: string): CameraResource => ({
  protocolInfo: `http-get:*:image/jpeg:DLNA.ORG_PN=JPEG_TN;DLNA.ORG_OP=01;DLNA.ORG_CI=1;${FLAGS};LEICA.COM_PN=CAM_TN`,
  size: 5000,
  path: `/DT${id}.JPG`,
});
const med = (id: string, ci: number): CameraResource => ({
  protocolInfo: `http-get:*:image/jpeg:DLNA.ORG_PN=JPEG_MED;DLNA.ORG_OP=01;DLNA.ORG_CI=${ci};${FLAGS};LEICA.COM_PN=CAM_LRGTN`,
  size: 100000,
  path: `/DL${id}.JPG`,
});
const lrg = (id: string): CameraResource => ({
  protocolInfo: `http-get:*:image/jpeg:DLNA.ORG_PN=JPEG_LRG;DLNA.ORG_OP=01;DLNA.ORG_CI=1;${FLAGS};LEICA.COM_PN=CAM_FULLTN`,
  size: 20971520,
  path: `/DF${id}.JPG`,
});

/** Fresh copies of the captured items (each camera instance mutates its own list). */
export function capturedItems(): CameraItem[] {
  return [
    {
      id: '01010972',
      title: '101-0972',
      date: '2024-12-10T15:12:19+08:00',
      resources: [
        { protocolInfo: "http-get:*:application/octet-stream;LEICA.COM_PN=CAM_DNG;OriginalFileName='L1010972.DNG'", size: 76436480, path: '/DO01010972.DNG' },
        tn('01010972'), med('01010972', 0), lrg('01010972'),
      ],
    },
    {
      id: '01010976',
      title: '101-0976',
      date: '2024-12-10T15:14:01+08:00',
      resources: [
        { protocolInfo: "http-get:*:application/octet-stream;LEICA.COM_PN=CAM_DNG_JPG;OriginalFileName='L1010976.JPG'", size: 30554112, path: '/DO01010976.JPG' },
        { protocolInfo: "http-get:*:application/octet-stream;LEICA.COM_PN=CAM_DNG;OriginalFileName='L1010976.DNG'", size: 86539264, path: '/DO01010976.DNG' },
        tn('01010976'), med('01010976', 1), lrg('01010976'),
      ],
    },
  ];
}

const dng = (id: string, file: string, size: number): CameraResource => ({
  protocolInfo: `http-get:*:application/octet-stream;LEICA.COM_PN=CAM_DNG;OriginalFileName='${file}.DNG'`,
  size,
  path: `/DO${id}.DNG`,
});
const dngJpg = (id: string, file: string, size: number): CameraResource => ({
  protocolInfo: `http-get:*:application/octet-stream;LEICA.COM_PN=CAM_DNG_JPG;OriginalFileName='${file}.JPG'`,
  size,
  path: `/DO${id}.JPG`,
});

/**
 * `count` generated photos after the captured ones, numbered like the camera (folder 102 onwards,
 * 0001–9999 per folder), one minute apart; every third one is a DNG+JPG pair (five resources).
 * `originalSize(id)` gives the declared size of each original.
 */
export function generatedItems(count: number, originalSize: (id: string, ext: 'DNG' | 'JPG') => number): CameraItem[] {
  const items: CameraItem[] = [];
  const start = Date.UTC(2024, 11, 11, 7, 0, 0); // 2024-12-11T15:00:00+08:00
  for (let i = 0; i < count; i++) {
    const folder = 102 + Math.floor(i / 9999);
    const number = (i % 9999) + 1;
    const num4 = String(number).padStart(4, '0');
    const id = `0${folder}${num4}`;
    const file = `L${folder}${num4}`; // as L1010972.DNG is 101-0972
    const local = new Date(start + i * 60_000 + 8 * 3600_000).toISOString().slice(0, 19);
    const originals = i % 3 === 2
      ? [dngJpg(id, file, originalSize(id, 'JPG')), dng(id, file, originalSize(id, 'DNG'))]
      : [dng(id, file, originalSize(id, 'DNG'))];
    items.push({ id, title: `${folder}-${num4}`, date: `${local}+08:00`, resources: [...originals, tn(id), med(id, 1), lrg(id)] });
  }
  return items;
}

// The camera leaves apostrophes raw inside attribute values (OriginalFileName='...').
const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const text = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const DIDL_OPEN = '<DIDL-Lite xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/" xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
  'xmlns:upnp="urn:schemas-upnp-org:metadata-1-0/upnp/" xmlns:leica="urn:schemas-leica-com:leica">';

export function itemDidl(item: CameraItem, baseUrl: string): string {
  const res = item.resources
    .map((r) => `<res protocolInfo="${attr(r.protocolInfo)}" size="${r.size}">${text(baseUrl + r.path)}</res>`)
    .join('');
  return `<item id="${attr(item.id)}" parentID="0" restricted="0"><dc:title>${text(item.title)}</dc:title>` +
    '<upnp:writeStatus>WRITABLE</upnp:writeStatus><upnp:class name="imageItem">object.item.imageItem</upnp:class>' +
    `${res}<dc:date>${text(item.date)}</dc:date><leica:X_Rating>off</leica:X_Rating></item>`;
}

export function rootContainerDidl(childCount: number): string {
  return `<container id="0" parentID="-1" restricted="1" childCount="${childCount}"><dc:title>root</dc:title>` +
    '<upnp:class>object.container</upnp:class></container>';
}

export function didl(fragments: string[]): string {
  return `${DIDL_OPEN}${fragments.join('')}</DIDL-Lite>`;
}
