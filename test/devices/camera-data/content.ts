// The camera's media: the two items of the captured Browse, rendered as the camera renders
// DIDL-Lite (one line, same attribute order), with resource URLs on the simulated camera.

export interface CameraResource {
  protocolInfo: string;
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
