/** On-call's silences and acknowledgements as one cycle reads them. */

import { honouredSilences } from '../alerts/silences';
import { errorMessage } from '../errors';
import { loadOperatorState, type OperatorState, type OperatorStore } from '../state/operators/store';

/** What one cycle honours, and how many stored entries it dropped as malformed. */
export interface CycleOperators extends OperatorState {
  /** The `OperatorEntriesDropped` metric of this cycle. */
  dropped: number;
}

/**
 * Silences and acks for this cycle; never throws. Unreadable ones are a problem of the cycle, and
 * it pages as if there were none: a monitor that cannot tell what is silenced must not go quiet.
 * Malformed entries are dropped one by one (the store checks them), each a problem of the cycle.
 */
export async function loadOperators(
  store: OperatorStore | undefined,
  problems: string[],
): Promise<CycleOperators> {
  if (store === undefined) return { silences: [], acks: [], dropped: 0 };
  try {
    const state = await loadOperatorState(store);
    problems.push(...state.problems);
    const { silences, problems: refused } = honouredSilences(state.silences);
    problems.push(...refused);
    return { silences, acks: state.acks, dropped: state.dropped };
  } catch (err) {
    problems.push(
      `silences and acknowledgements unreadable, paging as if there were none: ${errorMessage(err)}`,
    );
    return { silences: [], acks: [], dropped: 0 };
  }
}
