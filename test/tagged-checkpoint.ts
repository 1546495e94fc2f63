/** A test checkpoint given a tagger: its two files written, and tags turned on in its decoding.json. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export async function giveTagger(
  dir: string,
  tagger: { json: string; bin: Uint8Array },
  tags: { threshold: number; margin: number },
): Promise<void> {
  await fs.writeFile(path.join(dir, 'tagger.json'), tagger.json);
  await fs.writeFile(path.join(dir, 'tagger.bin'), tagger.bin);
  const decoding = JSON.parse(await fs.readFile(path.join(dir, 'decoding.json'), 'utf8')) as Record<string, unknown>;
  await fs.writeFile(path.join(dir, 'decoding.json'), JSON.stringify({ ...decoding, tags }));
}
