// The Devices tree redraws only rows that look different: a device change that alters nothing
// shown redraws nothing (a redraw makes VS Code forget the row's children's handles for a moment,
// and a context-menu command on one of them then arrives without its row), one that alters a
// service row redraws that row alone, one that alters the device row redraws the device.
// `vscode` is the do-nothing stand-in of bench/support/fakeVscode.ts: this is our provider's logic;
// the real VS Code runs it in the e2e suites.
import '../../bench/support/withFakeVscode';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from '../../bench/support/fakeVscode';
import { DevicesTreeProvider } from '../../src/host/tree/devicesTreeProvider';
import type { DiscoveredDevice } from '../../src/core/registry/types';
import { described } from '../harness/described';

interface Node { readonly kind: string; readonly id: string }
interface Provider {
  getChildren(e?: Node): Node[] | Promise<Node[]>;
  getTreeItem(e: Node): unknown;
  onDidChangeTreeData(listener: (e: Node | Node[] | undefined) => void): unknown;
  flush(): void;
  dispose(): void;
}

function setup(): { provider: Provider; changed: EventEmitter<DiscoveredDevice>; device: () => DiscoveredDevice; set: (d: DiscoveredDevice) => void; fired: Array<string[] | 'root'> } {
  let current = described('network-light/description.xml', 'http://127.0.0.1:49152/description.xml', {
    'urn:upnp-org:serviceId:SwitchPower:1': 'network-light/scpd-SwitchPower_1.xml',
    'urn:upnp-org:serviceId:Dimming:1': 'network-light/scpd-Dimming_1.xml',
  });
  const changed = new EventEmitter<DiscoveredDevice>();
  const explorer = {
    get devices() { return [current]; },
    get: (k: string) => (k === current.key ? current : undefined),
    onDidAddDevice: new EventEmitter<DiscoveredDevice>().event,
    onDidChangeDevice: changed.event,
    onDidRemoveDevice: new EventEmitter<unknown>().event,
  };
  const icons = { onDidChange: new EventEmitter<string>().event, iconFor: () => undefined, iconUrlOf: () => undefined };
  const provider = new DevicesTreeProvider(explorer as never, icons as never) as unknown as Provider;
  const fired: Array<string[] | 'root'> = [];
  provider.onDidChangeTreeData((e) => fired.push(e === undefined ? 'root' : (Array.isArray(e) ? e : [e]).map((n) => n.id)));
  return { provider, changed, device: () => current, set: (d) => { current = d; }, fired };
}

/** Draws every row, as VS Code does with everything expanded. */
async function drawAll(provider: Provider, node?: Node): Promise<void> {
  if (node) provider.getTreeItem(node);
  for (const child of await provider.getChildren(node)) await drawAll(provider, child);
}

describe('Devices tree redraws', () => {
  it('redraws nothing for a change nobody can see, a service row alone for its own change, the device for its', async () => {
    const { provider, changed, device, set, fired } = setup();
    try {
      await drawAll(provider);
      // A re-announcement: the registry hands over a new snapshot, nothing shown differs.
      set({ ...device(), lastSeen: device().lastSeen + 1000 });
      changed.fire(device());
      provider.flush();
      assert.deepEqual(fired, [], 'nothing looked different, so nothing was redrawn');

      // One service's SCPD failed: its row says so; the device row and the other service are as they were.
      const [first, second] = device().services;
      set({ ...device(), services: [first!, { ...second!, scpd: undefined, scpdStatus: 'error', scpdError: 'HTTP 500' } as never] });
      changed.fire(device());
      provider.flush();
      assert.equal(fired.length, 1);
      assert.deepEqual(fired[0], [`device:${device().key}/service:${second!.description.serviceId}`]);
      await drawAll(provider);

      // The device itself failed: its row is redrawn (and with it everything under it).
      fired.length = 0;
      set({ ...device(), status: 'error', error: 'gone' });
      changed.fire(device());
      provider.flush();
      assert.deepEqual(fired, [[`device:${device().key}`]]);
    } finally {
      provider.dispose();
    }
  });

  it('redraws a row whose children were never asked for only when the row itself changes', async () => {
    const { provider, changed, device, set, fired } = setup();
    try {
      // Only the root list is drawn (the device row collapsed).
      for (const d of await provider.getChildren()) provider.getTreeItem(d);
      const [first, second] = device().services;
      set({ ...device(), services: [first!, { ...second!, scpd: undefined, scpdStatus: 'error', scpdError: 'HTTP 500' } as never] });
      changed.fire(device());
      provider.flush();
      assert.deepEqual(fired, [], 'the collapsed device row looks the same; its children will be asked for when it opens');
    } finally {
      provider.dispose();
    }
  });
});
