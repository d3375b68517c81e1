// The host's shared plumbing, in plain Node (both only name VS Code's types): the Feature base's
// dispose rules, and the one policy for messages to a webview.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { Feature } from '../../src/host/feature';
import { WebviewConnection } from '../../src/host/webviewConnection';

class Probe extends Feature {
  readonly order: string[] = [];
  constructor(private readonly failOnDispose = false) {
    super();
  }
  own(name: string, fail = false): void {
    this.disposables.push({ dispose: () => { this.order.push(name); if (fail) throw new Error(`${name} failed`); } });
  }
  get disposedNow(): boolean {
    return this.isDisposed;
  }
  protected override onDispose(): void {
    this.order.push('onDispose');
    if (this.failOnDispose) throw new Error('onDispose failed');
  }
}

describe('Feature', () => {
  it('disposes once: onDispose first, then what it owns, last registered first', () => {
    const p = new Probe();
    p.own('a');
    p.own('b');
    assert.equal(p.disposedNow, false);
    p.dispose();
    p.dispose();
    assert.deepEqual(p.order, ['onDispose', 'b', 'a']);
    assert.equal(p.disposedNow, true);
  });

  it('a throwing disposable does not leave the others alive, and its error is not lost', () => {
    const p = new Probe(true);
    p.own('a');
    p.own('b', true);
    p.own('c');
    assert.throws(() => p.dispose(), (err: unknown) => err instanceof AggregateError && err.errors.length === 2);
    assert.deepEqual(p.order, ['onDispose', 'c', 'b', 'a']);
    const one = new Probe();
    one.own('x', true);
    assert.throws(() => one.dispose(), /x failed/);
  });
});

/** A webview that records what it was sent and lets the test deliver messages from its script. */
function fakeWebview(): { webview: vscode.Webview; sent: unknown[]; receive(m: unknown): void; listeners(): number } {
  const sent: unknown[] = [];
  let listener: ((m: unknown) => void) | undefined;
  const webview = {
    postMessage: async (m: unknown) => { sent.push(m); return true; },
    onDidReceiveMessage: (l: (m: unknown) => void) => {
      listener = l;
      return { dispose: () => { listener = undefined; } };
    },
  } as unknown as vscode.Webview;
  return { webview, sent, receive: (m) => listener?.(m), listeners: () => (listener ? 1 : 0) };
}

type In = { type: 'ready' } | { type: 'click'; n: number };
const isIn = (v: unknown): v is In => typeof v === 'object' && v !== null
  && ((v as In).type === 'ready' || ((v as In).type === 'click' && typeof (v as { n?: unknown }).n === 'number'));

describe('WebviewConnection', () => {
  it('sends nothing before ready, the whole state on every ready (reloads too), then each message once', () => {
    const w = fakeWebview();
    let state = 1;
    const got: In[] = [];
    const c = new WebviewConnection<string, In>(w.webview, isIn, { snapshot: () => [`init ${state}`], onMessage: (m) => got.push(m) });
    c.post('early');
    assert.deepEqual(w.sent, []);
    assert.equal(c.isReady, false);
    w.receive({ type: 'ready' });
    assert.deepEqual(w.sent, ['init 1']);
    c.post('update');
    state = 2;
    // A hidden webview reloaded by VS Code says ready again: it gets the state as it is now.
    w.receive({ type: 'ready' });
    assert.deepEqual(w.sent, ['init 1', 'update', 'init 2']);
    // Only checked messages reach the owner.
    w.receive({ type: 'click', n: 3 });
    w.receive({ type: 'click', n: 'x' });
    w.receive({ type: 'fetch', url: 'http://192.168.1.1/' });
    assert.deepEqual(got, [{ type: 'click', n: 3 }]);
    c.dispose();
    c.post('late');
    assert.equal(w.sent.at(-1), 'init 2');
    assert.equal(w.listeners(), 0);
  });
});
