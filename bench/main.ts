/**
 * `npm run bench [-- SECTION [options]]`: runs one benchmark section, or all of them in turn.
 * Sections print figures; they never pass or fail on time. Add a section with one line below.
 */
import { cycleBench } from './cycle';
import type { BenchSection } from './harness';
import { parsersBench } from './hostile';
import { inventoryBench } from './inventory';
import { probeBench } from './probe';
import { scaleBench } from './scale';
import { sshBench } from './ssh';
import { startupBench } from './startup';
import { synthBench } from './synth';

const SECTIONS: BenchSection[] = [
  probeBench,
  sshBench,
  parsersBench,
  cycleBench,
  scaleBench,
  synthBench,
  inventoryBench,
  startupBench,
];

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h') {
    process.stdout.write(`usage: npm run bench [-- SECTION [options]]\nsections:\n`);
    for (const s of SECTIONS) process.stdout.write(`  ${s.name.padEnd(8)} ${s.description}\n`);
    return;
  }
  if (first !== undefined && !first.startsWith('-')) {
    const section = SECTIONS.find((s) => s.name === first);
    if (!section) {
      process.stderr.write(
        `unknown section "${first}"; sections: ${SECTIONS.map((s) => s.name).join(', ')}\n`,
      );
      process.exitCode = 3;
      return;
    }
    await section.run(rest);
    return;
  }
  for (const s of SECTIONS) {
    process.stdout.write(`\n=== ${s.name}: ${s.description} ===\n`);
    await s.run(argv);
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
