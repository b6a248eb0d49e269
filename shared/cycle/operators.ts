/** On-call's silences and acknowledgements as one cycle reads them. */

import { honouredSilences } from '../alerts/silences';
import { errorMessage } from '../errors';
import { loadOperatorState, type OperatorState, type OperatorStore } from '../state/operators/store';

/**
 * Silences and acks for this cycle. Unreadable ones are a problem of the cycle, and it pages as
 * if there were none: a monitor that cannot tell what is silenced must not go quiet.
 */
export async function loadOperators(
  store: OperatorStore | undefined,
  problems: string[],
): Promise<OperatorState> {
  if (store === undefined) return { silences: [], acks: [] };
  try {
    const state = await loadOperatorState(store);
    const { silences, problems: refused } = honouredSilences(state.silences);
    problems.push(...refused);
    return { ...state, silences };
  } catch (err) {
    problems.push(
      `silences and acknowledgements unreadable, paging as if there were none: ${errorMessage(err)}`,
    );
    return { silences: [], acks: [] };
  }
}
