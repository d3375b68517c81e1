// An invocation's outcome as the action form shows it: typed outputs with XML values
// pretty-printed and DIDL-Lite decoded, faults with the code's standard meaning, failures in words.
// Free of `vscode`: unit-tested in plain Node.
import type { Action, ServiceScpd } from '../../core/description/model';
import { findStateVariable } from '../../core/description/lookup';
import type { InvokeOutcome } from '../../core/soap/invoke';
import { didlLines } from '../../core/av/didl';
import { prettyXml } from '../../core/xml/pretty';
import type { ExtraArgInput, OutputView, ResultView } from '../../protocol/actionForm';

/** Reads XML values in slices (they may be megabytes of DIDL-Lite), so it is asynchronous. */
export async function toResultView(outcome: InvokeOutcome, action: Action, scpd: ServiceScpd | undefined): Promise<ResultView> {
  switch (outcome.kind) {
    case 'ok': {
      const outArgs = new Map(action.arguments.filter((a) => a.direction === 'out').map((a) => [a.name, a]));
      const outputs: OutputView[] = [];
      for (const o of outcome.outputs) {
        const arg = outArgs.get(o.name);
        const dataType = arg ? (scpd && findStateVariable(scpd, arg.relatedStateVariable))?.dataType ?? '' : '';
        const pretty = await prettyXml(o.value);
        const lines = pretty !== undefined ? await didlLines(o.value) : undefined;
        outputs.push({ name: o.name, dataType, value: o.value, prettyXml: pretty, didlLines: lines });
      }
      return { kind: 'ok', outputs, problems: outcome.problems };
    }
    case 'fault':
      return {
        kind: 'fault',
        code: outcome.upnpError.code,
        description: outcome.upnpError.description,
        meaning: outcome.upnpError.meaning,
        httpStatus: outcome.httpStatus,
        problems: outcome.problems,
      };
    case 'failure':
      if (outcome.reason === 'aborted') return { kind: 'cancelled', message: 'Cancelled; the device may still have run the action.' };
      return { kind: 'failure', reason: outcome.reason, message: outcome.message, httpStatus: outcome.httpStatus };
  }
}

/** One line for the history: `OK`, `Fault 701 No such object`, `Failed: …`. */
export function resultSummary(result: ResultView): string {
  switch (result.kind) {
    case 'ok': return 'OK';
    case 'fault': return `Fault ${result.code} ${result.description || result.meaning}`;
    case 'failure': return `Failed: ${result.message}`;
    case 'cancelled': return 'Cancelled';
    case 'invalid': return `Not sent: ${result.message}`;
  }
}

/** `ObjectID=0, BrowseFlag=BrowseDirectChildren, leica:X_FromCP=Leica Q3`, shortened for a list. */
export function argsText(values: Readonly<Record<string, string>>, extras: readonly ExtraArgInput[], max = 160): string {
  const parts = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  for (const e of extras) parts.push(`${e.prefix ? `${e.prefix}:` : ''}${e.name}=${e.value}`);
  const text = parts.join(', ').replace(/\s+/g, ' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
