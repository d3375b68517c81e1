// Bundles the extension (Node, CommonJS, `vscode` external), the SSDP socket thread (a worker
// script next to it) and the webviews (browser, IIFE) into dist/.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {esbuild.BuildOptions} */
const extension = {
  entryPoints: ['src/extension.ts'],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: 'dist/extension.js',
  external: ['vscode'],
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
};

/** The SSDP sockets' own thread (a worker next to the extension: dist/ssdpThread.js). */
/** @type {esbuild.BuildOptions} */
const ssdpThread = { ...extension, entryPoints: ['src/core/ssdp/socketThread.ts'], outfile: 'dist/ssdpThread.js', external: [] };

/** Webview scripts: one IIFE per view, with its CSS next to it (dist/webviews/<name>.js/.css). */
/** @type {esbuild.BuildOptions} */
const webviews = {
  entryPoints: {
    actionForm: 'src/webviews/actionForm/main.ts',
    thumbnails: 'src/webviews/thumbnails/main.ts',
    details: 'src/webviews/details/main.ts',
  },
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  outdir: 'dist/webviews',
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
};

if (watch) {
  const contexts = await Promise.all([esbuild.context(extension), esbuild.context(ssdpThread), esbuild.context(webviews)]);
  await Promise.all(contexts.map((ctx) => ctx.watch()));
} else {
  await Promise.all([esbuild.build(extension), esbuild.build(ssdpThread), esbuild.build(webviews)]);
}
