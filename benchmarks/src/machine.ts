import { execFile } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { promisify } from 'node:util';
import type { Environment } from './environment.js';

/** Where and on what the numbers were measured. */
export interface MachineInfo {
  readonly cpuCount: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly node: string;
  readonly postgres: string;
  readonly redis: string;
  /** 1-, 5- and 15-minute load averages when the run started. */
  readonly loadAtStart: readonly number[];
}

/** The git commit the run measured, and whether the work tree had changes. */
export interface GitInfo {
  readonly commit: string;
  readonly dirty: boolean;
}

const run = promisify(execFile);

/** Describes the machine and the services' versions. */
export function describeMachine(environment: Environment): MachineInfo {
  const processors = cpus();
  return {
    cpuCount: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${process.platform} ${process.arch}`,
    node: process.version,
    postgres: environment.postgres.version ?? `unavailable (${environment.postgres.unavailable})`,
    redis: environment.redis.version ?? `unavailable (${environment.redis.unavailable})`,
    loadAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

/** The commit of the work tree (unknown outside a git checkout). */
export async function describeGit(directory: string): Promise<GitInfo> {
  try {
    const commit = (await run('git', ['rev-parse', 'HEAD'], { cwd: directory })).stdout.trim();
    const status = (await run('git', ['status', '--porcelain'], { cwd: directory })).stdout;
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

/** The 1-minute load average now. */
export function loadNow(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}
