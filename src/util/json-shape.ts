/**
 * Checks a JSON value the project reads back (train state, metrics, feature headers…) against the
 * shape it must have, so a corrupt or hand-edited file is one line naming the file and the field,
 * never an internal error later. Shapes are plain data: 'int', 'number', 'string', 'boolean', 'any',
 * a nested object of shapes, `arrayOf(shape)`, `recordOf(shape)`, `optional(shape)`, `nullable(shape)`.
 */
import { FileInputError } from './user-error.js';

export type Shape =
  | 'int'
  | 'number'
  | 'string'
  | 'boolean'
  | 'any'
  | { readonly [field: string]: Shape }
  | { readonly kind: 'array' | 'record' | 'optional' | 'nullable'; readonly of: Shape };

type Wrapped = { readonly kind: 'array' | 'record' | 'optional' | 'nullable'; readonly of: Shape };
export const arrayOf = (of: Shape): Wrapped => ({ kind: 'array', of });
export const recordOf = (of: Shape): Wrapped => ({ kind: 'record', of });
export const optional = (of: Shape): Wrapped => ({ kind: 'optional', of });
export const nullable = (of: Shape): Wrapped => ({ kind: 'nullable', of });

const isWrapped = (s: Shape): s is Wrapped => typeof s === 'object' && typeof (s as Wrapped).kind === 'string' && 'of' in s;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first place where `value` does not have `shape`, as "field: problem", or undefined. */
export function shapeProblem(value: unknown, shape: Shape, at = ''): string | undefined {
  const where = at || 'the file';
  if (typeof shape === 'string') {
    const ok =
      shape === 'any' ||
      (shape === 'int' && Number.isInteger(value)) ||
      (shape === 'number' && typeof value === 'number') ||
      (shape === 'string' && typeof value === 'string') ||
      (shape === 'boolean' && typeof value === 'boolean');
    return ok
      ? undefined
      : `${where} must be ${shape === 'int' ? 'an integer' : `a ${shape}`}, found ${JSON.stringify(value) ?? 'nothing'}`;
  }
  if (isWrapped(shape)) {
    if (shape.kind === 'optional') return value === undefined ? undefined : shapeProblem(value, shape.of, at);
    if (shape.kind === 'nullable') return value === null ? undefined : shapeProblem(value, shape.of, at);
    if (shape.kind === 'array') {
      if (!Array.isArray(value)) return `${where} must be an array`;
      for (let i = 0; i < value.length; i++) {
        const p = shapeProblem(value[i], shape.of, `${at}[${i}]`);
        if (p) return p;
      }
      return undefined;
    }
    if (!isObject(value)) return `${where} must be an object`;
    for (const [k, v] of Object.entries(value)) {
      const p = shapeProblem(v, shape.of, at ? `${at}.${k}` : k);
      if (p) return p;
    }
    return undefined;
  }
  if (!isObject(value)) return `${where} must be an object`;
  for (const [k, s] of Object.entries(shape)) {
    const p = shapeProblem(value[k], s, at ? `${at}.${k}` : k);
    if (p) return p;
  }
  return undefined;
}

/** `value` typed as T when it has `shape`; else a FileInputError naming `file` and the bad field. */
export function checkShape<T>(value: unknown, shape: Shape, file: string, what: string): T {
  const problem = shapeProblem(value, shape);
  if (problem) throw new FileInputError(file, `corrupt ${what}: ${problem}`);
  return value as T;
}
