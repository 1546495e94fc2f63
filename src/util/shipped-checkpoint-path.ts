/** Where the model that ships inside the package lives (checkpoints/everyday; see checkpoint/shipped.ts). */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHIPPED_CHECKPOINT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'checkpoints', 'everyday');
