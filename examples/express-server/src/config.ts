import { resolve } from 'node:path';
import { z } from 'zod';
import { type ApiKeyEntry, ROLES, type Role } from './auth.js';
import { type KeyBindings, parseKeyBindings } from './channel-access.js';
import { DEFAULT_SCHEDULES, type ScheduledJob, scheduleProblem } from './job-schedule.js';

/** Where stock lives. */
export type DatabaseConfig =
  | { readonly kind: 'sqlite'; readonly filename: string }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly readUrl: string | undefined;
      readonly schema: string | undefined;
    }
  | { readonly kind: 'memory' };

/** The Redis deployment, if any. */
export type RedisConfig =
  | { readonly kind: 'single'; readonly url: string }
  | { readonly kind: 'cluster'; readonly nodes: readonly { host: string; port: number }[] };

/** The server's configuration, validated. */
export interface Config {
  readonly port: number;
  readonly host: string | undefined;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly redis: RedisConfig | undefined;
  readonly redisPrefix: string;
  readonly kafka: { readonly brokers: readonly string[]; readonly clientId: string } | undefined;
  /** Configured keys; empty means "generate an admin key in the data directory". */
  readonly apiKeys: readonly ApiKeyEntry[];
  /** `STOCKROOM_KEY_CHANNELS`: keys bound to a sales channel and/or a display strategy. */
  readonly keyBindings: KeyBindings;
  readonly reservations: {
    readonly defaultTtlSeconds: number;
    readonly maxLifetimeSeconds: number;
  };
  /** Requests per minute per API key; 0 turns limiting off. */
  readonly rateLimitPerMinute: number;
  /** Load the demo data at start when the store is empty. */
  readonly demo: boolean;
  /** Run the background jobs on their schedules (the run-now endpoint works either way). */
  readonly jobs: boolean;
  /** Let the daily reconciliation repair the discrepancies it finds. */
  readonly reconcileRepair: boolean;
  /** When each job runs: cron expressions read in UTC. */
  readonly schedules: Readonly<Record<ScheduledJob, string>>;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly shutdownTimeoutMs: number;
}

/** The configuration is invalid; `issues` says what to fix, one line per variable. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Where the cross-variable checks report a problem. */
interface IssueSink {
  addIssue(issue: { readonly code: 'custom'; readonly message: string }): void;
}

const flag = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((value) => ['', '0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(value), {
      message: `${name} must be 1/0, true/false, yes/no or on/off`,
    })
    .transform((value) => ['1', 'true', 'yes', 'on'].includes(value));

const integer = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^[0-9]+$/, { message: `${name} must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .refine((value) => value >= min && value <= max, {
      message: `${name} must be a whole number from ${min} to ${max}`,
    });

/** The variable holding a job's schedule: `STOCKROOM_SCHEDULE_LOW_STOCK` for `low-stock`. */
export function scheduleVariable(job: ScheduledJob): string {
  return `STOCKROOM_SCHEDULE_${job.toUpperCase().replaceAll('-', '_')}`;
}

const schedule = (job: ScheduledJob) =>
  z
    .string()
    .trim()
    .superRefine((value, context) => {
      const problem = scheduleProblem(value);
      if (problem) {
        context.addIssue({
          code: 'custom',
          message: `${scheduleVariable(job)} must be a cron expression such as "${DEFAULT_SCHEDULES[job]}" (${problem})`,
        });
      }
    })
    .default(DEFAULT_SCHEDULES[job]);

const SCHEDULE_FIELDS = Object.fromEntries(
  (Object.keys(DEFAULT_SCHEDULES) as ScheduledJob[]).map((job) => [
    scheduleVariable(job),
    schedule(job),
  ]),
) as Record<`STOCKROOM_SCHEDULE_${string}`, ReturnType<typeof schedule>>;

const keyPattern = /^[\x21-\x2b\x2d-\x7e]{16,256}$/;

function parseApiKeys(text: string, context: IssueSink): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = [];
  const seen = new Set<string>();
  for (const [index, raw] of text.split(',').entries()) {
    const item = raw.trim();
    if (item === '') continue;
    const separator = item.lastIndexOf(':');
    const key = separator > 0 ? item.slice(0, separator) : item;
    const role = separator > 0 ? item.slice(separator + 1) : '';
    const fail = (message: string) =>
      context.addIssue({
        code: 'custom',
        message: `STOCKROOM_API_KEYS entry ${index + 1}: ${message} (expected key:role, e.g. "my-long-secret-key-1:admin")`,
      });
    if (!ROLES.includes(role as Role)) fail(`role must be one of ${ROLES.join(', ')}`);
    else if (!keyPattern.test(key)) fail('a key is 16–256 visible ASCII characters without commas');
    else if (seen.has(key)) fail('the same key appears twice');
    else {
      seen.add(key);
      entries.push({ key, role: role as Role });
    }
  }
  return entries;
}

function keyBindings(text: string, context: IssueSink): KeyBindings {
  const parsed = parseKeyBindings(text);
  if (typeof parsed !== 'string') return parsed;
  context.addIssue({ code: 'custom', message: `STOCKROOM_KEY_CHANNELS ${parsed}` });
  return new Map();
}

function parseDatabase(
  url: string | undefined,
  dataDir: string,
  readUrl: string | undefined,
  schema: string | undefined,
  context: IssueSink,
): DatabaseConfig {
  if (url === undefined || url === '') {
    if (readUrl) {
      context.addIssue({
        code: 'custom',
        message: 'DATABASE_READ_URL needs a postgres:// DATABASE_URL',
      });
    }
    return { kind: 'sqlite', filename: resolve(dataDir, 'stockroom.db') };
  }
  if (url === 'memory:') return { kind: 'memory' };
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '')
      context.addIssue({
        code: 'custom',
        message: 'DATABASE_URL sqlite: needs a file path (sqlite:./data/stock.db)',
      });
    return { kind: 'sqlite', filename: resolve(path) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    if (readUrl !== undefined && readUrl !== '' && !/^postgres(ql)?:\/\//.test(readUrl)) {
      context.addIssue({ code: 'custom', message: 'DATABASE_READ_URL must be a postgres:// URL' });
    }
    return { kind: 'postgres', url, readUrl: readUrl || undefined, schema: schema || undefined };
  }
  context.addIssue({
    code: 'custom',
    message:
      'DATABASE_URL must be unset (SQLite in the data directory), postgres://…, sqlite:<file> or memory:',
  });
  return { kind: 'memory' };
}

function parseRedis(
  url: string | undefined,
  nodes: string | undefined,
  context: IssueSink,
): RedisConfig | undefined {
  if (url && nodes) {
    context.addIssue({ code: 'custom', message: 'set REDIS_URL or REDIS_CLUSTER_NODES, not both' });
    return undefined;
  }
  if (url) {
    if (!/^rediss?:\/\//.test(url))
      context.addIssue({ code: 'custom', message: 'REDIS_URL must be redis://… or rediss://…' });
    return { kind: 'single', url };
  }
  if (nodes) {
    const parsed = nodes
      .split(',')
      .map((node) => node.trim())
      .filter(Boolean)
      .map((node) => {
        const match = /^(.+):([0-9]{1,5})$/.exec(node);
        if (!match) {
          context.addIssue({
            code: 'custom',
            message: `REDIS_CLUSTER_NODES: "${node}" is not host:port`,
          });
          return { host: node, port: 0 };
        }
        return { host: match[1]!, port: Number(match[2]) };
      });
    return { kind: 'cluster', nodes: parsed };
  }
  return undefined;
}

/** Each variable's own rule, checked independently so every problem is reported at once. */
const ENV_FIELDS = {
  PORT: integer('PORT', 0, 65_535).default(3000),
  HOST: z.string().trim().optional(),
  STOCKROOM_DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: z.string().trim().optional(),
  DATABASE_READ_URL: z.string().trim().optional(),
  DATABASE_SCHEMA: z
    .string()
    .trim()
    .regex(/^([a-z_][a-z0-9_]{0,62})?$/, {
      message: 'DATABASE_SCHEMA must be a lower-case SQL identifier',
    })
    .optional(),
  REDIS_URL: z.string().trim().optional(),
  REDIS_CLUSTER_NODES: z.string().trim().optional(),
  REDIS_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, {
      message: 'REDIS_PREFIX must be 1–64 of A-Z a-z 0-9 : _ -',
    })
    .default('stockroom'),
  KAFKA_BROKERS: z.string().trim().optional(),
  KAFKA_CLIENT_ID: z.string().trim().min(1).default('stockroom'),
  STOCKROOM_API_KEYS: z.string().optional(),
  STOCKROOM_KEY_CHANNELS: z.string().optional(),
  STOCKROOM_RESERVATION_TTL_SECONDS: integer(
    'STOCKROOM_RESERVATION_TTL_SECONDS',
    1,
    86_400,
  ).default(600),
  STOCKROOM_MAX_RESERVATION_SECONDS: integer(
    'STOCKROOM_MAX_RESERVATION_SECONDS',
    1,
    86_400,
  ).default(3600),
  STOCKROOM_RATE_LIMIT_PER_MINUTE: integer(
    'STOCKROOM_RATE_LIMIT_PER_MINUTE',
    0,
    10_000_000,
  ).default(6000),
  STOCKROOM_DEMO: flag('STOCKROOM_DEMO').default(false),
  STOCKROOM_JOBS: flag('STOCKROOM_JOBS').default(true),
  STOCKROOM_RECONCILE_REPAIR: flag('STOCKROOM_RECONCILE_REPAIR').default(false),
  ...SCHEDULE_FIELDS,
  STOCKROOM_SHUTDOWN_TIMEOUT_MS: integer('STOCKROOM_SHUTDOWN_TIMEOUT_MS', 0, 600_000).default(
    10_000,
  ),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
};

type Env = { [K in keyof typeof ENV_FIELDS]: z.output<(typeof ENV_FIELDS)[K]> };

/** The configuration from variables that each passed their own rule; checks across variables. */
function toConfig(env: Env, context: IssueSink): Config {
  const dataDir = resolve(env.STOCKROOM_DATA_DIR);
  if (env.STOCKROOM_RESERVATION_TTL_SECONDS > env.STOCKROOM_MAX_RESERVATION_SECONDS) {
    context.addIssue({
      code: 'custom',
      message:
        'STOCKROOM_RESERVATION_TTL_SECONDS must not exceed STOCKROOM_MAX_RESERVATION_SECONDS',
    });
  }
  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  for (const broker of brokers) {
    if (!/^[^:\s]+:[0-9]{1,5}$/.test(broker)) {
      context.addIssue({
        code: 'custom',
        message: `KAFKA_BROKERS: "${broker}" is not host:port`,
      });
    }
  }
  return {
    port: env.PORT,
    host: env.HOST || undefined,
    dataDir,
    database: parseDatabase(
      env.DATABASE_URL,
      dataDir,
      env.DATABASE_READ_URL,
      env.DATABASE_SCHEMA,
      context,
    ),
    redis: parseRedis(env.REDIS_URL || undefined, env.REDIS_CLUSTER_NODES || undefined, context),
    redisPrefix: env.REDIS_PREFIX,
    kafka: brokers.length > 0 ? { brokers, clientId: env.KAFKA_CLIENT_ID } : undefined,
    apiKeys: parseApiKeys(env.STOCKROOM_API_KEYS ?? '', context),
    keyBindings: keyBindings(env.STOCKROOM_KEY_CHANNELS ?? '', context),
    reservations: {
      defaultTtlSeconds: env.STOCKROOM_RESERVATION_TTL_SECONDS,
      maxLifetimeSeconds: env.STOCKROOM_MAX_RESERVATION_SECONDS,
    },
    rateLimitPerMinute: env.STOCKROOM_RATE_LIMIT_PER_MINUTE,
    demo: env.STOCKROOM_DEMO,
    jobs: env.STOCKROOM_JOBS,
    reconcileRepair: env.STOCKROOM_RECONCILE_REPAIR,
    schedules: Object.fromEntries(
      (Object.keys(DEFAULT_SCHEDULES) as ScheduledJob[]).map((job) => [
        job,
        (env as Record<string, unknown>)[scheduleVariable(job)] as string,
      ]),
    ) as Record<ScheduledJob, string>,
    logLevel: env.LOG_LEVEL,
    shutdownTimeoutMs: env.STOCKROOM_SHUTDOWN_TIMEOUT_MS,
  };
}

const english = z.locales.en().localeError;

/** zod's own message for an issue, prefixed with the variable it is about. */
function withVariableName(issue: Parameters<typeof english>[0]): string {
  const text = english(issue);
  const message = typeof text === 'string' ? text : (text?.message ?? 'is invalid');
  const variable = issue.path?.join('.') ?? '';
  return variable === '' ? message : `${variable}: ${message}`;
}

/**
 * Reads and validates the configuration from environment variables.
 * @throws ConfigError listing every problem, one line each
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Config {
  // An empty variable means "unset", as shells and compose files often leave them.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  // Our own messages name their variable already; zod's built-in ones get it prefixed here.
  // Every variable is checked on its own, then the checks across variables run on those that
  // passed (a variable that failed counts as unset there), so one run reports every problem.
  const issues: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(ENV_FIELDS)) {
    const result = (schema as z.ZodType).safeParse(present[name], {
      error: (issue) => withVariableName({ ...issue, path: [name, ...(issue.path ?? [])] }),
    });
    if (result.success) {
      values[name] = result.data;
    } else {
      issues.push(...result.error.issues.map((issue) => issue.message));
      values[name] = (schema as z.ZodType).safeParse(undefined).data;
    }
  }
  const config = toConfig(values as Env, {
    addIssue: (issue) => issues.push(issue.message),
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}
