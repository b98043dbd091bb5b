import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitInfo, MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import type { ResultRow, ScenarioReport } from './scenario.js';

/** Everything one run produced: what results/*.json holds. */
export interface RunReport {
  readonly date: string;
  readonly quick: boolean;
  readonly wallSeconds: number;
  readonly settings: {
    readonly durationSeconds: number;
    readonly rounds: number;
    readonly maxRequestsPerRound: number;
    readonly concurrency: number;
    readonly poolSize: number;
    readonly sellOutUnits: number;
    readonly coldSkus: number;
    readonly checkSkus: number;
    readonly bulkRows: number;
  };
  readonly machine: MachineInfo;
  readonly git: GitInfo;
  readonly scenarios: readonly ScenarioReport[];
  readonly correctness: Correctness;
}

/** The run's correctness verdict over every row that ran. */
export interface Correctness {
  readonly variantsChecked: number;
  readonly oversoldUnits: number;
  readonly ledgerMismatches: number;
  readonly failures: readonly string[];
}

/** Sums the correctness checks of every scenario. */
export function correctnessOf(scenarios: readonly ScenarioReport[]): Correctness {
  let variantsChecked = 0;
  let oversoldUnits = 0;
  let ledgerMismatches = 0;
  const failures: string[] = [];
  for (const scenario of scenarios) {
    for (const row of scenario.rows) {
      if (row.skipped) continue;
      variantsChecked += 1;
      oversoldUnits += row.oversold ?? 0;
      if (row.ledger === 'mismatch') ledgerMismatches += 1;
      for (const failure of row.failures)
        failures.push(`${scenario.number}. ${row.variant}: ${failure}`);
    }
  }
  return { variantsChecked, oversoldUnits, ledgerMismatches, failures };
}

const escapeCell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function number(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return Math.round(value).toLocaleString('en-US');
}

function milliseconds(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

function extraText(row: ResultRow): string {
  const parts = Object.entries(row.extra).map(
    ([key, value]) => `${key} ${typeof value === 'number' ? value.toLocaleString('en-US') : value}`,
  );
  const refused = row.outcomes.refused ?? 0;
  if (refused > 0 && !('sell-out' in row.extra)) parts.push(`refused ${number(refused)}`);
  for (const failure of row.failures) parts.push(`**FAILED: ${failure}**`);
  return parts.join('; ');
}

function rowCells(scenario: ScenarioReport, row: ResultRow): string[] {
  const label = `${scenario.number}. ${scenario.id}`;
  if (row.skipped) {
    return [label, row.variant, '–', '–', '–', '–', '–', '–', '–', `skipped: ${row.skipped}`];
  }
  return [
    label,
    row.variant,
    number(row.opsPerSecond),
    milliseconds(row.latency?.p50),
    milliseconds(row.latency?.p95),
    milliseconds(row.latency?.p99),
    row.retries === null ? '–' : `${number(row.retries)} / ${number(row.conflicts)}`,
    row.oversold === null ? '–' : String(row.oversold),
    row.ledger,
    extraText(row),
  ];
}

/** A markdown table with padded columns (readable on a terminal as well as rendered). */
function table(
  header: readonly string[],
  right: readonly boolean[],
  rows: readonly string[][],
): string[] {
  const all = [header, ...rows].map((cells) => cells.map(escapeCell));
  const widths = header.map((_cell, index) =>
    Math.max(3, ...all.map((cells) => (cells[index] ?? '').length)),
  );
  const format = (cells: readonly string[]) =>
    `| ${cells.map((cell, index) => (right[index] ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!))).join(' | ')} |`;
  const rule = `| ${widths.map((width, index) => (right[index] ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`;
  const [head, ...body] = all;
  return [format(head!), rule, ...body.map(format)];
}

/** The results table, the ratios and the correctness verdict, as markdown. */
export function renderMarkdown(report: RunReport): string {
  const out: string[] = [];
  const { machine, git } = report;
  out.push(
    `Run ${report.date}${report.quick ? ' (--quick smoke run)' : ''} · commit ${git.commit.slice(0, 12)}${git.dirty ? ' (+ uncommitted changes)' : ''} · ${report.wallSeconds.toFixed(0)} s`,
  );
  out.push(
    `Machine: ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}, PostgreSQL ${machine.postgres}, Redis ${machine.redis}; load average at start ${machine.loadAtStart.join(' / ')}`,
  );
  const s = report.settings;
  out.push(
    `Settings: ${s.rounds} round(s) × ${s.durationSeconds} s (or ${s.maxRequestsPerRound.toLocaleString('en-US')} requests) per variant, ${s.concurrency} callers, pool ${s.poolSize}, sell-out ${s.sellOutUnits} units, ${s.coldSkus.toLocaleString('en-US')} cold SKUs, ${s.checkSkus.toLocaleString('en-US')} checked SKUs, ${s.bulkRows.toLocaleString('en-US')} bulk rows`,
  );
  out.push('');
  const rows: string[][] = [];
  for (const scenario of report.scenarios) {
    if (scenario.skipped) {
      const label = `${scenario.number}. ${scenario.id}`;
      rows.push([label, '–', '–', '–', '–', '–', '–', '–', '–', `skipped: ${scenario.skipped}`]);
      continue;
    }
    for (const row of scenario.rows) rows.push(rowCells(scenario, row));
  }
  out.push(
    ...table(
      [
        'scenario',
        'variant',
        'ops/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'retries / conflicts',
        'oversold',
        'ledger',
        'notes',
      ],
      [false, false, true, true, true, true, true, true, false, false],
      rows,
    ),
  );
  const ratios = report.scenarios.flatMap((scenario) =>
    scenario.ratios.map((ratio) => [
      `${scenario.number}. ${scenario.id}`,
      ratio.label,
      ratio.value === null ? '–' : `${ratio.value.toFixed(2)}×`,
    ]),
  );
  if (ratios.length > 0) {
    out.push('');
    out.push(...table(['scenario', 'ratio (same run)', 'value'], [false, false, true], ratios));
  }
  out.push('');
  const c = report.correctness;
  out.push(
    c.failures.length === 0
      ? `Correctness: ${c.oversoldUnits} oversold units and ${c.ledgerMismatches} ledger mismatches over ${c.variantsChecked} variants that ran; every check passed.`
      : `Correctness: FAILED — ${c.oversoldUnits} oversold units, ${c.ledgerMismatches} ledger mismatches over ${c.variantsChecked} variants:\n${c.failures.map((failure) => `- ${failure}`).join('\n')}`,
  );
  const notes = report.scenarios.filter((scenario) => scenario.notes.length > 0);
  if (notes.length > 0) {
    out.push('');
    for (const scenario of notes) {
      out.push(
        `${scenario.number}. ${scenario.title} (load ${scenario.load.before} → ${scenario.load.after}, ${scenario.seconds.toFixed(0)} s)`,
      );
      for (const note of scenario.notes) out.push(`   - ${note}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/**
 * Writes `<timestamp>.json` and `.md`, and the same as `latest.json` / `latest.md`
 * (quick runs: `<timestamp>-quick.*` and `latest-quick.*`, so a smoke run never replaces the
 * full run's numbers). Returns the paths written.
 */
export async function writeResults(
  options: BenchOptions,
  report: RunReport,
  markdown: string,
): Promise<string[]> {
  await mkdir(options.resultsDirectory, { recursive: true });
  const stamp = report.date.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z');
  const suffix = report.quick ? '-quick' : '';
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const written: string[] = [];
  for (const base of [`${stamp}${suffix}`, `latest${suffix}`]) {
    const jsonPath = join(options.resultsDirectory, `${base}.json`);
    const markdownPath = join(options.resultsDirectory, `${base}.md`);
    await writeFile(jsonPath, json);
    await writeFile(markdownPath, markdown);
    written.push(jsonPath, markdownPath);
  }
  return written;
}
