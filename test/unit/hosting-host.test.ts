// The extension's hosting helpers that run without VS Code: the hosting settings as read from
// any configuration, and the UPnP Host channel's writer cutting a flood to 100 lines a second
// while counting what it left out.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { readHostingSettings } from '../../src/host/hosting/hostingSettings';
import { HostLog } from '../../src/host/hosting/hostLog';

function config(values: Record<string, unknown>): { get<T>(k: string): T | undefined } {
  return { get: <T>(k: string) => values[k] as T | undefined };
}

describe('hosting settings', () => {
  it('reads interfaces (trimmed, deduplicated, strings only), restoreOnStartup and ipv6 (only true is true)', () => {
    assert.deepEqual(readHostingSettings(config({})), { interfaces: [], restoreOnStartup: false, ipv6: false });
    assert.deepEqual(readHostingSettings(config({ 'hosting.interfaces': [' eth0 ', 'eth0', 7, '', '127.0.0.1'], 'hosting.restoreOnStartup': 'yes', 'hosting.ipv6': 1 })), { interfaces: ['eth0', '127.0.0.1'], restoreOnStartup: false, ipv6: false });
    assert.deepEqual(readHostingSettings(config({ 'hosting.interfaces': 'eth0', 'hosting.restoreOnStartup': true, 'hosting.ipv6': true })), { interfaces: [], restoreOnStartup: true, ipv6: true });
  });
});

describe('the UPnP Host channel writer', () => {
  function fakeChannel(): { channel: vscode.LogOutputChannel; lines: string[] } {
    const lines: string[] = [];
    const channel = { info: (l: string) => lines.push(`info ${l}`), warn: (l: string) => lines.push(`warn ${l}`) } as unknown as vscode.LogOutputChannel;
    return { channel, lines };
  }

  it('writes each entry as one line named after its device, refusals as warnings', () => {
    const { channel, lines } = fakeChannel();
    const log = new HostLog(channel, () => 0);
    log.write('Jambon', { kind: 'search', message: 'M-SEARCH from 10.0.0.2:5000: answering' });
    log.write('Jambon', { kind: 'refused', message: 'GET /../x refused with 404' });
    assert.deepEqual(lines, ['info [Jambon] M-SEARCH from 10.0.0.2:5000: answering', 'warn [Jambon] GET /../x refused with 404']);
    log.dispose();
  });

  it('cuts a flood to 100 lines a second and says how many it left out', () => {
    const { channel, lines } = fakeChannel();
    let now = 1_000;
    const log = new HostLog(channel, () => now);
    for (let i = 0; i < 5_000; i++) log.write('d', { kind: 'search', message: `search ${i}` });
    assert.equal(lines.length, 100);
    now += 1_000;
    log.write('d', { kind: 'search', message: 'after the flood' });
    assert.deepEqual(lines.slice(100), ['warn 4900 more lines not shown: more than 100 a second (a search flood?)', 'info [d] after the flood']);
    log.dispose();
  });
});
