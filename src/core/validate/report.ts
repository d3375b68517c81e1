// A validation report for people (markdown, grouped by stage, a summary line per stage) and for
// code-scanning tools (SARIF 2.1.0: one run, the rules with their spec text, each finding with
// its document position).
import { STAGES, countBySeverity } from './model';
import type { Finding, ValidationReport } from './model';
import { ALL_RULES } from './rules';

const STAGE_TITLES: Readonly<Record<string, string>> = {
  discovery: 'Discovery (SSDP)',
  description: 'Description',
  scpd: 'Service descriptions (SCPD)',
  control: 'Control (SOAP)',
  content: 'Content (ContentDirectory resources)',
  eventing: 'Eventing (GENA)',
};

/** Markdown; device strings are put in code spans with backticks removed, so they can't format. */
export function reportMarkdown(report: ValidationReport): string {
  const lines: string[] = [];
  const total = countBySeverity(report.findings);
  lines.push(`# UPnP validation: ${code(report.friendlyName ?? report.location)}`, '');
  lines.push(`- LOCATION: ${code(report.location)}`);
  if (report.udn) lines.push(`- UDN: ${code(report.udn)}`);
  lines.push(`- Checked: ${report.startedAt} (${report.elapsedMs} ms), UDA 1.1 device-independent checks`);
  lines.push(`- Result: ${summary(total)}`, '');
  for (const stage of STAGES) {
    const ran = report.stages.includes(stage);
    const findings = report.findings.filter((f) => f.rule.stage === stage);
    lines.push(`## ${STAGE_TITLES[stage]}`, '');
    if (!ran) {
      lines.push('Not run.', '');
      continue;
    }
    const looked = report.coverage?.[stage];
    lines.push(`${findings.length === 0 ? 'No findings.' : summary(countBySeverity(findings))}${looked ? ` ${escapeText(looked)}` : ''}`, '');
    for (const f of findings) {
      const where = f.at ? ` — ${code(f.at.url)} line ${f.at.line}, column ${f.at.column}` : '';
      lines.push(`- **${f.severity}** ${escapeText(f.message)}${where}`);
      lines.push(`  - Rule ${code(f.rule.id)}: ${f.rule.spec}`);
      if (f.evidence) lines.push(`  - Evidence: ${code(f.evidence)}`);
    }
    if (findings.length) lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function summary(c: Record<string, number>): string {
  return `${c['error']} error${c['error'] === 1 ? '' : 's'}, ${c['warning']} warning${c['warning'] === 1 ? '' : 's'}, ${c['info']} note${c['info'] === 1 ? '' : 's'}`;
}

function code(s: string): string {
  const one = s.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/`/g, "'").slice(0, 300);
  return `\`${one}\``;
}

function escapeText(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/([\\`*_[\]<>#|])/g, '\\$1');
}

/** SARIF 2.1.0, as code-scanning tools read it. */
export function reportSarif(report: ValidationReport): object {
  const level = (f: Finding): string => (f.severity === 'info' ? 'note' : f.severity);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'UPnP Explorer',
          informationUri: 'https://github.com/upnp-explorer/upnp-explorer',
          rules: ALL_RULES.map((r) => ({ id: r.id, shortDescription: { text: r.spec }, defaultConfiguration: { level: r.severity === 'info' ? 'note' : r.severity }, properties: { stage: r.stage } })),
        },
      },
      invocations: [{ executionSuccessful: true, startTimeUtc: report.startedAt }],
      results: report.findings.map((f) => ({
        ruleId: f.rule.id,
        level: level(f),
        message: { text: f.message + (f.evidence ? ` Evidence: ${f.evidence}` : '') },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: f.at?.url ?? report.location },
            ...(f.at ? { region: { startLine: f.at.line, startColumn: f.at.column, endColumn: f.at.column + f.at.length } } : {}),
          },
        }],
      })),
    }],
  };
}
