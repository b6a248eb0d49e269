/**
 * The cycle memory as the cycle uses it: every prober's part loaded at the start (each kind of
 * cycle writes only its own part but reads all of them), the findings memory and intermittent
 * windows they make up, and this cycle's parts saved at the end. A store that fails is a problem
 * of the cycle, never its end: the cycle goes on without memory (first-cycle behaviour).
 */
import type { IntermittentMemory } from '../alerts/intermittent';
import { type CallOptions, deadlineSignal } from '../aws/client-config';
import { errorMessage } from '../errors';
import type { FindingsMemory } from '../findings/types';
import { type CycleKind, cycleRuns, PROBER_KINDS, type ProberKind } from '../prober/prober';
import type { CyclePart, MemoryStore } from '../state/memory/store';

/** The memory parts of the previous cycles, by the kind of prober that wrote each. */
export type Parts = Partial<Record<ProberKind, CyclePart>>;

/** Every part under `key`, read at once (one wait, not two, when the store does not answer). */
export async function loadParts(
  store: MemoryStore,
  key: string,
  problems: string[],
  deadline: number,
): Promise<Parts> {
  const out: Parts = {};
  const options: CallOptions = { abortSignal: deadlineSignal(deadline) };
  const loaded = await Promise.all(
    PROBER_KINDS.map(async (kind) => {
      try {
        return { kind, part: await store.load(`${kind}/${key}`, options) };
      } catch (err) {
        return {
          kind,
          problem: `cycle memory ${kind}/${key} unreadable, starting without it: ${errorMessage(err)}`,
        };
      }
    }),
  );
  // Problems in the order of the kinds, whichever answered first.
  for (const l of loaded) {
    if (l.problem !== undefined) problems.push(l.problem);
    else if (l.part !== undefined) out[l.kind] = l.part;
  }
  return out;
}

/** Saves this cycle's parts under `key`, one after the other; a failure is one problem of the cycle. */
export async function saveParts(
  store: MemoryStore,
  key: string,
  parts: Partial<Record<ProberKind, Omit<CyclePart, 'savedAt'>>>,
  clock: () => Date,
  problems: string[],
  options: CallOptions,
): Promise<void> {
  for (const kind of PROBER_KINDS) {
    const part = parts[kind];
    if (part === undefined) continue;
    try {
      await store.save(`${kind}/${key}`, { ...part, savedAt: clock().toISOString() }, options);
    } catch (err) {
      problems.push(
        `cycle memory ${kind}/${key} not saved (queue growth and log cursors restart): ${errorMessage(err)}`,
      );
    }
  }
}

/** The findings memory the parts of the previous cycles make up (each part holds its own fields). */
export function recall(parts: Parts): FindingsMemory {
  const memory: FindingsMemory = { version: 1, listeners: {}, queues: {}, logs: {}, anonymousOutbound: [] };
  for (const kind of PROBER_KINDS) Object.assign(memory, parts[kind]?.findings);
  return memory;
}

/** The intermittent windows this cycle kind continues: those of the probers it runs. */
export function recallIntermittent(parts: Parts, cycle: CycleKind): IntermittentMemory {
  const out: IntermittentMemory = {};
  for (const kind of PROBER_KINDS) if (cycleRuns(cycle, kind)) Object.assign(out, parts[kind]?.intermittent);
  return out;
}
