/**
 * Synth benchmark: `cdk synth` of generated fleets (every appliance on SSH with its own secret),
 * timed end to end as an operator runs it (CLI start, YAML inventory, constructs, esbuild bundling
 * of both functions, cdk-nag, the limit checks), then once more in process without bundling to
 * print the figures the limits concern. Figures only: it never passes or fails on time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { stringify } from 'yaml';
import { PROJECT_ROOT } from '../infra/constructs/cycle-function';
import { type CfnTemplate, measureTemplate, type TemplateFigures } from '../infra/limits';
import { CpqMonitorStack } from '../infra/stacks/cpq-monitor-stack';
import { deployableFleet } from './fleet';
import type { BenchSection } from './harness';

interface SynthOptions {
  sizes: number[];
  /** Skip the `cdk synth` CLI run (in-process figures only). */
  inProcessOnly: boolean;
}

function parseArgs(args: string[]): SynthOptions {
  const opts: SynthOptions = { sizes: [100, 1_000, 10_000], inProcessOnly: false };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--in-process-only') opts.inProcessOnly = true;
    else if (args[i] === '--sizes') {
      opts.sizes = String(args[++i] ?? '')
        .split(',')
        .map(Number);
      if (opts.sizes.some((n) => !Number.isInteger(n) || n < 1)) {
        throw new Error('synth bench: --sizes takes appliance counts like 100,1000,10000');
      }
    } else
      throw new Error(`synth bench: unknown option "${args[i]}" (options: --sizes N,N --in-process-only)`);
  }
  return opts;
}

/** CPU seconds (user + system) of this process's waited-for children, from /proc (Linux), else NaN. */
function childrenCpuSeconds(): number {
  try {
    // Fields after the command name: cutime and cstime are the 14th and 15th, in clock ticks (100 Hz).
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * The `cdk synth` CLI on an inventory file: wall time and CPU time in ms (the CPU figure does not
 * grow when other work shares the machine), or the error it printed.
 */
function cliSynth(inventoryFile: string, outdir: string): { ms: number; cpuMs: number } | { error: string } {
  const cpu0 = childrenCpuSeconds();
  const start = process.hrtime.bigint();
  const run = spawnSync(
    path.join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk'),
    ['synth', '-c', `inventory=${inventoryFile}`, '--quiet', '-o', outdir],
    {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpuMs = (childrenCpuSeconds() - cpu0) * 1000;
  return run.status === 0
    ? { ms, cpuMs }
    : { error: (run.stderr || run.stdout).trim().split('\n').slice(-5).join(' / ') };
}

/** In process, bundling skipped: build and synth times and the measured templates. */
function inProcessSynth(
  size: number,
  outdir: string,
): { buildMs: number; synthMs: number; cpuMs: number; templates: (TemplateFigures & { file: string })[] } {
  const cpu = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  new CpqMonitorStack(app, 'CpqMonitor', { inventory: deployableFleet(size), inventorySource: 'generated' });
  const t1 = process.hrtime.bigint();
  const dir = app.synth().directory;
  const t2 = process.hrtime.bigint();
  const used = process.cpuUsage(cpu);
  const templates = readdirSync(dir)
    .filter((f) => f.endsWith('.template.json'))
    .map((file) => {
      const text = readFileSync(path.join(dir, file), 'utf8');
      return { file, ...measureTemplate(JSON.parse(text) as CfnTemplate, text) };
    });
  return {
    buildMs: Number(t1 - t0) / 1e6,
    synthMs: Number(t2 - t1) / 1e6,
    cpuMs: (used.user + used.system) / 1000,
    templates,
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function run(args: string[]): Promise<void> {
  const opts = parseArgs(args);
  const work = mkdtempSync(path.join(tmpdir(), 'cpq-synth-bench-'));
  process.stdout.write(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} cores\n`,
  );
  try {
    for (const size of opts.sizes) {
      const file = path.join(work, `fleet-${size}.yaml`);
      writeFileSync(file, stringify(deployableFleet(size)));
      const cli = opts.inProcessOnly ? undefined : cliSynth(file, path.join(work, `cli-${size}`));
      const local = inProcessSynth(size, path.join(work, `app-${size}`));
      const main = local.templates.find((t) => t.file === 'CpqMonitor.template.json')!;
      const nested = local.templates.filter((t) => t !== main);
      const largestNested = nested.reduce((a, b) => (b.bytes > a.bytes ? b : a), nested[0]!);
      process.stdout.write(
        `${[
          `${fmt(size)} appliances:`,
          cli === undefined
            ? ''
            : 'ms' in cli
              ? `  cdk synth (CLI, bundling, cdk-nag): ${sec(cli.ms)} wall, ${sec(cli.cpuMs)} CPU`
              : `  cdk synth FAILED: ${cli.error}`,
          `  in process, no bundling: constructs ${sec(local.buildMs)}, synth + checks ${sec(local.synthMs)} wall, ${sec(local.cpuMs)} CPU`,
          `  main template: ${fmt(main.bytes)} bytes, ${main.resources} resources, ${main.outputs} outputs`,
          `  schedule stacks: ${nested.length}, largest ${fmt(largestNested.bytes)} bytes / ${largestNested.resources} resources`,
          `  largest inline policy of a role: ${fmt(main.largestInlinePolicy.chars)} characters (${main.largestInlinePolicy.role}); largest managed policy: ${fmt(main.largestManagedPolicy.chars)}`,
          `  largest schedule input: ${fmt(Math.max(...nested.map((t) => t.largestScheduleInputBytes)))} bytes; largest Lambda environment: ${fmt(main.largestLambdaEnvironmentBytes)} bytes`,
        ]
          .filter((l) => l !== '')
          .join('\n')}\n`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const synthBench: BenchSection = {
  name: 'synth',
  description:
    'cdk synth of generated fleets, timed, with the template figures (--sizes 100,1000,10000 --in-process-only)',
  run,
};
