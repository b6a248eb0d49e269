/** `tophosts SORT`: the delivery queues by host, sorted; the CPQ queues are rows of it. */
import { parseTophosts } from '../parsers/tophosts';
import { allow, argAfter, defineCommand, refuse } from './define';

/** `tophosts` sort orders: menu numbers and the keyword forms the CLI accepts. */
const TOPHOSTS_SORTS = new Set([
  '1',
  '2',
  '3',
  '4',
  '5',
  'active_rcpts',
  'conn_out',
  'deliv_rcpts',
  'hard_bounced',
  'soft_bounced',
]);
/** Default sort: by active recipients, the column that shows a backlog. */
export const DEFAULT_TOPHOSTS_SORT = 'active_rcpts';

export const tophostsCommand = defineCommand({
  name: 'tophosts',
  aliases: [],
  readItem: { takesArg: true, hint: 'SORT' },
  line: ({ arg }) => {
    const sort = arg ?? DEFAULT_TOPHOSTS_SORT;
    if (!TOPHOSTS_SORTS.has(sort))
      return refuse(
        `tophosts sort "${sort}" is not one of 1-5 or ${[...TOPHOSTS_SORTS].slice(5).join(', ')}`,
      );
    return allow(`tophosts ${sort}`);
  },
  argsOf: argAfter('tophosts'),
  parse: parseTophosts,
});
