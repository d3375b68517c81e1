// From an SCPD action to what the action form shows: one field per in-argument, typed by its
// related state variable, plus the out-arguments the result table expects. Free of `vscode` so it
// is unit-tested in plain Node; the webview gets the result as data.
import type { Action, ActionArgument, ServiceScpd, StateVariable } from '../../core/description/model';
import { findStateVariable } from '../../core/description/lookup';
import { typeHint, validateValue } from '../../core/soap/types';
import type { ActionFormModel, ExtraArgInput, FieldDescriptor, FieldInput, OutputDescriptor } from '../../protocol/actionForm';

export interface FormModelInput {
  readonly actionKey: string;
  readonly action: Action;
  readonly scpd: ServiceScpd;
  readonly serviceType: string;
  readonly serviceLabel: string;
  readonly deviceLabel: string;
  readonly controlUrl: string;
}

export function buildFormModel(input: FormModelInput): ActionFormModel {
  const { action, scpd } = input;
  return {
    actionKey: input.actionKey,
    title: `${action.name} — ${input.serviceLabel} — ${input.deviceLabel}`,
    actionName: action.name,
    serviceType: input.serviceType,
    serviceLabel: input.serviceLabel,
    deviceLabel: input.deviceLabel,
    controlUrl: input.controlUrl,
    fields: action.arguments.filter((a) => a.direction === 'in').map((a) => fieldFor(a, scpd)),
    outputs: action.arguments.filter((a) => a.direction === 'out').map((a): OutputDescriptor => ({
      name: a.name,
      dataType: findVariable(scpd, a.relatedStateVariable)?.dataType ?? '',
    })),
  };
}

/** The field of one in-argument. */
export function fieldFor(arg: ActionArgument, scpd: ServiceScpd): FieldDescriptor {
  const variable = findVariable(scpd, arg.relatedStateVariable);
  if (!variable) {
    return {
      name: arg.name,
      relatedStateVariable: arg.relatedStateVariable,
      dataType: '',
      kind: 'unknown',
      input: 'text',
      hint: `type unknown: the SCPD has no state variable "${arg.relatedStateVariable}"; sent as typed`,
      defaultValue: '',
    };
  }
  const hint = typeHint(variable);
  const input = inputFor(arg, variable, hint.kind, hint.allowedValues);
  // "text" says nothing a string field doesn't; a suggestion list says what the device expects.
  let words = hint.kind === 'string' ? '' : hint.description;
  if (hint.allowedValues) words = `${words ? `${words}; ` : ''}allowed: ${hint.allowedValues.join(', ')} (other values are sent too)`;
  return {
    name: arg.name,
    relatedStateVariable: arg.relatedStateVariable,
    dataType: variable.dataType,
    kind: hint.kind,
    input,
    hint: words,
    format: hint.format,
    example: hint.example,
    defaultValue: defaultFor(variable, input),
    allowedValues: hint.allowedValues,
    minimum: hint.minimum,
    maximum: hint.maximum,
    step: hint.step,
    variable,
  };
}

// Arguments that carry XML documents (DIDL-Lite metadata, CreateObject's Elements) get room to
// paste a multi-line value.
const MULTILINE_ARG = /(MetaData|Metadata|Elements|DIDL)$/;

function inputFor(arg: ActionArgument, variable: StateVariable, kind: FieldDescriptor['kind'], allowed: readonly string[] | undefined): FieldInput {
  if (kind === 'boolean') return 'checkbox';
  if (allowed && allowed.length > 0) return 'choice';
  if (kind === 'integer') return 'integer';
  if (kind === 'decimal') return 'decimal';
  if (kind === 'string' && (MULTILINE_ARG.test(arg.name) || MULTILINE_ARG.test(variable.name))) return 'multiline';
  return 'text';
}

function defaultFor(variable: StateVariable, input: FieldInput): string {
  const given = variable.defaultValue;
  if (input === 'checkbox') {
    if (given === undefined) return '0';
    const checked = validateValue(given, variable);
    return checked.ok ? checked.normalized : '0';
  }
  return given ?? '';
}

function findVariable(scpd: ServiceScpd, name: string): StateVariable | undefined {
  return findStateVariable(scpd, name);
}

/**
 * What the form starts with: the SCPD defaults, overlaid with the values last used for this
 * action (only for arguments the action still has).
 */
export function initialValues(form: ActionFormModel, remembered: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  for (const f of form.fields) {
    values[f.name] = remembered && Object.hasOwn(remembered, f.name) && typeof remembered[f.name] === 'string'
      ? remembered[f.name]!
      : f.defaultValue;
  }
  return values;
}

/**
 * Checks vendor extra arguments the way the SOAP builder will need them. Returns a message per
 * problem (empty when all are usable). Rows with neither name nor value are ignored by the caller.
 */
export function extraArgProblems(extras: readonly ExtraArgInput[], form: ActionFormModel): string[] {
  const problems: string[] = [];
  const name = /^[\p{L}_][\p{L}\p{M}\p{N}_.\-\u00B7]*$/u;
  for (const e of extras) {
    const label = e.name || '(unnamed)';
    if (!name.test(e.name)) problems.push(`Extra argument "${label}": the name must start with a letter or '_' and have no spaces, colons or symbols.`);
    if ((e.prefix === '') !== (e.namespaceUri === '')) problems.push(`Extra argument "${label}": give both a namespace prefix and a namespace URI, or neither.`);
    else if (e.prefix !== '' && !name.test(e.prefix)) problems.push(`Extra argument "${label}": the prefix "${e.prefix}" is not a valid XML prefix.`);
    if (e.prefix === '' && form.fields.some((f) => f.name === e.name)) problems.push(`Extra argument "${label}" has the name of a declared argument; give it a namespace or use the field above.`);
  }
  return problems;
}
