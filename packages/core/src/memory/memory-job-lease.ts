import type { Clock } from '../ports/clock.js';
import { systemClock } from '../ports/clock.js';
import type { JobLease, Lease } from '../ports/job-lease.js';

/** Leases inside one process: enough for a single server instance and for tests. */
export class MemoryJobLease implements JobLease {
  private readonly held = new Map<string, { token: string; until: number }>();
  private counter = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  async acquire(name: string, ttlMs: number): Promise<Lease | null> {
    const now = this.clock.now().getTime();
    const current = this.held.get(name);
    if (current && current.until > now) return null;
    this.counter += 1;
    const token = `${now}-${this.counter}`;
    this.held.set(name, { token, until: now + ttlMs });
    return {
      name,
      token,
      renew: async (renewMs) => {
        const entry = this.held.get(name);
        const at = this.clock.now().getTime();
        if (entry?.token !== token || entry.until <= at) return false;
        entry.until = at + renewMs;
        return true;
      },
      release: async () => {
        if (this.held.get(name)?.token === token) this.held.delete(name);
      },
    };
  }
}
