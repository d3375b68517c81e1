// Documents a hostile device would send, crafted to be expensive for a reader, each as large as the
// caps allow and kept inside every per-document limit (so they are read to the end, not refused
// early) — beside a benign document of the same size and kind. Used by the hostile-device suite
// (served over HTTP by test/devices/hostile.ts), the fuzz tests and `npm run bench -- hostile`.
//
// The attack classes are the ones that made earlier readers quadratic or unbounded: deep nesting
// of long names (fast-xml-parser rebuilt its path string per element), namespace declarations
// (copied per element), attributes, distinct names, dense entity references, a problem per
// element, deep vendor markup re-serialised per level, and stray or unclosed tags in DIDL-Lite.
import { didl, generatedItems, itemDidl } from './camera-data/content';

export const DEVICE_NS = 'urn:schemas-upnp-org:device-1-0';
export const SERVICE_NS = 'urn:schemas-upnp-org:service-1-0';
export const EVENT_NS = 'urn:schemas-upnp-org:event-1-0';
export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const CDS_TYPE = 'urn:schemas-upnp-org:service:ContentDirectory:1';
const DIDL_OPEN = '<DIDL-Lite xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:upnp="urn:schemas-upnp-org:metadata-1-0/upnp/">';

/** Limits the generators stay inside (mirrors src/core/xml/scanner.ts DOCUMENT_LIMITS and didl.ts DIDL_LIMITS). */
const DOC = { depth: 100, elements: 50_000, attributes: 256, namespaces: 256, names: 4096 };
const DIDL = { depth: 64, elements: 120_000 };

export interface Crafted {
  readonly name: string;
  readonly text: string;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Pads `body` with a comment so the whole document is `size` characters. */
function padTo(size: number, build: (pad: string) => string): string {
  const without = build('').length;
  const room = size - without - 7;
  return build(room > 0 ? `<!--${'p'.repeat(room)}-->` : '');
}

// ---- generic shapes, wrapped in the element a document kind expects ----

/** Open tags (nest levels) of long names, then `fill` inside the deepest. */
function deepLongNames(size: number, depth: number, fill: string): { open: string; close: string } {
  const budget = Math.max(0, Math.floor((size / 2 - fill.length) / depth / 2) - 4);
  const names = Array.from({ length: depth }, (_, i) => `n${i}${'x'.repeat(budget)}`);
  return { open: names.map((n) => `<${n}>`).join(''), close: names.reverse().map((n) => `</${n}>`).join('') };
}

function tinyElements(count: number): string {
  return '<a/>'.repeat(count);
}

function attributeHeavy(size: number): string {
  const perElement = `<a ${Array.from({ length: DOC.attributes - 1 }, (_, i) => `a${i}="&lt;&#x41;"`).join(' ')}/>`;
  return perElement.repeat(Math.max(1, Math.floor(size / perElement.length)));
}

function namespaceHeavy(size: number): { declarations: string; body: string } {
  const declarations = Array.from({ length: DOC.namespaces - 8 }, (_, i) => ` xmlns:p${i}="urn:p:${i}"`).join('');
  const count = Math.min(DOC.elements - 100, Math.floor((size - declarations.length) / 12));
  let body = '';
  for (let i = 0; i < count; i++) body += `<p${i % (DOC.namespaces - 8)}:a/>`;
  return { declarations, body };
}

function distinctNames(size: number): string {
  const count = DOC.names - 100;
  const length = Math.max(4, Math.floor(size / count / 2) - 6);
  let out = '';
  for (let i = 0; i < count; i++) {
    const name = `d${i}${'y'.repeat(length)}`;
    out += `<${name}/>`;
  }
  return out;
}

function entityDense(size: number): string {
  const unit = '&#x1F4F7;&amp;&lt;&#233;';
  return unit.repeat(Math.floor(size / unit.length));
}

/** The generic attacks inside `<top …>…</top>`, each `size` characters. */
function genericAttacks(size: number, open: (extraAttributes: string) => string, close: string): Crafted[] {
  const wrap = (extra: string, inner: string): string => padTo(size, (pad) => `${open(extra)}${inner}${pad}${close}`);
  const fill = tinyElements(DOC.elements - 200);
  const deep = deepLongNames(size - fill.length, DOC.depth - 4, fill);
  const ns = namespaceHeavy(size);
  return [
    { name: 'deep long names', text: wrap('', `${deep.open}${fill}${deep.close}`) },
    { name: 'elements at the cap', text: wrap('', `${tinyElements(DOC.elements - 200)}<t>${entityDense(size - 4 * DOC.elements - 1000)}</t>`) },
    { name: 'attributes at the cap', text: wrap('', attributeHeavy(size - 2000)) },
    { name: 'namespace declarations', text: wrap(ns.declarations, ns.body) },
    { name: 'distinct names', text: wrap('', distinctNames(size - 2000)) },
    { name: 'entity references', text: wrap('', `<t>${entityDense(size - 2000)}</t>`) },
  ];
}

// ---- descriptions ----

function service(i: number): string {
  return `<service><serviceType>urn:schemas-upnp-org:service:S${i}:1</serviceType><serviceId>urn:upnp-org:serviceId:S${i}</serviceId>` +
    `<SCPDURL>/s${i}.xml</SCPDURL><controlURL>/c${i}</controlURL><eventSubURL>/e${i}</eventSubURL></service>`;
}

function embeddedDevice(i: number): string {
  return `<device><deviceType>urn:schemas-upnp-org:device:Light:1</deviceType><friendlyName>Light ${i}</friendlyName>` +
    `<manufacturer>Acme</manufacturer><modelName>L${i}</modelName><UDN>uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}</UDN>` +
    `<serviceList>${service(i)}</serviceList></device>`;
}

export function benignDescription(size: number): string {
  const head = `<?xml version="1.0"?>\n<root xmlns="${DEVICE_NS}"><specVersion><major>1</major><minor>0</minor></specVersion><device>` +
    '<deviceType>urn:schemas-upnp-org:device:Bridge:1</deviceType><friendlyName>Bridge</friendlyName><manufacturer>Acme</manufacturer>' +
    '<modelName>B1</modelName><UDN>uuid:00000000-0000-4000-8000-000000000000</UDN><deviceList>';
  // The shape of a real description (embedded devices with a service each), repeated to the cap.
  // The explorer shows the first MAX_DEVICES of them; the reader still reads every byte, which is
  // the cost compared here.
  const tail = '</deviceList></device></root>';
  let body = '';
  for (let i = 1; head.length + body.length + tail.length < size - 700; i++) body += embeddedDevice(i);
  return padTo(size, (pad) => `${head}${body}</deviceList></device>${pad}</root>`);
}

export function hostileDescriptions(size: number): Crafted[] {
  const open = (extra: string): string => `<root xmlns="${DEVICE_NS}"${extra}><device><UDN>uuid:hostile</UDN><friendlyName>x</friendlyName><x>`;
  const close = '</x></device></root>';
  // A problem per element: services that lack everything, and vendor fields by the thousand.
  let problems = '';
  for (let i = 0; i < (DOC.elements - 100) / 2 && problems.length < size - 4000; i++) problems += '<service><SCPDURL>:bad</SCPDURL></service>';
  return [
    ...genericAttacks(size, open, close),
    { name: 'a problem per element', text: padTo(size, (pad) => `<root xmlns="${DEVICE_NS}"><device><serviceList>${problems}</serviceList>${pad}</device></root>`) },
  ];
}

// ---- SCPDs ----

export function benignScpd(size: number): string {
  let actions = '';
  let variables = '';
  for (let i = 0; actions.length + variables.length < size - 600; i++) {
    actions += `<action><name>Action${i}</name><argumentList><argument><name>InstanceID</name><direction>in</direction>` +
      `<relatedStateVariable>A_ARG_TYPE_${i}</relatedStateVariable></argument><argument><name>Out${i}</name><direction>out</direction>` +
      `<relatedStateVariable>Var${i}</relatedStateVariable></argument></argumentList></action>`;
    variables += `<stateVariable sendEvents="no"><name>A_ARG_TYPE_${i}</name><dataType>ui4</dataType></stateVariable>` +
      `<stateVariable sendEvents="yes"><name>Var${i}</name><dataType>string</dataType><allowedValueList><allowedValue>A</allowedValue><allowedValue>B</allowedValue></allowedValueList></stateVariable>`;
  }
  return padTo(size, (pad) => `<?xml version="1.0"?><scpd xmlns="${SERVICE_NS}"><specVersion><major>1</major><minor>0</minor></specVersion>` +
    `<actionList>${actions}</actionList><serviceStateTable>${variables}</serviceStateTable>${pad}</scpd>`);
}

export function hostileScpds(size: number): Crafted[] {
  const open = (extra: string): string => `<scpd xmlns="${SERVICE_NS}"${extra}><x>`;
  // Arguments by the thousand, each naming a state variable that is not declared (a problem each),
  // and a state table the lookups would scan per argument.
  let variables = '';
  for (let i = 0; variables.length < size / 2 - 200; i++) variables += `<stateVariable><name>V${i}</name><dataType>ui4</dataType></stateVariable>`;
  let args = '';
  while (args.length < size / 2 - 2000) args += '<argument><name>a</name><relatedStateVariable>Missing</relatedStateVariable></argument>';
  return [
    ...genericAttacks(size, open, '</x></scpd>'),
    { name: 'a problem per argument', text: padTo(size, (pad) => `<scpd xmlns="${SERVICE_NS}"><actionList><action><name>A</name><argumentList>${args}</argumentList></action></actionList><serviceStateTable>${variables}</serviceStateTable>${pad}</scpd>`) },
  ];
}

// ---- SOAP answers (Browse) ----

export function browseResponse(resultXml: string, count: number): string {
  return `<?xml version="1.0"?><s:Envelope xmlns:s="${SOAP_NS}" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>` +
    `<u:BrowseResponse xmlns:u="${CDS_TYPE}"><Result>${escape(resultXml)}</Result><NumberReturned>${count}</NumberReturned>` +
    `<TotalMatches>${count}</TotalMatches><UpdateID>1</UpdateID></u:BrowseResponse></s:Body></s:Envelope>`;
}

/** Capture-style photos (five res each) until the DIDL-Lite is about `size` characters. */
export function benignDidl(size: number): { xml: string; items: number } {
  const fragments: string[] = [];
  let length = 400;
  const items = generatedItems(Math.ceil(size / 900), () => 300_000);
  for (const item of items) {
    const fragment = itemDidl(item, 'http://192.168.54.1:50001');
    if (length + fragment.length > size) break;
    fragments.push(fragment);
    length += fragment.length;
  }
  return { xml: didl(fragments), items: fragments.length };
}

export function benignBrowseResponse(size: number): string {
  // Escaping grows DIDL-Lite by about a fifth; aim the DIDL so the envelope lands near `size`.
  let target = Math.floor(size / 1.25);
  for (;;) {
    const { xml, items } = benignDidl(target);
    const soap = browseResponse(xml, items);
    if (soap.length <= size || target < 1000) return soap;
    target = Math.floor(target * 0.97);
  }
}

export function hostileBrowseResponses(size: number): Crafted[] {
  const envelope = (inner: string): string => padTo(size, (pad) =>
    `<s:Envelope xmlns:s="${SOAP_NS}"><s:Body><u:BrowseResponse xmlns:u="${CDS_TYPE}">${inner}</u:BrowseResponse>${pad}</s:Body></s:Envelope>`);
  // Outputs by the tens of thousands (each becomes an output the invoke layer orders).
  const outputs = '<O>1</O>'.repeat(DOC.elements - 100);
  const markup = deepLongNames(size - 4 * 40_000, DOC.depth - 10, tinyElements(40_000));
  return [
    { name: 'entity-dense Result', text: envelope(`<Result>${'&lt;&gt;&amp;&quot;'.repeat(Math.floor((size - 600) / 20))}</Result>`) },
    { name: 'outputs at the element cap', text: envelope(outputs.slice(0, Math.min(outputs.length, size - 1000))) },
    { name: 'markup in Result (re-serialised)', text: envelope(`<Result>${markup.open}${tinyElements(40_000)}${markup.close}</Result>`) },
    ...genericAttacks(size, (extra) => `<s:Envelope xmlns:s="${SOAP_NS}"${extra}><s:Body><u:BrowseResponse xmlns:u="${CDS_TYPE}"><Result>`, '</Result></u:BrowseResponse></s:Body></s:Envelope>'),
  ];
}

// ---- DIDL-Lite ----

export function hostileDidls(size: number): Crafted[] {
  const wrap = (inner: string): string => padTo(size, (pad) => `${DIDL_OPEN}${inner}${pad}</DIDL-Lite>`);
  // Deep vendor markup inside each item: re-serialised as a vendor field.
  const deepVendor = (): string => {
    const depth = DIDL.depth - 4;
    const open = Array.from({ length: depth }, (_, i) => `<v:n${i} xmlns:v="urn:v">`).join('');
    const close = Array.from({ length: depth }, (_, i) => `</v:n${depth - 1 - i}>`).join('');
    const item = `<item id="1" parentID="0" restricted="1"><dc:title>t</dc:title><upnp:class>object.item</upnp:class>${open}x${close}</item>`;
    return item.repeat(Math.min(Math.floor((size - 1000) / item.length), Math.floor((DIDL.elements - 100) / (depth + 3))));
  };
  const fit = (unit: string, elementsPerUnit: number): string =>
    unit.repeat(Math.min(Math.floor((size - 1000) / unit.length), Math.floor((DIDL.elements - 100) / elementsPerUnit)));
  // Items that each add a problem (no id, no title, no class, bad numbers, bare & and <).
  const sloppy = '<item childCount="x"><res size="y">a & b < c</res></item>';
  // Stray closing tags under deep nesting (tolerant mode walks nothing for a name never opened).
  const deepOpen = Array.from({ length: DIDL.depth - 3 }, (_, i) => `<item id="${i}">`).join('');
  const strays = '</zz>'.repeat(Math.floor((size - 5000) / 5));
  // Unclosed elements, closed by their parent's end tag.
  const unclosed = '<item id="1" parentID="0" restricted="1"><dc:title>t<upnp:class>object.item</item>';
  const elementsAtCap = '<item/>'.repeat(DIDL.elements - 100);
  return [
    { name: 'deep vendor markup per item', text: wrap(deepVendor()) },
    { name: 'a problem per item', text: wrap(fit(sloppy, 2)) },
    { name: 'stray closing tags, deep', text: wrap(`${deepOpen}${strays}`) },
    { name: 'unclosed elements', text: wrap(fit(unclosed, 3)) },
    { name: 'elements at the cap', text: wrap(`${elementsAtCap}<item id="x">${entityDense(Math.max(0, size - elementsAtCap.length - 2000))}</item>`) },
    { name: 'entity references', text: wrap(`<item id="x"><dc:title>${entityDense(size - 2000)}</dc:title></item>`) },
  ];
}

// ---- GENA property sets ----

export function benignPropertySet(size: number): string {
  let props = '';
  for (let i = 0; props.length < size - 300; i++) props += `<e:property><Var${i % 500}>value ${i}</Var${i % 500}></e:property>`;
  return padTo(size, (pad) => `<?xml version="1.0"?><e:propertyset xmlns:e="${EVENT_NS}">${props}${pad}</e:propertyset>`);
}

export function hostilePropertySets(size: number): Crafted[] {
  const wrap = (inner: string): string => padTo(size, (pad) => `<e:propertyset xmlns:e="${EVENT_NS}">${inner}${pad}</e:propertyset>`);
  // LastChange holding variables whose values are DIDL-Lite: three readers over the same bytes.
  const { xml: small } = benignDidl(1500);
  let lastChange = '<Event xmlns="urn:schemas-upnp-org:metadata-1-0/AVT/"><InstanceID val="0">';
  const variable = `<CurrentTrackMetaData val="${escape(small)}"/>`;
  const variableEscaped = escape(variable).length;
  for (let length = escape(lastChange).length; length + variableEscaped < size - 2000; length += variableEscaped) lastChange += variable;
  lastChange += '</InstanceID></Event>';
  // A variable per element, each without val (a problem each).
  let noVal = '<Event><InstanceID val="0">';
  // `<T/>` escapes to 10 characters.
  for (let i = 0, length = escape(noVal).length; i < DOC.elements - 100 && length < size - 3000; i++, length += 10) noVal += '<T/>';
  noVal += '</InstanceID></Event>';
  return [
    { name: 'LastChange of DIDL-Lite values', text: wrap(`<e:property><LastChange>${escape(lastChange)}</LastChange></e:property>`) },
    { name: 'a LastChange problem per element', text: wrap(`<e:property><LastChange>${escape(noVal)}</LastChange></e:property>`) },
    { name: 'variables at the element cap', text: wrap('<e:property><V>1</V></e:property>'.repeat(Math.floor((DOC.elements - 100) / 2))) },
    ...genericAttacks(size, (extra) => `<e:propertyset xmlns:e="${EVENT_NS}"${extra}><e:property><V>`, '</V></e:property></e:propertyset>'),
  ];
}

// ---- SSDP and protocolInfo ----

export function benignDatagram(size: number): string {
  let headers = 'NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\nLOCATION: http://192.168.1.2:80/d.xml\r\n' +
    'NT: upnp:rootdevice\r\nNTS: ssdp:alive\r\nSERVER: Linux/5 UPnP/1.1 X/1\r\nUSN: uuid:00000000-0000-4000-8000-000000000001::upnp:rootdevice\r\n';
  for (let i = 0; headers.length < size - 40; i++) headers += `X-VENDOR-${i}: value ${i}\r\n`;
  return `${headers}\r\n`;
}

export function hostileDatagrams(size: number): Crafted[] {
  const start = 'NOTIFY * HTTP/1.1\r\nNTS: ssdp:alive\r\nNT: upnp:rootdevice\r\nLOCATION: http://192.168.1.2/d.xml\r\n';
  return [
    { name: 'one long header', text: `${start}USN: uuid:${'a'.repeat(size - start.length - 20)}\r\n\r\n` },
    { name: 'colons in the USN', text: `${start}USN: uuid:${'a:'.repeat(Math.floor((size - start.length - 20) / 2))}\r\n\r\n` },
    { name: 'max-age digits', text: `${start}USN: uuid:x\r\nCACHE-CONTROL: max-age = ${'9'.repeat(size - start.length - 60)}\r\n\r\n` },
    { name: 'bare line ends', text: `${start}${'X\n'.repeat(Math.floor((size - start.length - 20) / 2))}\r\n` },
  ];
}

export function benignProtocolInfo(size: number): string {
  const one = 'http-get:*:image/jpeg:DLNA.ORG_PN=JPEG_LRG;DLNA.ORG_OP=01;DLNA.ORG_CI=0;DLNA.ORG_FLAGS=00900000000000000000000000000000';
  return `${one};X_PAD=${'z'.repeat(Math.max(0, size - one.length - 7))}`;
}

export function hostileProtocolInfos(size: number): Crafted[] {
  return [
    { name: 'parameters by the thousand', text: `http-get:*:image/jpeg:${'A=1;'.repeat(Math.floor((size - 30) / 4))}` },
    { name: 'play speeds by the thousand', text: `http-get:*:video/mp4:DLNA.ORG_PS=${'1,'.repeat(Math.floor((size - 40) / 2))}` },
    { name: 'colons and semicolons', text: `${':;'.repeat(Math.floor(size / 2))}` },
  ];
}
