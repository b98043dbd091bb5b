/** A held lease on a named job. */
export interface Lease {
  readonly name: string;
  /** Unique to this holder; release and renew act only while the token still matches. */
  readonly token: string;
  /** Extends the lease by `ttlMs`; false when it was lost (expired and taken by another). */
  renew(ttlMs: number): Promise<boolean>;
  /** Gives the lease up, if still held. */
  release(): Promise<void>;
}

/** "Only one instance runs this job now": a named lease with a time to live. */
export interface JobLease {
  /** The lease, or null when another holder has it. */
  acquire(name: string, ttlMs: number): Promise<Lease | null>;
}
