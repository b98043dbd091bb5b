import type { Environment } from './environment.js';
import type { LatencySummary } from './measure.js';
import type { BenchOptions } from './options.js';

/** One line of the results table: one variant of one scenario. */
export interface ResultRow {
  readonly variant: string;
  /** Set when the variant could not run (a package not built, a service down). */
  readonly skipped?: string;
  /** Successful operations per second (admitted reservations, checks, imported rows …). */
  readonly opsPerSecond: number | null;
  readonly latency: LatencySummary | null;
  /** Requests sent, and how they ended. */
  readonly requests: number;
  readonly outcomes: Readonly<Record<string, number>>;
  /** Retries and conflicts as the library counts them (or the raw loop's own count); null: n/a. */
  readonly retries: number | null;
  readonly conflicts: number | null;
  /** Units granted beyond the stock there was; must be 0. null when the variant sells nothing. */
  readonly oversold: number | null;
  /** Ledger replay (and reserved = Σ active holds): `ok`, `mismatch` or `n/a`. */
  readonly ledger: 'ok' | 'mismatch' | 'n/a';
  /** Scenario-specific numbers (average batch, hit ratio, wrongly refused …). */
  readonly extra: Readonly<Record<string, string | number>>;
  /** Why a correctness check failed; empty when every check passed. */
  readonly failures: readonly string[];
}

/** A ratio the scenario derives from two of its rows measured in the same run. */
export interface Ratio {
  readonly label: string;
  readonly value: number | null;
  readonly note?: string;
}

/** What one scenario reports. */
export interface ScenarioReport {
  readonly id: string;
  readonly number: number;
  readonly title: string;
  /** Set when the whole scenario could not run. */
  readonly skipped?: string;
  readonly rows: readonly ResultRow[];
  readonly ratios: readonly Ratio[];
  readonly notes: readonly string[];
  readonly seconds: number;
  /** 1-minute load average before and after the scenario (the machine is shared). */
  readonly load: { readonly before: number; readonly after: number };
}

/** What a scenario gets to run. */
export interface ScenarioContext {
  readonly options: BenchOptions;
  readonly environment: Environment;
  /** A progress line on stderr. */
  log(message: string): void;
}

/** The part of a report a scenario builds itself. */
export type ScenarioOutcome = Pick<ScenarioReport, 'rows' | 'ratios' | 'notes' | 'skipped'>;

/** One benchmark scenario. */
export interface Scenario {
  readonly id: string;
  readonly number: number;
  readonly title: string;
  run(context: ScenarioContext): Promise<ScenarioOutcome>;
}

/** A row for a variant that could not run. */
/**
 * A row that reports one timed pass or step (an import, a reconcile) rather than a crowd of
 * requests: no latency percentiles, no retries or oversold count.
 */
export function timedRow(
  variant: string,
  opsPerSecond: number | null,
  extra: Record<string, string | number>,
  options: { requests?: number; ledger?: ResultRow['ledger']; failures?: string[] } = {},
): ResultRow {
  return {
    variant,
    opsPerSecond,
    latency: null,
    requests: options.requests ?? 0,
    outcomes: {},
    retries: null,
    conflicts: null,
    oversold: null,
    ledger: options.ledger ?? 'n/a',
    extra,
    failures: options.failures ?? [],
  };
}

export function skippedRow(variant: string, reason: string): ResultRow {
  return {
    variant,
    skipped: reason,
    opsPerSecond: null,
    latency: null,
    requests: 0,
    outcomes: {},
    retries: null,
    conflicts: null,
    oversold: null,
    ledger: 'n/a',
    extra: {},
    failures: [],
  };
}
