/** The scores validation and `evaluate` report, by name (what `--select-by` may pick). */
export const METRIC_NAMES = ['BLEU-1', 'BLEU-2', 'BLEU-3', 'BLEU-4', 'CIDEr-D', 'ROUGE-L', 'ExactMatch'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
