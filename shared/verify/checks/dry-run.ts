/** The dry runs: each cycle function invoked with a dry-run event, its summary judged. */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { bad, type CheckLine, ok, parseJson, REDEPLOY_FIX, type VerifyCheck } from '../check';
import type { VerifyClients } from '../clients';
import { CYCLES, type CycleName, STACK_OUTPUTS } from '../stack';

const dryRunFix = (cycle: CycleName) =>
  `Read the ${cycle} function's log group for the error; a failing cold start names the bad variable or inventory field`;

/** A dry run of each cycle function the stack has. */
export const dryRunCheck: VerifyCheck = ({ clients, stack, appliances }) =>
  CYCLES.flatMap((cycle) => {
    const fn = stack.outputs[STACK_OUTPUTS.functionName[cycle]];
    if (fn === undefined) return [];
    return [
      {
        check: `dry run (${cycle})`,
        fix: dryRunFix(cycle),
        run: () => dryRun(clients, cycle, fn, appliances),
      },
    ];
  });

/** Invokes a cycle function with a dry-run event and summarizes what its probes and reads saw. */
async function dryRun(
  clients: VerifyClients,
  cycle: CycleName,
  functionName: string,
  appliances: string[] | undefined,
): Promise<CheckLine[]> {
  const check = `dry run (${cycle})`;
  const payload = { cycle, dryRun: true, ...(appliances === undefined ? {} : { appliances }) };
  const res = await clients.lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
  );
  const body = parseJson(res.Payload === undefined ? undefined : new TextDecoder().decode(res.Payload));
  if (res.FunctionError !== undefined) {
    return [
      bad(
        check,
        'critical',
        `${res.FunctionError} error: ${String(body?.errorType ?? '')} ${String(body?.errorMessage ?? '')}`.trim(),
        dryRunFix(cycle),
      ),
    ];
  }
  if (body === undefined || body.dryRun !== true) {
    return [bad(check, 'critical', 'the function answered without a dry-run summary', REDEPLOY_FIX)];
  }
  const codes = (o: unknown) =>
    Object.entries((o ?? {}) as Record<string, number>)
      .map(([c, n]) => `${c} ${n}`)
      .join(', ') || 'none';
  const detail = [
    `${body.appliances} appliances`,
    cycle === 'probe' ? `probes: ${codes(body.probeCodes)}` : `SSH reads: ${codes(body.readCodes)}`,
    `findings ${body.findings} (${body.critical} critical)`,
    `would notify ${body.wouldNotify}`,
    `${body.durationMs} ms`,
  ].join('; ');
  const skipped = (body.skipped as string[] | undefined) ?? [];
  const problems = (body.problems as string[] | undefined) ?? [];
  if (skipped.length > 0 || problems.length > 0) {
    return [
      bad(
        check,
        'warning',
        `${detail}; skipped ${skipped.length}${problems.length > 0 ? `; problems: ${problems.join(' | ')}` : ''}`,
        skipped.length > 0
          ? 'The dry run ran out of time: pass fewer appliances with --appliances, or see docs/deploy.md "Watchdog: duration near timeout"'
          : dryRunFix(cycle),
      ),
    ];
  }
  return [ok(check, detail)];
}
