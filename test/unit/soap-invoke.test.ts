import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeError, formatExchange, invokeAction, shellQuote, toCurl } from '../../src/core/soap/invoke';
import type { InvokeOutcome, InvokeResult } from '../../src/core/soap/invoke';
import { parseScpd } from '../../src/core/description/scpd';
import type { Action, ServiceScpd } from '../../src/core/description/model';
import { CDS_SCPD } from '../devices/camera-data/scpd';
import { parseXml } from '../../src/core/xml/xml';

const CDS = 'urn:schemas-upnp-org:service:ContentDirectory:1';
const DIMMING = 'urn:schemas-upnp-org:service:Dimming:1';
const fixtures = join(__dirname, '..', 'fixtures');
const cds: ServiceScpd = parseScpd(CDS_SCPD, 'http://camera/Server0/CDS_SCPD');
const dimming: ServiceScpd = parseScpd(readFileSync(join(fixtures, 'network-light', 'scpd-Dimming_1.xml'), 'utf8'), 'http://light/Dimming.xml');
const action = (scpd: ServiceScpd, name: string): Action => scpd.actions.find((a) => a.name === name)!;
const BROWSE_ARGS = { ObjectID: '0', BrowseFlag: 'BrowseDirectChildren', Filter: '*', StartingIndex: '0', RequestedCount: '50', SortCriteria: '' };

interface Received { requestLine: string; headers: Record<string, string>; body: Buffer }

/**
 * A raw TCP HTTP server: records each request exactly as received and answers with bytes the test
 * chooses (captured responses with their upper-case headers, broken answers, silence).
 */
class RawServer {
  readonly received: Received[] = [];
  reply: (req: Received) => Buffer | string | null = () => null;
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<RawServer> {
    const server = createServer();
    const raw = new RawServer(server);
    server.on('connection', (socket) => raw.onConnection(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return raw;
  }

  get url(): string { return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/Server0/CDS_control`; }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => { /* the client may hang up first (timeouts, aborts) */ });
    let data = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = data.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (data.length < end + 4 + length) return;
      const req = { requestLine: head[0]!, headers, body: data.subarray(end + 4, end + 4 + length) };
      this.received.push(req);
      const answer = this.reply(req);
      if (answer !== null) socket.end(answer);
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A captured HTTP response from test/fixtures/soap, with Content-Length fixed to the stored body. */
function captured(name: string): Buffer {
  const raw = readFileSync(join(fixtures, 'soap', name), 'utf8');
  const split = /\r?\n\r?\n/.exec(raw)!;
  const body = Buffer.from(raw.slice(split.index + split[0].length), 'utf8');
  const head = raw.slice(0, split.index).split(/\r?\n/).filter((l) => !/^content-length:/i.test(l));
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\nCONTENT-LENGTH: ${body.length}\r\n\r\n`, 'latin1'), body]);
}

function response(status: string, headers: string[], body: string): string {
  return [`HTTP/1.1 ${status}`, ...headers, `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close', '', body].join('\r\n');
}

function expectKind<K extends InvokeOutcome['kind']>(result: InvokeResult, kind: K): Extract<InvokeOutcome, { kind: K }> {
  assert.equal(result.outcome.kind, kind, JSON.stringify(result.outcome));
  return result.outcome as Extract<InvokeOutcome, { kind: K }>;
}

describe('invokeAction against a real socket', () => {
  let server: RawServer;
  before(async () => { server = await RawServer.start(); });
  after(async () => { await server.close(); });

  it('invokes Browse with the Leica vendor argument and reads the captured answer', async () => {
    server.reply = () => captured('leica-browse-response.http');
    const result = await invokeAction({
      controlUrl: server.url, serviceType: CDS, action: action(cds, 'Browse'), args: BROWSE_ARGS,
      extraArgs: [{ name: 'X_FromCP', value: 'Leica Q3', namespace: { prefix: 'leica', uri: 'urn:schemas-leica-com:leica' } }],
    });
    const ok = expectKind(result, 'ok');
    assert.deepEqual(ok.outputs.map((o) => o.name), ['Result', 'NumberReturned', 'TotalMatches', 'UpdateID']);
    assert.equal(ok.outputs[1]!.value, '2');
    assert.equal(parseXml(ok.outputs[0]!.value, 'Result').children.length, 2);
    assert.deepEqual(ok.problems, []);

    // What the device received is what the exchange says was sent.
    const got = server.received.at(-1)!;
    const { request } = result.exchange;
    assert.equal(got.requestLine, 'POST /Server0/CDS_control HTTP/1.1');
    assert.equal(request.requestLine, got.requestLine);
    assert.equal(got.body.toString('utf8'), request.body);
    for (const [name, value] of request.headers) assert.equal(got.headers[name.toLowerCase()], value, `header ${name}`);
    assert.equal(got.headers['soapaction'], '"urn:schemas-upnp-org:service:ContentDirectory:1#Browse"');
    assert.equal(got.headers['content-type'], 'text/xml; charset="utf-8"');
    assert.match(request.body, /<ObjectID>0<\/ObjectID><BrowseFlag>BrowseDirectChildren<\/BrowseFlag><Filter>\*<\/Filter><StartingIndex>0<\/StartingIndex><RequestedCount>50<\/RequestedCount><SortCriteria><\/SortCriteria><leica:X_FromCP>Leica Q3<\/leica:X_FromCP>/);

    // The response side keeps the device's headers (lower-cased) and body.
    const res = result.exchange.response!;
    assert.equal(res.status, 200);
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(res.headers['connection'], 'close');
    assert.equal(res.headers['server'], 'Leica/1.0 UPnP/1.0 Leica-UPnP-MW/1.0');
    assert.match(res.body, /^<s:Envelope/);
    assert.equal(res.bodyBytes, Buffer.byteLength(res.body));
    assert.ok(result.exchange.elapsedMs > 0);
    assert.ok(!Number.isNaN(Date.parse(result.exchange.startedAt)));
  });

  it('sends in-arguments in SCPD order whatever order they are given in, missing ones empty', async () => {
    server.reply = () => captured('leica-destroyobject-response.http');
    const browse = action(cds, 'Browse');
    await invokeAction({ controlUrl: server.url, serviceType: CDS, action: browse, args: [
      { name: 'SortCriteria', value: '+dc:title' }, { name: 'ObjectID', value: '64' }, { name: 'RequestedCount', value: '5' },
    ] });
    const sent = parseXml(server.received.at(-1)!.body.toString('utf8'), 'sent').children[0]!.children[0]!.children;
    assert.deepEqual(sent.map((c) => [c.name, c.text]), [
      ['ObjectID', '64'], ['BrowseFlag', ''], ['Filter', ''], ['StartingIndex', ''], ['RequestedCount', '5'], ['SortCriteria', '+dc:title'],
    ]);
  });

  it('reads the network-light capture (mixed-case headers, Ext:) as an ok with its out-argument', async () => {
    server.reply = () => captured('network-light-action-5-Dimming-GetLoadLevelStatus.xml');
    const result = await invokeAction({ controlUrl: server.url, serviceType: DIMMING, action: action(dimming, 'GetLoadLevelStatus') });
    assert.deepEqual(expectKind(result, 'ok').outputs, [{ name: 'retLoadlevelStatus', value: '42' }]);
    assert.equal(result.exchange.response!.headers['ext'], '');
  });

  it('puts outputs in SCPD order and names missing and undeclared ones', async () => {
    server.reply = () => response('200 OK', ['CONTENT-TYPE: text/xml'],
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:BrowseResponse xmlns:u="urn:schemas-upnp-org:service:ContentDirectory:1">' +
      '<TotalMatches>1</TotalMatches><X_Extra>e</X_Extra><NumberReturned>1</NumberReturned><Result>r</Result></u:BrowseResponse></s:Body></s:Envelope>');
    const ok = expectKind(await invokeAction({ controlUrl: server.url, serviceType: CDS, action: action(cds, 'Browse'), args: BROWSE_ARGS }), 'ok');
    assert.deepEqual(ok.outputs, [
      { name: 'Result', value: 'r' }, { name: 'NumberReturned', value: '1' }, { name: 'TotalMatches', value: '1' }, { name: 'X_Extra', value: 'e' },
    ]);
    assert.deepEqual(ok.problems, [
      'The device did not send <UpdateID>, declared as out-argument in its SCPD.',
      'The device sent <X_Extra>, not declared in its SCPD.',
      'The device sent the out-arguments in a different order than its SCPD declares; shown in SCPD order.',
    ]);
  });

  it('turns HTTP 500 with a UPnPError into a fault with the meaning for ContentDirectory', async () => {
    server.reply = () => response('500 Internal Server Error', ['CONTENT-TYPE: text/xml; charset="utf-8"', 'EXT:'],
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><s:Fault>' +
      '<faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0">' +
      '<errorCode>701</errorCode><errorDescription>No such object</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>');
    const result = await invokeAction({ controlUrl: server.url, serviceType: CDS, action: action(cds, 'DestroyObject'), args: { ObjectID: 'nope' } });
    const fault = expectKind(result, 'fault');
    assert.deepEqual(fault.upnpError, { code: 701, description: 'No such object', meaning: 'No such object' });
    assert.equal(fault.httpStatus, 500);
    assert.equal(result.exchange.response!.statusLine, 'HTTP/1.1 500 Internal Server Error');
  });

  it('explains a 404 and an HTML page, keeping the raw answer', async () => {
    server.reply = () => response('404 Not Found', ['Content-Type: text/html'], '<html><body>Not here</body></html>');
    const r404 = await invokeAction({ controlUrl: server.url, serviceType: CDS, action: action(cds, 'GetSystemUpdateID') });
    const f404 = expectKind(r404, 'failure');
    assert.equal(f404.reason, 'http-status');
    assert.equal(f404.httpStatus, 404);
    assert.match(f404.message, /control URL does not exist on the device \(HTTP 404 Not Found\)/);
    assert.equal(r404.exchange.response!.body, '<html><body>Not here</body></html>');

    server.reply = () => response('200 OK', ['Content-Type: text/html'], '<html><body>Login</body></html>');
    const f200 = expectKind(await invokeAction({ controlUrl: server.url, serviceType: CDS, action: action(cds, 'GetSystemUpdateID') }), 'failure');
    assert.equal(f200.reason, 'not-soap');
    assert.match(f200.message, /top element is <html>, not a SOAP <Envelope>/);
  });

  it('reports a device that never answers as a timeout, with the request kept', async () => {
    server.reply = () => null;
    const result = await invokeAction({ controlUrl: server.url, serviceType: CDS, action: action(cds, 'GetSystemUpdateID'), timeoutMs: 300 });
    const f = expectKind(result, 'failure');
    assert.equal(f.reason, 'timeout');
    assert.match(f.message, /did not answer within 0\.3 s/);
    assert.equal(result.exchange.response, undefined);
    assert.match(result.exchange.request.body, /<u:GetSystemUpdateID/);
    assert.ok(result.exchange.elapsedMs >= 250, `elapsed ${result.exchange.elapsedMs}`);
  });

  it('reports cancellation', async () => {
    server.reply = () => null;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const f = expectKind(await invokeAction({ controlUrl: server.url, serviceType: CDS, action: action(cds, 'GetSystemUpdateID'), signal: controller.signal }), 'failure');
    assert.equal(f.reason, 'aborted');
  });

  it('refuses an answer larger than maxBytes', async () => {
    server.reply = () => captured('leica-browse-response.http');
    const f = expectKind(await invokeAction({ controlUrl: server.url, serviceType: CDS, action: action(cds, 'Browse'), args: BROWSE_ARGS, maxBytes: 1000 }), 'failure');
    assert.equal(f.reason, 'too-large');
  });

  it('throws InvokeError for arguments the action does not have', async () => {
    await assert.rejects(invokeAction({ controlUrl: server.url, serviceType: CDS, action: action(cds, 'Browse'), args: { ObjectId: '0' } }),
      (err: unknown) => err instanceof InvokeError && err.message === 'Browse has no in-argument named ObjectId; send vendor arguments as extra arguments.');
    await assert.rejects(invokeAction({ controlUrl: server.url, serviceType: CDS, action: action(cds, 'Browse'), args: { Result: 'x' } }),
      /Result is an out-argument of Browse/);
    await assert.rejects(invokeAction({ controlUrl: server.url, serviceType: CDS, action: action(cds, 'DestroyObject'), extraArgs: [{ name: 'bad name', value: '' }] }),
      InvokeError);
  });
});

describe('invokeAction without a device', () => {
  it('reports a refused connection in words, with the request kept', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const result = await invokeAction({ controlUrl: `http://127.0.0.1:${port}/ctl`, serviceType: CDS, action: action(cds, 'GetSystemUpdateID') });
    const f = expectKind(result, 'failure');
    assert.equal(f.reason, 'network');
    assert.equal(f.message, `Could not reach http://127.0.0.1:${port}/ctl: connection refused (is the device still running, and is the port right?).`);
    assert.equal(result.exchange.request.requestLine, 'POST /ctl HTTP/1.1');
    assert.equal(result.exchange.response, undefined);
  });

  it('reports a URL that is not http', async () => {
    const f = expectKind(await invokeAction({ controlUrl: 'ftp://h/x', serviceType: CDS, action: action(cds, 'GetSystemUpdateID') }), 'failure');
    assert.equal(f.reason, 'invalid-url');
  });
});

describe('formatExchange and toCurl', () => {
  let server: RawServer;
  let tmp: string;
  before(async () => {
    server = await RawServer.start();
    tmp = mkdtempSync(join(tmpdir(), 'soap-curl-'));
  });
  after(async () => {
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('formats the exchange as HTTP messages', async () => {
    server.reply = () => captured('network-light-action-1-SwitchPower-GetStatus.xml');
    const switchPower = parseScpd(readFileSync(join(fixtures, 'network-light', 'scpd-SwitchPower_1.xml'), 'utf8'), 'http://light/SwitchPower.xml');
    const result = await invokeAction({ controlUrl: server.url, serviceType: 'urn:schemas-upnp-org:service:SwitchPower:1', action: action(switchPower, 'GetStatus') });
    const text = formatExchange(result.exchange);
    assert.ok(text.startsWith('POST /Server0/CDS_control HTTP/1.1\r\nHOST: 127.0.0.1:'));
    assert.match(text, /\r\nSOAPACTION: "urn:schemas-upnp-org:service:SwitchPower:1#GetStatus"\r\n/);
    assert.match(text, /\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /<ResultStatus>0<\/ResultStatus>/);
  });

  it('shell-quotes anything a shell would interpret', () => {
    assert.equal(shellQuote('http://h:1/a'), 'http://h:1/a');
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote('$(x) `y` \\ "z"'), "'$(x) `y` \\ \"z\"'");
  });

  it('repeats the request byte for byte when run by a shell, however hostile the values', async () => {
    const curl = (process.env['PATH'] ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, 'curl')));
    assert.ok(curl, 'this test runs the command: install curl (Debian: apt-get install curl)');
    server.reply = () => captured('leica-destroyobject-response.http');
    const marker = join(tmp, 'pwned');
    const hostile = `it's "quoted" $(touch ${marker}) \`touch ${marker}\` ; touch ${marker} & <x/> \\ \n second line\r\n ü 😀 '$HOME'`;
    const result = await invokeAction({
      controlUrl: server.url, serviceType: CDS, action: action(cds, 'Browse'), args: { ...BROWSE_ARGS, Filter: hostile },
      extraArgs: [{ name: 'X_FromCP', value: 'Leica Q3', namespace: { prefix: 'leica', uri: 'urn:schemas-leica-com:leica' } }],
    });
    const sent = server.received.at(-1)!;
    const command = toCurl(result.exchange);
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile('/bin/sh', ['-c', command], { timeout: 10_000 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)));
    });
    const replayed = server.received.at(-1)!;
    assert.notEqual(replayed, sent);
    assert.ok(replayed.body.equals(sent.body), 'same body bytes');
    assert.equal(replayed.requestLine, sent.requestLine);
    assert.equal(replayed.headers['soapaction'], sent.headers['soapaction']);
    assert.equal(replayed.headers['content-type'], sent.headers['content-type']);
    assert.equal(replayed.headers['expect'], undefined);
    assert.equal(existsSync(marker), false, 'the shell ran something from a value');
    assert.match(stdout, /^HTTP\/1\.1 200 OK/);
  });
});
