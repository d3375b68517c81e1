// Debian packages the tests and the demo need: installed when we are root on a Debian-like
// machine, otherwise named with the command to install them (then we fail, never skip).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function which(name) {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin'])) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function dpkgHas(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

export const PACKAGES = {
  minidlna: [() => existsSync('/usr/sbin/minidlnad'), 'a real DLNA media server the integration and e2e suites discover'],
  'gupnp-tools': [() => existsSync('/usr/bin/gupnp-network-light'), 'gupnp-network-light, a real light that sends GENA events'],
  xvfb: [() => !!which('Xvfb'), 'an X server for gupnp-network-light'],
  chromium: [() => existsSync('/usr/bin/chromium'), 'the browser Playwright drives for the real VS Code (code-server)'],
  'libkrb5-dev': [() => dpkgHas('libkrb5-dev'), "headers code-server's kerberos module builds against"],
  iproute2: [() => !!which('ip'), 'ip, to set up the isolated network namespace'],
  'util-linux': [() => !!which('unshare'), 'unshare, to create the isolated network namespace'],
  curl: [() => !!which('curl'), 'curl, to run the "Copy as curl" commands the SOAP tests generate'],
  miniupnpc: [() => existsSync('/usr/bin/upnpc'), 'upnpc, a real IGD control point that must list a hosted gateway'],
  'python3-gi': [() => existsSync('/usr/lib/python3/dist-packages/gi/__init__.py'), 'Python bindings for GObject, to drive GUPnP as a control point'],
  'gir1.2-gupnp-1.6': [() => existsSync('/usr/lib/x86_64-linux-gnu/girepository-1.0/GUPnP-1.6.typelib') || dpkgHas('gir1.2-gupnp-1.6'), 'GUPnP for python3-gi: a real control point that must use a hosted device'],
  gmediarender: [() => existsSync('/usr/bin/gmediarender'), 'gmediarender, a real libupnp MediaRenderer that Play To must drive (play-to-renderers)'],
  rygel: [() => existsSync('/usr/bin/rygel'), 'rygel, whose Playbin renderer is the second real MediaRenderer Play To must drive'],
  'rygel-playbin': [() => existsSync('/usr/lib/x86_64-linux-gnu/rygel-2.8/plugins/librygel-playbin.so') || dpkgHas('rygel-playbin'), "rygel's Playbin plugin: the renderer itself"],
  'gstreamer1.0-plugins-base': [() => existsSync('/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstplayback.so') || dpkgHas('gstreamer1.0-plugins-base'), 'GStreamer playbin, decodebin and audioconvert, which both renderers play through'],
  'gstreamer1.0-plugins-good': [() => existsSync('/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstwavparse.so') || dpkgHas('gstreamer1.0-plugins-good'), "GStreamer's HTTP source (souphttpsrc), WAV parser and JPEG decoder: what the renderers need to play minidlna's WAV and JPEG (only recommended by gmediarender)"],
};

/** Makes sure the named Debian packages are there; exits the process with a clear list if not. */
export function ensurePackages(names, who) {
  const missingNow = () => names.filter((n) => !PACKAGES[n][0]());
  let missing = missingNow();
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && which('apt-get')) {
    console.log(`${who}: installing Debian packages: ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    // No UPnP daemon may start on the host network: minidlna and gmediarender ship init scripts
    // that would announce at once. policy-rc.d answering 101 forbids starting any service while
    // the packages install (and is removed after, if it was ours).
    const policy = '/usr/sbin/policy-rc.d';
    const ownPolicy = !existsSync(policy);
    if (ownPolicy) spawnSync('sh', ['-c', `printf '#!/bin/sh\\nexit 101\\n' > ${policy} && chmod 755 ${policy}`]);
    try {
      for (const args of [['update', '-q'], ['install', '-y', '-q', '--no-install-recommends', ...missing]]) {
        const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
        if (r.status !== 0) {
          console.error(`${who}: apt-get ${args.join(' ')} failed (exit ${r.status}).`);
          process.exit(r.status ?? 1);
        }
      }
    } finally {
      if (ownPolicy) spawnSync('rm', ['-f', policy]);
    }
    // And should one have started anyway, it is stopped.
    spawnSync('sh', ['-c', 'pkill -x minidlnad || true; pkill -x gmediarender || true; pkill -x rygel || true; command -v service >/dev/null && { service minidlna stop; service gmediarender stop; } >/dev/null 2>&1 || true']);
    missing = missingNow();
  }
  if (missing.length) {
    console.error(`${who}: these are needed and missing:`);
    for (const n of missing) console.error(`  - ${n}: ${PACKAGES[n][1]}`);
    console.error(`Install them (Debian/Ubuntu: sudo apt-get install --no-install-recommends ${missing.join(' ')}) and run it again.`);
    process.exit(1);
  }
}
