// upnp-explorer: the extension's checks outside the editor, for firmware CI.
//
//   upnp-explorer validate <LOCATION> [--sarif FILE] [--markdown FILE] [--json] [--timeout S] [--fail-on error|warning]
//   upnp-explorer validate --search <ST> [--interface NAME|ADDRESS]... [--mx N] [options above]
//
// Prints the report (markdown) to stdout; exits 0 when nothing at the --fail-on level (default:
// error) was found, 1 when something was, 2 when it could not run (bad arguments, nothing found).
import { writeFile } from 'node:fs/promises';
import { UpnpExplorer } from '../core/explorer';
import { isFullyDescribed } from '../core/registry/registry';
import { validateSearchTarget } from '../core/ssdp/message';
import { errorMessage } from '../core/util/errors';
import type { ValidationReport } from '../core/validate/model';
import { reportMarkdown, reportSarif } from '../core/validate/report';
import { validateDevice } from '../core/validate/validate';

const USAGE = `Usage:
  upnp-explorer validate <LOCATION> [options]
  upnp-explorer validate --search <ST> [--interface NAME|ADDRESS]... [--mx 1-5] [options]

Runs UPnP Explorer's UDA 1.1 device-independent checks against a live device and prints the report.

Options:
  --sarif FILE        also write the findings as SARIF 2.1.0 (for code-scanning tools)
  --markdown FILE     also write the report to FILE
  --json              print the findings as JSON instead of markdown
  --timeout SECONDS   deadline of each HTTP request (default 10)
  --fail-on LEVEL     exit 1 when a finding of this level or worse is found: error (default) or warning
  --skip-discovery    leave out the discovery stage (the M-SEARCHes sent to check the SSDP answers)
  --listen SECONDS    also listen this long on the SSDP group for the device's NOTIFYs and check
                      them (devices announce every max-age/2 or so; or restart the device meanwhile)
  --control           also run the control stage: per service, two SOAP requests the device must
                      refuse (an unknown action: 401; an action without its arguments: 402)
  --content           also run the content stage: Browse each ContentDirectory down to a few items
                      and GET their resources' headers (loads, MIME type, Date, size, byte ranges)
  --eventing          also run the eventing stage: subscribe to each evented service, check the
                      initial event, renew, unsubscribe (a callback server on this machine)

Exit status: 0 nothing at the --fail-on level, 1 findings at that level, 2 could not run.
`;

interface Args {
  location?: string;
  search?: string;
  interfaces: string[];
  mx: number;
  sarif?: string;
  markdown?: string;
  json: boolean;
  timeoutMs: number;
  failOn: 'error' | 'warning';
  discovery: boolean;
  control: boolean;
  content: boolean;
  listenSeconds?: number;
  eventing: boolean;
}

class UsageError extends Error {}
/** Asked for the usage: it goes to stdout, and that is not a failure. */
class HelpRequest extends Error {}

function parseArgs(argv: readonly string[]): Args {
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') throw new HelpRequest();
  if (argv[0] !== 'validate') throw new UsageError(argv[0] === undefined ? '' : `Unknown command "${argv[0]}".`);
  const args: Args = { interfaces: [], mx: 2, json: false, timeoutMs: 10_000, failOn: 'error', discovery: true, control: false, content: false, eventing: false };
  const value = (i: number, name: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value.`);
    return v;
  };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    switch (a) {
      case '--search': args.search = value(i++, a); break;
      case '--interface': args.interfaces.push(value(i++, a)); break;
      case '--mx': args.mx = Number(value(i++, a)); break;
      case '--sarif': args.sarif = value(i++, a); break;
      case '--markdown': args.markdown = value(i++, a); break;
      case '--json': args.json = true; break;
      case '--skip-discovery': args.discovery = false; break;
      case '--control': args.control = true; break;
      case '--content': args.content = true; break;
      case '--listen': args.listenSeconds = Number(value(i++, a)); break;
      case '--eventing': args.eventing = true; break;
      case '--timeout': args.timeoutMs = Number(value(i++, a)) * 1000; break;
      case '--fail-on': {
        const v = value(i++, a);
        if (v !== 'error' && v !== 'warning') throw new UsageError('--fail-on is error or warning.');
        args.failOn = v;
        break;
      }
      case '-h': case '--help': throw new HelpRequest();
      default:
        if (a.startsWith('--')) throw new UsageError(`Unknown option ${a}.`);
        if (args.location) throw new UsageError(`One LOCATION at a time (got "${args.location}" and "${a}").`);
        args.location = a;
    }
  }
  if (!args.location === !args.search) throw new UsageError('Give a LOCATION, or --search with a search target.');
  if (args.location) {
    try {
      const u = new URL(args.location);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    } catch {
      throw new UsageError(`"${args.location}" is not an http:// URL of a device description.`);
    }
  }
  if (args.search) {
    const bad = validateSearchTarget(args.search);
    if (bad) throw new UsageError(bad);
  }
  if (!Number.isInteger(args.mx) || args.mx < 1 || args.mx > 5) throw new UsageError('--mx is a whole number from 1 to 5.');
  if (!(args.timeoutMs > 0)) throw new UsageError('--timeout is a number of seconds.');
  if (args.listenSeconds !== undefined && !(args.listenSeconds > 0 && args.listenSeconds <= 3600)) throw new UsageError('--listen is a number of seconds, up to 3600.');
  return args;
}

async function locations(args: Args): Promise<string[]> {
  if (args.location) return [args.location];
  const explorer = new UpnpExplorer({ searchTarget: args.search!, mx: args.mx, interfaces: args.interfaces, ipv6: false, httpTimeoutMs: args.timeoutMs });
  try {
    await explorer.start();
    await explorer.search({ searchTarget: args.search! });
    // Answers come within MX; descriptions a little later.
    const end = Date.now() + args.mx * 1000 + args.timeoutMs;
    while (Date.now() < end && explorer.devices.some((d) => d.status === 'describing')) await new Promise((r) => setTimeout(r, 100));
    return explorer.devices.filter((d) => isFullyDescribed(d) || d.status === 'error').map((d) => d.location).sort();
  } finally {
    explorer.dispose();
  }
}

export async function main(argv: readonly string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof HelpRequest) {
      out(USAGE);
      return 0;
    }
    if (!(e instanceof UsageError)) throw e;
    if (e.message) err(`upnp-explorer: ${e.message}\n\n`);
    err(USAGE);
    return 2;
  }
  let found: string[];
  try {
    found = await locations(args);
  } catch (e) {
    err(`upnp-explorer: could not search: ${errorMessage(e)}\n`);
    return 2;
  }
  if (found.length === 0) {
    err(`upnp-explorer: no device answered a search for ${args.search} within ${args.mx} s.\n`);
    return 2;
  }
  const reports: ValidationReport[] = [];
  for (const location of found) {
    reports.push(await validateDevice(location, { timeoutMs: args.timeoutMs, control: args.control, content: args.content, ...(args.listenSeconds !== undefined ? { notifies: { listenMs: args.listenSeconds * 1000 } } : {}), ...(args.eventing ? { eventing: { interfaceAddress: 'auto' } } : {}), ...(args.discovery ? { discovery: { interfaceAddress: 'auto', mx: args.mx } } : {}) }));
  }
  if (args.json) {
    out(`${JSON.stringify(reports.map((r) => ({ location: r.location, friendlyName: r.friendlyName, udn: r.udn, stages: r.stages, coverage: r.coverage, findings: r.findings.map((f) => ({ rule: f.rule.id, severity: f.severity, message: f.message, evidence: f.evidence, at: f.at })) })), null, 2)}\n`);
  } else {
    out(reports.map(reportMarkdown).join('\n'));
  }
  if (args.markdown) await writeFile(args.markdown, reports.map(reportMarkdown).join('\n'));
  if (args.sarif) {
    const runs = reports.flatMap((r) => (reportSarif(r) as { runs: unknown[] }).runs);
    await writeFile(args.sarif, `${JSON.stringify({ ...(reportSarif(reports[0]!) as object), runs }, null, 2)}\n`);
  }
  const failing = reports.flatMap((r) => r.findings).filter((f) => f.severity === 'error' || (args.failOn === 'warning' && f.severity === 'warning'));
  return failing.length > 0 ? 1 : 0;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
    process.stderr.write(`upnp-explorer: ${errorMessage(e)}\n`);
    process.exitCode = 2;
  });
}
