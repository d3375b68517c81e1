// The in-namespace half of `npm start` (scripts/start.mjs runs it through scripts/netns.sh):
// the simulated camera and light bridge on loopback, and code-server with the extension on a unix
// socket that the host-side proxy forwards to. Prints "READY" once the workbench can be opened,
// cleans up (byebye, code-server stopped) on SIGTERM/SIGINT.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { assertIsolatedNetwork } from '../test/harness/netns';
import { REPO_ROOT, startCodeServer } from '../test/harness/code-server';
import { SsdpResponder } from '../test/devices/ssdp-responder';
import { startSimulatedCamera } from '../test/devices/camera';
import { startSimulatedLight } from '../test/devices/light';

const [socketPath, workspace] = process.argv.slice(2);
if (!socketPath || !workspace) {
  console.error('usage: demo-inside.ts <socket> <workspace>');
  process.exit(2);
}

void (async () => {
  assertIsolatedNetwork('npm start');
  const responder = await SsdpResponder.start({ interfaceAddress: '127.0.0.1' });
  // A few dozen generated photos besides the two captured ones, so the thumbnails grid has something to show.
  const camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1', ssdp: responder, extraPhotos: 60 });
  const light = await startSimulatedLight({ interfaceAddress: '127.0.0.1', ssdp: responder });
  for (const d of [camera, light]) console.log(`device: ${d.friendlyName} at ${d.location}`);
  mkdirSync(workspace, { recursive: true });
  writeFileSync(path.join(workspace, 'README.md'), [
    '# UPnP Explorer demo',
    '',
    'Open the **UPnP** view in the activity bar. A simulated Leica Q3 camera and a simulated light',
    'bridge are running on loopback inside an isolated network namespace; discovery is pointed at',
    '`127.0.0.1` (see `upnpExplorer.discovery.interfaces`).',
    '',
    'Try:',
    '- expand a device, hover it for its vendor fields, right-click it for its description XML;',
    '- click an action (ContentDirectory:1 → Browse) to invoke it from a form;',
    '- right-click ConnectionManager:1 → Subscribe to Events, and watch the "UPnP Events" output;',
    '- expand ContentDirectory:1 → Content, right-click Content → Show Thumbnails, download or delete a photo.',
    '',
  ].join('\n'));
  const server = await startCodeServer({
    extensionDir: REPO_ROOT,
    workspace,
    socketPath,
    settings: {
      'upnpExplorer.discovery.interfaces': ['127.0.0.1'],
      'upnpExplorer.discovery.mx': 1,
      'workbench.startupEditor': 'readme',
    },
  });
  console.log('READY');
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    await camera.stop();
    await light.stop();
    await responder.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
})().catch((err: unknown) => {
  console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
