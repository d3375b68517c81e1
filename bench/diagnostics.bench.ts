// npm run bench -- diagnostics: Validate Device on a device with 10 services (each SCPD 20 actions,
// 40 state variables), hosted on 127.0.0.1 — the description and SCPD checks, then with the
// discovery stage too — beside fetching the same 11 documents with nothing checked (the HTTP
// floor) and the checks alone on documents in memory, in the same run. Median of 5.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fetchBytes } from '../src/core/http/fetch';
import { selectInterfaces } from '../src/core/ssdp/interfaces';
import { checkDescription, checkScpd } from '../src/core/validate/documents';
import { validateDevice } from '../src/core/validate/validate';
import { HostedDevice } from '../src/device/hostedDevice';
import { assertIsolatedNetwork } from '../test/harness/netns';

const SERVICES = 10;
const ACTIONS = 20;
const VARIABLES = 40;
const RUNS = 5;

function definition(folder: string): void {
  mkdirSync(path.join(folder, 'scpd'), { recursive: true });
  const services = Array.from({ length: SERVICES }, (_, i) => `<service><serviceType>urn:example-com:service:Bench${i}:1</serviceType><serviceId>urn:example-com:serviceId:Bench${i}</serviceId><SCPDURL>scpd/${i}.xml</SCPDURL><controlURL>control/${i}</controlURL><eventSubURL>events/${i}</eventSubURL></service>`).join('');
  writeFileSync(path.join(folder, 'description.xml'), `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>1</minor></specVersion>
<device><deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType><friendlyName>Bench device</friendlyName><manufacturer>Example</manufacturer><modelName>Bench</modelName><UDN>uuid:00000000-0000-4000-8000-000000000000</UDN><serviceList>${services}</serviceList></device></root>`);
  const variables = Array.from({ length: VARIABLES }, (_, v) => `<stateVariable sendEvents="${v < 5 ? 'yes' : 'no'}"><name>${v < 5 ? `State${v}` : `A_ARG_TYPE_V${v}`}</name><dataType>${v % 2 ? 'ui4' : 'string'}</dataType>${v % 2 ? '<allowedValueRange><minimum>0</minimum><maximum>100</maximum><step>1</step></allowedValueRange>' : '<allowedValueList><allowedValue>a</allowedValue><allowedValue>b</allowedValue></allowedValueList>'}</stateVariable>`).join('');
  const name = (v: number): string => (v < 5 ? `State${v}` : `A_ARG_TYPE_V${v}`);
  const actions = Array.from({ length: ACTIONS }, (_, a) => `<action><name>Action${a}</name><argumentList><argument><name>In${a}</name><direction>in</direction><relatedStateVariable>${name((a * 3) % VARIABLES)}</relatedStateVariable></argument><argument><name>Out${a}</name><direction>out</direction><relatedStateVariable>${name((a * 7) % VARIABLES)}</relatedStateVariable></argument></argumentList></action>`).join('');
  for (let i = 0; i < SERVICES; i++) {
    writeFileSync(path.join(folder, 'scpd', `${i}.xml`), `<?xml version="1.0"?><scpd xmlns="urn:schemas-upnp-org:service-1-0"><specVersion><major>1</major><minor>1</minor></specVersion><actionList>${actions}</actionList><serviceStateTable>${variables}</serviceStateTable></scpd>`);
  }
}

/**
 * SCPDs a hostile device could send, each as large as the validator reads (2 MiB), crafted to make
 * the checks expensive: every argument self-closed and unrelated (a finding each, its position and
 * excerpt looked for far away), every variable a duplicate, one 2 MiB line, deep nesting. Timed
 * beside the bench device's honest SCPD scaled to the same size: cost per byte should match.
 */
function hostileScpds(honest: string, url: string): void {
  const CAP = 2 * 1024 * 1024;
  const head = '<?xml version="1.0"?><scpd xmlns="urn:schemas-upnp-org:service-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>';
  // As many units as fit both the byte cap and the reader's 50,000 elements, the rest spaces.
  const fill = (open: string, unit: string, close: string, elementsPerUnit = 1): string => {
    const n = Math.min(Math.floor((CAP - open.length - close.length) / unit.length), Math.floor(49_000 / elementsPerUnit));
    return open + unit.repeat(n) + ' '.repeat(Math.max(0, CAP - open.length - close.length - n * unit.length)) + close;
  };
  const honestBody = honest.slice(honest.indexOf('<actionList>'), honest.lastIndexOf('</scpd>'));
  const honestElements = (honestBody.match(/<[A-Za-z]/g) ?? []).length;
  const scaled = fill(head, honestBody, '</scpd>', honestElements);
  const cases: Array<[string, string]> = [
    ['honest SCPD repeated to 2 MiB (baseline)', scaled],
    ['self-closed unrelated arguments, one line', fill(`${head}<actionList><action><name>A</name><argumentList>`, '<argument/>', '</argumentList></action></actionList><serviceStateTable/></scpd>')],
    ['self-closed unrelated arguments, a line each', fill(`${head}<actionList><action><name>A</name><argumentList>`, '<argument/>\n', '</argumentList></action></actionList><serviceStateTable/></scpd>')],
    ['one variable declared over and over', fill(`${head}<actionList/><serviceStateTable>`, '<stateVariable><name>X</name><dataType>nope</dataType></stateVariable>', '</serviceStateTable></scpd>', 3)],
    ['arguments naming missing variables', fill(`${head}<actionList><action><name>A</name><argumentList>`, '<argument><name>a</name><direction>in</direction><relatedStateVariable>Z</relatedStateVariable></argument>', '</argumentList></action></actionList><serviceStateTable/></scpd>', 4)],
  ];
  console.log(`\n# Hostile SCPDs of ${CAP / 1024 / 1024} MiB (the validator's cap): checkScpd, median of ${RUNS}`);
  let base = 0;
  for (const [label, xml] of cases) {
    const samples: number[] = [];
    let findings = 0;
    let first = "";
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const found = checkScpd(xml, url);
      findings = found.length;
      first = found[0]?.message.slice(0, 90) ?? "";
      samples.push(performance.now() - t);
    }
    const ms = median(samples);
    if (base === 0) base = ms;
    console.log(`  ${label.padEnd(46)} ${ms.toFixed(1).padStart(8)} ms   ${(ms / base).toFixed(2)}× the baseline, ${findings} findings: ${first}`);
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function time(run: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await run();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

async function main(): Promise<void> {
  assertIsolatedNetwork('diagnostics.bench.ts');
  const root = mkdtempSync(path.join(os.tmpdir(), 'upnp-diag-bench-'));
  definition(root);
  const hosted = await HostedDevice.start(root, { interfaces: selectInterfaces(['127.0.0.1'], false).selected, hostname: 'bench', user: 'u' });
  try {
    const location = hosted.http.location;
    const urls = [location, ...Array.from({ length: SERVICES }, (_, i) => new URL(`scpd/${i}.xml`, location).toString())];
    const docs = await Promise.all(urls.map(async (u) => (await fetchBytes(u)).body.toString('utf8')));
    const check = (report: Awaited<ReturnType<typeof validateDevice>>): void => {
      if (report.findings.length > 0) throw new Error(`the bench device should be clean: ${report.findings.map((f) => f.message).join('; ')}`);
    };
    const floor = await time(async () => { for (const u of urls) await fetchBytes(u); });
    const checksOnly = await time(async () => {
      checkDescription(docs[0]!, location);
      for (let i = 1; i < docs.length; i++) checkScpd(docs[i]!, urls[i]!);
    });
    const documents = await time(async () => check(await validateDevice(location)));
    const withDiscovery = await time(async () => check(await validateDevice(location, { discovery: { interfaceAddress: '127.0.0.1', mx: 1 } })));
    const kib = Math.round(docs.reduce((n, d) => n + d.length, 0) / 1024);
    console.log(`\n# Diagnostics: Validate Device on a device with ${SERVICES} services (${ACTIONS} actions, ${VARIABLES} variables each; ${kib} KiB of documents), median of ${RUNS}`);
    console.log(`  description + SCPD stages           ${documents.toFixed(1).padStart(8)} ms`);
    console.log(`  + discovery stage (MX 1)            ${withDiscovery.toFixed(1).padStart(8)} ms   (its searches, all at once, wait out MX + 2 s)`);
    console.log(`  baseline: fetching the 11 documents ${floor.toFixed(1).padStart(8)} ms   (nothing checked)`);
    console.log(`  baseline: the checks alone          ${checksOnly.toFixed(1).padStart(8)} ms   (documents in memory)`);
    console.log('  (discovery of 1,000 devices with and without the traffic view: npm run bench -- discovery)');
    hostileScpds(docs[1]!, urls[1]!);
  } finally {
    await hosted.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

void main();
