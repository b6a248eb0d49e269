/** Reads a raw AsyncOS output fixture (bytes as saved, CRLF kept). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function fixture(name: string): string {
  return readFileSync(join(__dirname, '../../fixtures/asyncos', name), 'utf8');
}
