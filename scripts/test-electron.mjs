#!/usr/bin/env node
// `npm run test:electron`: the extension inside a desktop VS Code downloaded by
// @vscode/test-electron. Needs Microsoft's update service, which these build machines cannot
// reach (npm test uses code-server instead, see README); kept for machines that can.
import { runTests } from '@vscode/test-electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const userData = mkdtempSync(join(tmpdir(), 'upnp-electron-'));
mkdirSync(join(userData, 'User'), { recursive: true });
// No discovery on a real LAN from a test: only loopback, no search at startup.
writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
  'upnpExplorer.discovery.interfaces': ['127.0.0.1'],
  'upnpExplorer.discovery.searchOnStartup': false,
}));
try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'test/electron/index.cjs'),
    launchArgs: ['--disable-extensions', `--user-data-dir=${userData}`],
  });
} catch (err) {
  console.error(`test:electron failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
