// Bundles the extension (Node, CommonJS, `vscode` external), undici in a file of its own (loaded on
// the first request), the SSDP socket thread (a worker script next to it) and the webviews
// (browser, IIFE) into dist/.
import { chmodSync } from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// `--outdir=<dir>`: build somewhere else than dist/ (the activation benchmark builds a production
// bundle beside the development one the tests use).
const out = process.argv.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length) ?? 'dist';

/**
 * undici is two thirds of the extension's code, and V8 compiles every byte of a file it loads:
 * kept in dist/undici.js, which the HTTP edge requires on the first request, the extension's own
 * file stays small and activation quick.
 * @type {esbuild.Plugin}
 */
const undiciApart = {
  name: 'undici-apart',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: './undici.js', external: true }));
  },
};

/**
 * The code loaded on first use (src/onDemand.ts: the device side and Validate Device) is
 * dist/ondemand.js: the host's `require('../onDemand')` (src/host/onDemand.ts) becomes a require
 * of that file.
 * @type {esbuild.Plugin}
 */
const onDemandApart = {
  name: 'on-demand-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/onDemand$/ }, (args) => (/[\\/]src[\\/]host$/.test(args.resolveDir)
      ? { path: './ondemand.js', external: true }
      : undefined));
  },
};

/** @type {esbuild.BuildOptions} */
const extension = {
  entryPoints: ['src/extension.ts'],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: `${out}/extension.js`,
  external: ['vscode'],
  plugins: [undiciApart, onDemandApart],
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
};

/**
 * undici carries llhttp twice as WebAssembly (72 KB each): with SIMD instructions and without.
 * Only the one without is bundled: undici's loader tries SIMD first and falls back to it (as it
 * does on ppc64 and with UNDICI_NO_WASM_SIMD=1), so requests work the same; device answers are
 * small and bodies stream past the parser, so the SIMD speed-up is not measurable here (README:
 * "Packages"). It keeps all host code under the 1 MB budget.
 * @type {esbuild.Plugin}
 */
const llhttpWithoutSimd = {
  name: 'llhttp-without-simd',
  setup(build) {
    build.onResolve({ filter: /llhttp_simd-wasm\.js$/ }, () => ({ path: 'llhttp-simd-left-out', namespace: 'left-out' }));
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, () => ({
      contents: "throw new Error('llhttp with SIMD is not bundled; undici uses llhttp without SIMD');",
      loader: 'js',
    }));
  },
};

/** @type {esbuild.BuildOptions} */
const undici = {
  ...extension,
  entryPoints: undefined,
  plugins: [llhttpWithoutSimd],
  stdin: { contents: "module.exports = require('undici');", resolveDir: '.', loader: 'js' },
  outfile: `${out}/undici.js`,
  external: [],
  sourcemap: false,
};

/** The code loaded on first use (dist/ondemand.js); undici stays apart from it too. */
/** @type {esbuild.BuildOptions} */
const onDemandBundle = { ...extension, entryPoints: ['src/onDemand.ts'], outfile: `${out}/ondemand.js`, plugins: [undiciApart] };

/** The command line (`upnp-explorer validate …`, dist/cli.js): the core and undici in one file. */
/** @type {esbuild.BuildOptions} */
const cli = { ...extension, entryPoints: ['src/cli/main.ts'], outfile: `${out}/cli.js`, external: [], plugins: [], sourcemap: false, banner: { js: '#!/usr/bin/env node' } };

/** The SSDP sockets' own thread (a worker next to the extension: dist/ssdpThread.js). */
/** @type {esbuild.BuildOptions} */
const ssdpThread = { ...extension, entryPoints: ['src/core/ssdp/socketThread.ts'], outfile: `${out}/ssdpThread.js`, external: [], plugins: [] };

/** Webview scripts: one IIFE per view, with its CSS next to it (dist/webviews/<name>.js/.css). */
/** @type {esbuild.BuildOptions} */
const webviews = {
  entryPoints: {
    actionForm: 'src/webviews/actionForm/main.ts',
    thumbnails: 'src/webviews/thumbnails/main.ts',
    details: 'src/webviews/details/main.ts',
    nowPlaying: 'src/webviews/nowPlaying/main.ts',
  },
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  outdir: `${out}/webviews`,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
};

if (watch) {
  const contexts = await Promise.all([esbuild.context(extension), esbuild.context(undici), esbuild.context(onDemandBundle), esbuild.context(cli), esbuild.context(ssdpThread), esbuild.context(webviews)]);
  await Promise.all(contexts.map((ctx) => ctx.watch()));
} else {
  await Promise.all([esbuild.build(extension), esbuild.build(undici), esbuild.build(onDemandBundle), esbuild.build(cli), esbuild.build(ssdpThread), esbuild.build(webviews)]);
  // The command line is run directly (`npx upnp-explorer`, or ./dist/cli.js).
  chmodSync(`${out}/cli.js`, 0o755);
}
