/** What a progress report shows. */
export interface ProgressState {
  /** Rows (or items) done so far. */
  readonly done: number;
  /** 0…1 when the total is known (bytes read of a file's size), else undefined. */
  readonly fraction?: number;
  /** Rows that failed so far. */
  readonly failed?: number;
}

/** Where a progress line goes: a bar redrawn in place on a TTY, plain lines otherwise. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): boolean;
}

/**
 * Progress of a long command, on stderr so `--json` output on stdout stays clean. On a TTY a bar
 * is redrawn at most 10 times a second; otherwise one plain line every `intervalMs` (and every
 * tenth of the work when the total is known), so logs of a CI job show it moving.
 */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private lastTenth = -1;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly stream: ProgressStream,
    private readonly options: { readonly enabled?: boolean; readonly intervalMs?: number } = {},
  ) {}

  /** Reports the current state (cheap to call often). */
  update(state: ProgressState): void {
    if (this.options.enabled === false) return;
    const now = Date.now();
    if (this.stream.isTTY) {
      if (now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.stream.write(`\r${this.bar(state)}\x1b[K`);
      this.drawn = true;
      return;
    }
    const tenth = state.fraction === undefined ? -1 : Math.floor(state.fraction * 10);
    if (now - this.lastDraw >= (this.options.intervalMs ?? 5000) || tenth > this.lastTenth) {
      this.lastDraw = now;
      if (tenth > this.lastTenth) this.lastTenth = tenth;
      this.stream.write(`${this.line(state)}\n`);
    }
  }

  /** Prints the final state and ends the bar's line. */
  finish(state: ProgressState): void {
    if (this.options.enabled === false) return;
    if (this.stream.isTTY) {
      this.stream.write(`\r${this.bar({ ...state, fraction: 1 })}\x1b[K\n`);
    } else {
      this.stream.write(`${this.line({ ...state, fraction: 1 })} done\n`);
    }
    this.drawn = false;
  }

  /** Ends a half-drawn bar before other output (an error message). */
  interrupt(): void {
    if (this.drawn && this.stream.isTTY) this.stream.write('\n');
    this.drawn = false;
  }

  private rate(done: number): string {
    const seconds = (Date.now() - this.started) / 1000;
    return seconds > 0 ? `${Math.round(done / seconds).toLocaleString('en')}/s` : '';
  }

  private counts(state: ProgressState): string {
    const failed = state.failed ? `, ${state.failed.toLocaleString('en')} failed` : '';
    return `${state.done.toLocaleString('en')} rows${failed}`;
  }

  private line(state: ProgressState): string {
    const percent = state.fraction === undefined ? '' : ` ${Math.floor(state.fraction * 100)}%`;
    return `${this.label}:${percent} ${this.counts(state)} (${this.rate(state.done)})`;
  }

  private bar(state: ProgressState): string {
    const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - 60));
    if (state.fraction === undefined) {
      return `${this.label} ${this.counts(state)} ${this.rate(state.done)}`;
    }
    const fraction = Math.min(1, Math.max(0, state.fraction));
    const filled = Math.round(fraction * width);
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${this.counts(state)} ${this.rate(state.done)}`;
  }
}
