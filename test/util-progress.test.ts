/** The progress bar off a terminal (CI logs, pipes): plain whole lines, rate-limited, a final line. */
import { describe, expect, it, vi } from 'vitest';
import { ProgressBar } from '../src/util/progress.js';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const stream = { isTTY, write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => out };
}

describe('ProgressBar', () => {
  it('off a TTY: one plain line per interval (no carriage returns or escapes), and one at the end', () => {
    vi.useFakeTimers();
    try {
      const { stream, text } = fakeStream(false);
      const bar = new ProgressBar({ label: 'epoch 1/2', total: 10, unit: 'batch', stream, intervalMs: 1000 });
      bar.tick(1, 'loss 3.000'); // first tick draws
      for (let i = 0; i < 3; i++) {
        vi.advanceTimersByTime(100);
        bar.tick(1); // within the interval: nothing
      }
      vi.advanceTimersByTime(1000);
      bar.tick(1, 'loss 2.500');
      bar.finish('done');
      const lines = text().split('\n');
      expect(lines.at(-1)).toBe(''); // every line ends with \n
      const shown = lines.slice(0, -1);
      expect(shown).toHaveLength(3);
      // eslint-disable-next-line no-control-regex -- no escape sequence may reach a log file
      expect(text()).not.toMatch(/[\r\x1b]/);
      expect(shown[0]).toMatch(/^epoch 1\/2 .* 1\/10 .* batch\/s ETA .* loss 3\.000$/);
      expect(shown[1]).toMatch(/ 5\/10 .* loss 2\.500$/);
      expect(shown[2]).toMatch(/ 50\.0% 5\/10 /);
      expect(shown[2]).toMatch(/ 5\/10 .* done$/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('on a TTY: redraws one line in place, ends with a newline', () => {
    const { stream, text } = fakeStream(true);
    const bar = new ProgressBar({ label: 'x', total: 2, stream, intervalMs: 0 });
    bar.tick();
    bar.tick();
    bar.finish();
    expect(text().split('\r\x1b[2K').length).toBe(4);
    expect(text().endsWith('\n')).toBe(true);
    expect(text().split('\n')).toHaveLength(2);
  });

  it('disabled: writes nothing; a resumed bar counts earlier units but not in its rate', () => {
    const off = fakeStream(false);
    const bar = new ProgressBar({ label: 'x', total: 5, stream: off.stream, enabled: false });
    bar.tick();
    bar.finish();
    expect(off.text()).toBe('');
    const resumed = new ProgressBar({ label: 'x', total: 10, stream: fakeStream(false).stream, initial: 6 });
    expect(resumed.line()).toMatch(/ 6\/10 0\.00 it\/s/);
  });
});
