/**
 * A progress bar on stderr with rate and ETA. On a TTY it redraws one line; otherwise (CI, pipes) it
 * prints a plain line at most every `intervalMs`, so logs stay readable.
 */
export interface ProgressOptions {
  label: string;
  total: number;
  unit?: string;
  stream?: NodeJS.WriteStream;
  intervalMs?: number;
  enabled?: boolean;
  /** Units already done before this run (a resumed job): counted in the bar, not in the rate. */
  initial?: number;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export class ProgressBar {
  private done: number;
  private readonly initial: number;
  private readonly start = Date.now();
  private lastDraw = 0;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly enabled: boolean;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
    this.enabled = options.enabled ?? true;
    this.initial = options.initial ?? 0;
    this.done = this.initial;
  }

  /** Advances by `n` and redraws if due; `extra` is appended (e.g. "loss 2.31"). */
  tick(n = 1, extra = ''): void {
    this.done += n;
    this.draw(extra, false);
  }

  finish(extra = ''): void {
    this.draw(extra, true);
    if (this.enabled && this.tty) this.stream.write('\n');
  }

  line(extra = ''): string {
    const { label, total, unit = 'it' } = this.options;
    const elapsed = (Date.now() - this.start) / 1000;
    const rate = (this.done - this.initial) / Math.max(elapsed, 1e-9);
    const eta = rate > 0 ? (total - this.done) / rate : Infinity;
    const frac = total > 0 ? Math.min(1, this.done / total) : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const pct = `${(frac * 100).toFixed(1)}%`.padStart(6);
    return `${label} ${bar} ${pct} ${this.done}/${total} ${rate.toFixed(rate < 10 ? 2 : 0)} ${unit}/s ETA ${formatDuration(eta)}${extra ? ` ${extra}` : ''}`;
  }

  private draw(extra: string, force: boolean): void {
    if (!this.enabled) return;
    const now = Date.now();
    const interval = this.options.intervalMs ?? (this.tty ? 100 : 10_000);
    if (!force && now - this.lastDraw < interval) return;
    this.lastDraw = now;
    const text = this.line(extra);
    this.stream.write(this.tty ? `\r\x1b[2K${text}` : `${text}\n`);
  }
}
