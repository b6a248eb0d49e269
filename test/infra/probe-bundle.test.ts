/**
 * The probe function's bundle holds no SSH code: esbuild bundles each cycle handler with the
 * stack's own options (bundledFunction, the cycle functions' externals) and its metafile lists
 * every file that went in.
 */
import * as path from 'node:path';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build } from 'esbuild';
import { bundledFunction, CYCLE_EXTERNAL_MODULES, PROJECT_ROOT } from '../../infra/constructs/cycle-function';

/** The files esbuild put into a cycle handler's bundle, relative to the repository root. */
async function bundleInputs(file: string): Promise<string[]> {
  const props = bundledFunction(file, { externalModules: [...CYCLE_EXTERNAL_MODULES] });
  const bundling = props.bundling!;
  const result = await build({
    entryPoints: [props.entry!],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    // As the CDK derives it from the runtime: nodejs24.x → node24.
    target: props.runtime!.name.replace(/^nodejs(\d+).*$/, 'node$1'),
    format: bundling.format === OutputFormat.ESM ? 'esm' : 'cjs',
    minify: bundling.minify ?? false,
    sourcemap: bundling.sourceMap ?? false,
    external: [...(bundling.externalModules ?? [])],
    outfile: path.join(PROJECT_ROOT, 'cdk.out', 'bundle-test', 'index.js'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

/** Inputs that are SSH code: the ssh2 client and the AsyncOS reader with its commands and parsers. */
const sshCode = (inputs: readonly string[]) =>
  inputs.filter((i) => i.startsWith('node_modules/ssh2/') || i.startsWith('shared/asyncos/'));

describe('cycle function bundles', () => {
  it('the probe function bundles the probe but no ssh2 and nothing of shared/asyncos', async () => {
    const inputs = await bundleInputs('probe-cycle.ts');
    expect(inputs).toContain('shared/probes/probe.ts');
    expect(sshCode(inputs)).toEqual([]);
  });

  it('the SSH function does bundle the SSH client and the reader (the check above can see them)', async () => {
    const inputs = await bundleInputs('ssh-cycle.ts');
    expect(sshCode(inputs)).toEqual(
      expect.arrayContaining(['node_modules/ssh2/lib/client.js', 'shared/asyncos/reader.ts']),
    );
  });
});
