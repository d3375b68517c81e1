// Lookups over the parsed models, free of the parsers (and of Node): the action form's webview
// validates values with them too.
import type { ServiceScpd, StateVariable } from './model';

const variableIndexes = new WeakMap<ServiceScpd, Map<string, StateVariable>>();

/**
 * The state variable an argument's type comes from, if the SCPD declares it. Indexed once per SCPD
 * (the first declaration wins, as when parsing), so a form over thousands of arguments stays linear.
 */
export function findStateVariable(scpd: ServiceScpd, name: string): StateVariable | undefined {
  let index = variableIndexes.get(scpd);
  if (!index) {
    index = new Map();
    for (const v of scpd.stateVariables) if (!index.has(v.name)) index.set(v.name, v);
    variableIndexes.set(scpd, index);
  }
  return index.get(name);
}
