/**
 * Whether tfjs-node (the native backend) loads here: undefined when it does, else the first line of
 * the reason. Tests that need it skip with that reason, unless CAPTION_REQUIRE_NATIVE=1 (CI).
 */
import { defaultInitializers } from '../src/backend/select.js';

export async function nativeUnavailable(): Promise<string | undefined> {
  try {
    await defaultInitializers.tensorflow();
    return undefined;
  } catch (err) {
    return String((err as Error).message).split('\n')[0];
  }
}

export const NATIVE_REQUIRED = process.env['CAPTION_REQUIRE_NATIVE'] === '1';
