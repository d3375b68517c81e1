// An invocation's outcome as the action form shows it: typed outputs with XML values
// pretty-printed and DIDL-Lite decoded, faults with the code's standard meaning, failures in words.
// Free of `vscode`: unit-tested in plain Node.
import type { Action, ServiceScpd } from '../../core/description/model';
import type { InvokeOutcome } from '../../core/soap/invoke';
import { didlLines } from '../../core/av/didlLines';
import { prettyXml } from '../../core/xml/pretty';
import type { ExtraArgInput, OutputView, ResultView } from '../../protocol/actionForm';

export function toResultView(outcome: InvokeOutcome, action: Action, scpd: ServiceScpd | undefined): ResultView {
  switch (outcome.kind) {
    case 'ok':
      return {
        kind: 'ok',
        outputs: outcome.outputs.map((o): OutputView => {
          const arg = action.arguments.find((a) => a.direction === 'out' && a.name === o.name);
          const dataType = arg ? scpd?.stateVariables.find((v) => v.name === arg.relatedStateVariable)?.dataType ?? '' : '';
          const pretty = prettyXml(o.value);
          const lines = pretty !== undefined ? didlLines(o.value) : undefined;
          return { name: o.name, dataType, value: o.value, prettyXml: pretty, didlLines: lines };
        }),
        problems: outcome.problems,
      };
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
