// What a validation finds: each finding names its stage, its rule (with the spec in words), what
// is wrong here, the evidence, and — for documents — where in the document it is.

export type Stage = 'discovery' | 'description' | 'scpd' | 'control' | 'content' | 'eventing';
export type Severity = 'error' | 'warning' | 'info';

export const STAGES: readonly Stage[] = ['discovery', 'description', 'scpd', 'control', 'content', 'eventing'];

export interface Rule {
  readonly id: string;
  readonly stage: Stage;
  readonly severity: Severity;
  /** The rule in words, with where the spec says it. */
  readonly spec: string;
}

/** A rule of one stage (each stage's file lists its own). */
export function defineRule(id: string, stage: Stage, severity: Severity, spec: string): Rule {
  return { id, stage, severity, spec };
}

export interface DocumentPosition {
  /** URL of the document (description or SCPD). */
  readonly url: string;
  /** 1-based line and column of the offending element's start tag. */
  readonly line: number;
  readonly column: number;
  /** Characters from there that the finding covers (the start tag, or the element's text). */
  readonly length: number;
}

export interface Finding {
  readonly rule: Rule;
  /** Usually the rule's; a rule may be reported milder in context (e.g. an informative field). */
  readonly severity: Severity;
  /** What is wrong here, in words a device maker can act on. */
  readonly message: string;
  /** The header, XML excerpt or exchange that shows it. */
  readonly evidence?: string;
  readonly at?: DocumentPosition;
}

export interface ValidationReport {
  readonly location: string;
  readonly friendlyName?: string;
  readonly udn?: string;
  readonly startedAt: string;
  readonly elapsedMs: number;
  /** Stages that ran (the others were not asked for or could not run). */
  readonly stages: readonly Stage[];
  readonly findings: readonly Finding[];
  /** What a stage looked at, in words, where "no findings" alone would not say (the content walk). */
  readonly coverage?: Readonly<Partial<Record<Stage, string>>>;
  /** Documents read, by URL (for diagnostics on them). */
  readonly documents: ReadonlyMap<string, string>;
}

export function finding(rule: Rule, message: string, extra: { evidence?: string; at?: DocumentPosition; severity?: Severity } = {}): Finding {
  return {
    rule,
    severity: extra.severity ?? rule.severity,
    message,
    ...(extra.evidence !== undefined ? { evidence: extra.evidence } : {}),
    ...(extra.at ? { at: extra.at } : {}),
  };
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
