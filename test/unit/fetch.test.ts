import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FetchError, USER_AGENT, fetchBytes } from '../../src/core/http/fetch';
import type { FetchErrorKind } from '../../src/core/http/fetch';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** A real HTTP server on 127.0.0.1 whose routes are plain handlers. */
async function startServer(routes: Record<string, Handler>): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const handler = routes[req.url ?? ''];
      if (handler) handler(req, res, Buffer.concat(chunks));
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('no such page');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}` };
}

async function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function fetchError(promise: Promise<unknown>, kind: FetchErrorKind): Promise<FetchError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof FetchError, `expected FetchError, got ${String(err)}`);
    assert.equal(err.kind, kind, `kind of "${err.message}"`);
    return err;
  }
  assert.fail(`expected a FetchError of kind ${kind}`);
}

describe('fetchBytes against a local HTTP server', () => {
  let server: Server;
  let base: string;
  const description = '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"/>';

  before(async () => {
    ({ server, base } = await startServer({
      '/desc.xml': (req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"', 'X-Seen-Agent': req.headers['user-agent'] ?? '' });
        res.end(description);
      },
      '/echo': (req, res, body) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, soapaction: req.headers['soapaction'], body: body.toString() }));
      },
      '/fault': (_req, res) => res.writeHead(500, { 'content-type': 'text/xml' }).end('<fault/>'),
      '/never': () => { /* accept the request and never answer */ },
      '/stall-body': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/xml', 'content-length': '100' });
        res.write('<root>'); // and never the rest
      },
      '/cut': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/xml', 'content-length': '100' });
        res.write('<root>', () => setTimeout(() => res.destroy(), 20)); // then the connection drops
      },
      '/big-declared': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/xml', 'content-length': '5000' });
        res.end(Buffer.alloc(5000, 0x61));
      },
      '/big-chunked': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/xml' });
        let sent = 0;
        const timer = setInterval(() => {
          if (res.destroyed || sent >= 64 * 1024) {
            clearInterval(timer);
            res.end();
            return;
          }
          res.write(Buffer.alloc(512, 0x62));
          sent += 512;
        }, 1);
      },
    }));
  });

  after(async () => {
    await stopServer(server);
  });

  it('reads a 200 body with its headers', async () => {
    const result = await fetchBytes(`${base}/desc.xml`, { timeoutMs: 2000 });
    assert.equal(result.status, 200);
    assert.equal(result.url, `${base}/desc.xml`);
    assert.equal(result.body.toString('utf8'), description);
    assert.equal(result.headers['content-type'], 'text/xml; charset="utf-8"');
    assert.equal(result.headers['x-seen-agent'], USER_AGENT);
    assert.ok(result.elapsedMs >= 0 && result.elapsedMs < 2000);
  });

  it('sends method, headers and body', async () => {
    const result = await fetchBytes(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: '"urn:schemas-upnp-org:service:ContentDirectory:1#Browse"' },
      body: '<s:Envelope/>',
    });
    assert.deepEqual(JSON.parse(result.body.toString()), {
      method: 'POST',
      soapaction: '"urn:schemas-upnp-org:service:ContentDirectory:1#Browse"',
      body: '<s:Envelope/>',
    });
  });

  it('404 is an http-status error naming the URL and the status, with the body kept', async () => {
    const err = await fetchError(fetchBytes(`${base}/missing.xml`), 'http-status');
    assert.equal(err.message, `${base}/missing.xml answered HTTP 404 Not Found.`);
    assert.equal(err.status, 404);
    assert.equal(err.url, `${base}/missing.xml`);
    assert.equal(err.body?.toString(), 'no such page');
  });

  it('returns a non-2xx status instead of throwing when acceptStatus allows it (SOAP faults come as 500)', async () => {
    const result = await fetchBytes(`${base}/fault`, {}, (s) => s === 200 || s === 500);
    assert.equal(result.status, 500);
    assert.equal(result.body.toString(), '<fault/>');
    const err = await fetchError(fetchBytes(`${base}/fault`), 'http-status');
    assert.equal(err.message, `${base}/fault answered HTTP 500 Internal Server Error.`);
  });

  it('times out when headers never come, close to the given timeoutMs', async () => {
    const started = performance.now();
    const err = await fetchError(fetchBytes(`${base}/never`, { timeoutMs: 300 }), 'timeout');
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 250 && elapsed < 2000, `took ${elapsed} ms`);
    assert.equal(err.message, `${base}/never did not answer within 0.3 s (setting upnpExplorer.http.timeoutSeconds).`);
  });

  it('times out when the body stalls after the headers', async () => {
    const started = performance.now();
    await fetchError(fetchBytes(`${base}/stall-body`, { timeoutMs: 300 }), 'timeout');
    assert.ok(performance.now() - started < 2000);
  });

  it('refuses a body whose Content-Length is over the limit', async () => {
    const err = await fetchError(fetchBytes(`${base}/big-declared`, { maxBytes: 1000 }), 'too-large');
    assert.equal(err.message, `${base}/big-declared announced 4.9 KiB, more than the 1000 B limit.`);
    assert.equal(err.status, 200);
  });

  it('stops reading a chunked body once it passes the limit', async () => {
    const err = await fetchError(fetchBytes(`${base}/big-chunked`, { maxBytes: 4096, timeoutMs: 5000 }), 'too-large');
    assert.equal(err.message, `${base}/big-chunked sent more than the 4.0 KiB limit; the rest was not read.`);
  });

  it('a body exactly at the limit is accepted', async () => {
    const result = await fetchBytes(`${base}/big-declared`, { maxBytes: 5000 });
    assert.equal(result.body.length, 5000);
  });

  it('an abort signal cancels a pending request as "aborted", not "timeout"', async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 100);
    const err = await fetchError(fetchBytes(`${base}/never`, { timeoutMs: 5000, signal: controller.signal }), 'aborted');
    assert.equal(err.message, `Request to ${base}/never was cancelled.`);
    assert.ok(performance.now() - started < 2000);
  });

  it('a connection cut mid-body is a network error that says the answer broke off, with its status', async () => {
    const err = await fetchError(fetchBytes(`${base}/cut`, { timeoutMs: 5000 }), 'network');
    assert.match(err.message, /^http:\/\/127\.0\.0\.1:\d+\/cut broke off mid-answer: /);
    assert.equal(err.status, 200);
  });

  it('idle timeouts (long transfers) bound each wait, and say the device stopped sending', async () => {
    const err = await fetchError(fetchBytes(`${base}/stall-body`, { timeoutMs: 300, idleTimeout: true }), 'timeout');
    assert.match(err.message, /stall-body stopped sending for 0\.3 s/);
  });

  it('an already aborted signal fails at once', async () => {
    await fetchError(fetchBytes(`${base}/desc.xml`, { signal: AbortSignal.abort() }), 'aborted');
  });
});

describe('fetchBytes: failures before any HTTP exchange', () => {
  it('connection refused is a network error that says so', async () => {
    // Take a free port, then close it so nothing listens there.
    const { server, base } = await startServer({});
    await stopServer(server);
    const err = await fetchError(fetchBytes(`${base}/desc.xml`, { timeoutMs: 2000 }), 'network');
    assert.match(err.message, /^Could not reach http:\/\/127\.0\.0\.1:\d+\/desc\.xml: connection refused \(is the device still running, and is the port right\?\)\.$/);
  });

  it('rejects URLs that are not http', async () => {
    assert.equal((await fetchError(fetchBytes('not a url'), 'invalid-url')).message, '"not a url" is not a valid URL.');
    assert.equal((await fetchError(fetchBytes('file:///etc/passwd'), 'invalid-url')).message,
      'file:///etc/passwd is not an http:// URL (UPnP documents are served over HTTP).');
  });
});
