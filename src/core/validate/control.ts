// The control stage of Validate Device (it sends requests, so the caller asks first): per service,
// an action the SCPD doesn't have must get UPnP error 401, an action called without its in
// arguments error 402, and every fault must have the UPnPError shape in an HTTP 500 answer
// (UDA 1.1 §3.2.2). Only error answers are asked for: no action is called with arguments.
import type { ServiceDescription, ServiceScpd } from '../description/model';
import { invokeAction } from '../soap/invoke';
import type { InvokeOutcome } from '../soap/invoke';
import { defineRule, finding } from './model';
import type { Finding, Rule } from './model';

const rule = (id: string, severity: Rule['severity'], spec: string): Rule => defineRule(id, 'control', severity, spec);

export const RULES_CONTROL = {
  unknownAction: rule('control/unknown-action', 'error', 'An action the service does not have is answered with UPnP error 401 Invalid Action (UDA 1.1 §3.2.2).'),
  missingArgs: rule('control/missing-arguments', 'error', 'An action sent without its in arguments is answered with UPnP error 402 Invalid Args (UDA 1.1 §3.2.2).'),
  faultShape: rule('control/fault-shape', 'error', 'A fault is HTTP 500 with a SOAP Fault: faultcode s:Client, faultstring UPnPError, and detail/UPnPError with errorCode and errorDescription (UDA 1.1 §3.2.2).'),
} as const satisfies Record<string, Rule>;

export const NO_SUCH_ACTION = 'X_UPnPExplorer_NoSuchAction';

export interface ControlTarget {
  readonly service: ServiceDescription;
  readonly scpd: ServiceScpd;
}

export async function probeControl(targets: readonly ControlTarget[], options: { readonly timeoutMs?: number } = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const { service, scpd } of targets) {
    if (!service.controlUrl) continue;
    const call = (name: string): Promise<InvokeOutcome> => invokeAction({
      controlUrl: service.controlUrl,
      serviceType: service.serviceType,
      action: { name, arguments: [] },
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    }).then((r) => r.outcome);
    const judge = (outcome: InvokeOutcome, expected: number, rule: Rule, what: string): void => {
      const evidence = `POST ${service.controlUrl} (${what})`;
      if (outcome.kind === 'ok') {
        findings.push(finding(rule, `${service.serviceId}: ${what} was answered 200 OK, not with UPnP error ${expected}.`, { evidence }));
      } else if (outcome.kind === 'failure') {
        findings.push(finding(RULES_CONTROL.faultShape, `${service.serviceId}: ${what} got no UPnP fault: ${outcome.message}`, { evidence: `${evidence} → ${outcome.httpStatus !== undefined ? `HTTP ${outcome.httpStatus}` : outcome.reason}` }));
      } else {
        if (outcome.upnpError.code !== expected) {
          findings.push(finding(rule, `${service.serviceId}: ${what} was answered with UPnP error ${outcome.upnpError.code}${outcome.upnpError.description ? ` (${outcome.upnpError.description})` : ''}, not ${expected}.`, { evidence }));
        }
        if (outcome.httpStatus !== 500) findings.push(finding(RULES_CONTROL.faultShape, `${service.serviceId}: the fault came with HTTP ${outcome.httpStatus}, not 500.`, { evidence }));
        for (const p of outcome.problems) findings.push(finding(RULES_CONTROL.faultShape, `${service.serviceId}: ${p}`, { evidence, severity: 'warning' }));
      }
    };
    judge(await call(NO_SUCH_ACTION), 401, RULES_CONTROL.unknownAction, `${NO_SUCH_ACTION} (an action it does not have)`);
    const withArgs = scpd.actions.find((a) => a.arguments.some((x) => x.direction === 'in'));
    if (withArgs) judge(await call(withArgs.name), 402, RULES_CONTROL.missingArgs, `${withArgs.name} without its in arguments`);
  }
  return findings;
}
