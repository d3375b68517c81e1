// `npm start`, as a user runs it: a few lines of progress, the devices, the URL; the workbench
// answers there; and SIGTERM (or SIGINT) to the npm process alone stops everything it started.
//
//   scripts/netns.sh --veth node --import tsx --test test/e2e/npm-start.e2e.test.ts
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { assertIsolatedNetwork } from '../harness/netns';
import { REPO_ROOT } from '../harness/code-server';

function demoProcesses(): string[] {
  const r = spawnSync('ps', ['-e', '-o', 'pid=,args='], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => /scripts\/start\.mjs|scripts\/demo-inside\.ts/.test(l));
}

describe('npm start', { timeout: 300_000 }, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`prints only what a user needs, serves the workbench, and stops on ${signal} to npm alone`, async () => {
      assertIsolatedNetwork('npm-start.e2e.test.ts');
      assert.deepEqual(demoProcesses(), [], 'nothing left from before');
      const npm = spawn('npm', ['start'], { cwd: REPO_ROOT, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      npm.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      npm.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL within 150 s:\n${out}`)), 150_000);
        const check = (): void => {
          const m = /open (http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/.exec(out);
          if (m) { clearTimeout(timer); resolve(m[1]!); }
        };
        npm.stdout.on('data', check);
      });
      const lines = out.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('>'));
      assert.ok(lines.length <= 10, `a few lines, not hundreds:\n${out}`);
      assert.match(out, /Building the extension… done/);
      assert.match(out, /device: Leica Q3-1234567 at http/);
      const health = await fetch(new URL('/healthz', url));
      assert.equal(health.status, 200);

      const exited = new Promise((r) => npm.once('exit', r));
      npm.kill(signal);
      await exited;
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && demoProcesses().length > 0) await new Promise((r) => setTimeout(r, 250));
      assert.deepEqual(demoProcesses(), [], 'everything npm start started has stopped');
      await assert.rejects(fetch(new URL('/healthz', url)), 'nothing answers any more');
    });
  }
});
