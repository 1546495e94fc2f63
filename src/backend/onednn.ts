/**
 * TensorFlow's oneDNN optimisations (TF_ENABLE_ONEDNN_OPTS) on the native backend.
 *
 * On some CPUs a oneDNN convolution dies with SIGFPE (an integer divide-by-zero seen on AVX-512 AMD
 * EPYC machines, for the shipped encoder's 1×1 conv_pw_12), which takes the whole process down. Where
 * they run, they are faster for training and decoding (runs/onednn/README.md has the measurements), so
 * the choice is: the user's own TF_ENABLE_ONEDNN_OPTS if set (either value, never overridden); else
 * on where this CPU passes the native check (native-check.ts), else off where it passes, else no native.
 * TensorFlow reads the variable when its library loads, so it is set, if at all, just before that.
 */

export const ONEDNN_ENV = 'TF_ENABLE_ONEDNN_OPTS';

/** A value to run TensorFlow with: '1'/'0' as we set it, the user's own text, or undefined = TF's default. */
export type OneDnnValue = string | undefined;

/** The settings to try, best first. */
export function oneDnnCandidates(env: NodeJS.ProcessEnv, tensorflowLoaded: boolean): OneDnnValue[] {
  const own = env[ONEDNN_ENV];
  if (own !== undefined && own !== '') return [own];
  // Already loaded by the host: its setting (TensorFlow's default) is what runs; nothing to choose.
  if (tensorflowLoaded) return [undefined];
  return ['1', '0'];
}

/** TensorFlow's reading of the variable: '0' / 'false' turn oneDNN off; unset or anything else leaves it on (x86). */
export function describeOneDnn(value: OneDnnValue): string {
  const off = value !== undefined && ['0', 'false'].includes(value.trim().toLowerCase());
  return `oneDNN ${off ? 'off' : 'on'}`;
}
