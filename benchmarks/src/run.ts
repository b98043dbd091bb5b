// npm run bench [-- --quick] [-- --scenario=1,3]: runs the scenarios, prints the markdown table,
// writes results/, and exits non-zero when a correctness check failed or a scenario crashed.
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { describe, probeEnvironment } from './environment.js';
import { describeGit, describeMachine, loadNow } from './machine.js';
import { parseOptions } from './options.js';
import { correctnessOf, type RunReport, renderMarkdown, writeResults } from './report.js';
import type { ScenarioContext, ScenarioReport } from './scenario.js';
import { SCENARIOS } from './scenarios/index.js';

async function main(): Promise<number> {
  const started = performance.now();
  const options = parseOptions(process.argv.slice(2));
  const log = (message: string) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[${seconds}s] ${message}\n`);
  };
  const environment = await probeEnvironment(options);
  const machine = describeMachine(environment);
  const git = await describeGit(fileURLToPath(new URL('.', import.meta.url)));
  log(
    `stockroom benchmarks${options.quick ? ' (quick)' : ''}: ${machine.cpuCount} CPUs, Node ${machine.node}, PostgreSQL ${machine.postgres}, Redis ${machine.redis}, load ${machine.loadAtStart.join(' / ')}`,
  );
  const errors: string[] = [];
  if (process.env.CI === 'true') {
    for (const state of [environment.postgres, environment.redis]) {
      if (state.unavailable) errors.push(`${state.unavailable} (CI=true needs every service)`);
    }
  }
  const selected = SCENARIOS.filter(
    (scenario) =>
      !options.scenarios ||
      options.scenarios.has(scenario.id) ||
      options.scenarios.has(String(scenario.number)),
  );
  if (selected.length === 0) throw new RangeError('--scenario matched no scenario (see --help)');
  const context: ScenarioContext = { options, environment, log };
  const reports: ScenarioReport[] = [];
  for (const scenario of selected) {
    const begin = performance.now();
    const loadBefore = loadNow();
    log(`${scenario.number}. ${scenario.title}`);
    const base = { id: scenario.id, number: scenario.number, title: scenario.title };
    try {
      const outcome = await scenario.run(context);
      if (outcome.skipped) log(`${scenario.id}: skipped: ${outcome.skipped}`);
      reports.push({
        ...base,
        ...outcome,
        seconds: (performance.now() - begin) / 1000,
        load: { before: loadBefore, after: loadNow() },
      });
    } catch (error) {
      const message = `${scenario.number}. ${scenario.id} crashed: ${describe(error)}`;
      log(message);
      if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      errors.push(message);
      reports.push({
        ...base,
        skipped: `crashed: ${describe(error)}`,
        rows: [],
        ratios: [],
        notes: [],
        seconds: (performance.now() - begin) / 1000,
        load: { before: loadBefore, after: loadNow() },
      });
    }
  }
  const correctness = correctnessOf(reports);
  const report: RunReport = {
    date: new Date().toISOString(),
    quick: options.quick,
    wallSeconds: (performance.now() - started) / 1000,
    settings: {
      durationSeconds: options.durationMs / 1000,
      rounds: options.rounds,
      maxRequestsPerRound: options.maxRequestsPerRound,
      concurrency: options.concurrency,
      poolSize: options.poolSize,
      sellOutUnits: options.sellOutUnits,
      coldSkus: options.coldSkus,
      checkSkus: options.checkSkus,
      bulkRows: options.bulkRows,
    },
    machine,
    git,
    scenarios: reports,
    correctness: { ...correctness, failures: [...correctness.failures, ...errors] },
  };
  const markdown = renderMarkdown(report);
  process.stdout.write(`\n${markdown}`);
  if (options.write) {
    const written = await writeResults(options, report, markdown);
    log(`wrote ${written.join(', ')}`);
  }
  return report.correctness.failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);
