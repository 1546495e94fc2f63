/**
 * Where encoder weights come from when a command is not told: `--mobilenet DIR|URL`, else the
 * CAPTION_MOBILENET env var, else (undefined) the variant's online copy, cached after one download.
 * Every command that loads an encoder asks here (caption, extract-features, bench, the API).
 */
export const MOBILENET_ENV = 'CAPTION_MOBILENET';

export function weightsSource(flag: string | undefined): string | undefined {
  return flag ?? (process.env[MOBILENET_ENV] || undefined);
}

/** The `--mobilenet` flag as every command declares it. */
export const MOBILENET_OPTION = {
  type: 'string',
  describe: `encoder weights: a local folder (model.json + shards) or a URL [default: $${MOBILENET_ENV}, else the variant's online copy, downloaded once into the cache]`,
} as const;
