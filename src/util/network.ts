/**
 * Network loads the caller controls: an AbortSignal, a timeout, and progress (transformers.js's
 * progress_callback, reduced to bytes), and failures that say what failed — DNS, connection refused,
 * TLS, an HTTP status, a timeout or an abort — with the underlying error kept as `cause`.
 */
import { concatBytes } from './bytes.js';

export interface NetworkOptions {
  /** Aborts every request of the load. */
  signal?: AbortSignal | undefined;
  /** Gives up on each request after this many milliseconds. */
  timeoutMs?: number | undefined;
  /** Called as bytes arrive: totals over the load so far (`totalBytes` counts the files whose size is known). */
  onProgress?: ((loadedBytes: number, totalBytes: number | undefined, url: string) => void) | undefined;
}

/** Why a fetch failed, in a few words, from the error and its cause chain. */
export function describeFetchFailure(err: unknown, o: NetworkOptions = {}): string {
  const names: string[] = [];
  const codes: string[] = [];
  for (let e = err as { name?: string; code?: string; cause?: unknown } | undefined, n = 0; e && n < 5; e = e.cause as typeof e, n++) {
    if (e.name) names.push(e.name);
    if (e.code) codes.push(String(e.code));
  }
  if (names.includes('TimeoutError')) return `timed out after ${((o.timeoutMs ?? 0) / 1000).toFixed(1)} s`;
  if (names.includes('AbortError')) return 'aborted';
  const code = codes.find((c) => c !== 'ERR_INVALID_ARG_TYPE') ?? '';
  if (['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME'].includes(code)) return 'DNS lookup failed: offline?';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'connection timed out: offline?';
  if (/CERT|TLS|SSL|VERIFY|SIGNATURE/.test(code)) return `TLS failed (${code})`;
  return code ? `network error (${code}): offline?` : 'offline?';
}

/** The signal for one request: the caller's, and the timeout. */
export function requestSignal(o: NetworkOptions): AbortSignal | undefined {
  const parts = [o.signal, o.timeoutMs !== undefined ? AbortSignal.timeout(o.timeoutMs) : undefined].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : AbortSignal.any(parts);
}

/** Running byte totals for one load, shared by its requests. */
export class ProgressCounter {
  private loaded = 0;
  private total = 0;
  private totalKnown = true;
  constructor(private readonly report?: NetworkOptions['onProgress']) {}

  /** The body's bytes, reported as they arrive. */
  async read(response: Response, url: string): Promise<Uint8Array> {
    if (!this.report || !response.body) return new Uint8Array(await response.arrayBuffer());
    const size = Number(response.headers.get('content-length'));
    if (Number.isFinite(size) && size > 0) this.total += size;
    else this.totalKnown = false;
    const chunks: Uint8Array[] = [];
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      this.loaded += value.byteLength;
      this.report(this.loaded, this.totalKnown ? this.total : undefined, url);
    }
    return concatBytes(chunks);
  }
}
