/** The user's cache folder: $CAPTION_CACHE_DIR, else $XDG_CACHE_HOME/attend-caption, else ~/.cache/attend-caption. */
import * as os from 'node:os';
import * as path from 'node:path';

const CACHE_ENV = 'CAPTION_CACHE_DIR';

export function cacheRoot(): string {
  const explicit = process.env[CACHE_ENV];
  if (explicit) return path.resolve(explicit);
  const xdg = process.env['XDG_CACHE_HOME'];
  return path.join(xdg ? path.resolve(xdg) : path.join(os.homedir(), '.cache'), 'attend-caption');
}
