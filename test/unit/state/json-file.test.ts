import { JsonFile } from '../../../shared/state/json-file';

const fail = (message: string) => new Error(message);

describe('JsonFile.read, bounded', () => {
  it('refuses a state path that is a device instead of reading it until memory runs out', async () => {
    await expect(new JsonFile('/dev/zero', 'alert state ', fail).read()).rejects.toThrow(
      'cannot read alert state /dev/zero: a character device, not a regular file: name a file',
    );
  });

  it('reads a missing file as absent', async () => {
    await expect(
      new JsonFile('/nonexistent-dir/state.json', 'alert state ', fail).read(),
    ).resolves.toBeUndefined();
  });
});
