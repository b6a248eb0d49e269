import { batchGetUnits, getItemUnits, indexQueryUnits, itemBytes } from '../../../infra/cost/read-units';

describe("DynamoDB's read-unit rounding", () => {
  it('charges a consistent GetItem one unit per started 4 KB, and a missing item the smallest read', () => {
    expect(getItemUnits(undefined)).toBe(1);
    expect(getItemUnits(1)).toBe(1);
    expect(getItemUnits(4096)).toBe(1);
    expect(getItemUnits(4097)).toBe(2);
    expect(getItemUnits(10_113)).toBe(3);
  });

  it('rounds every item of a BatchGetItem on its own (1.5 KB + 6.5 KB is 3 units, not 2)', () => {
    expect(batchGetUnits([1536, 6656], 0)).toBe(3);
    expect(batchGetUnits([], 4)).toBe(4);
  });

  it('rounds the total of a Query and halves it (an index is read eventually consistent)', () => {
    expect(indexQueryUnits([])).toBe(0.5);
    expect(indexQueryUnits([1536, 1536])).toBe(0.5);
    expect(indexQueryUnits([3000, 3000])).toBe(1);
  });

  it('measures an item as its JSON text', () => {
    expect(itemBytes({ id: 'esa1/x' })).toBe('{"id":"esa1/x"}'.length);
    expect(itemBytes({ n: 'é' })).toBe(10);
  });
});
