/** The one definition of a host: an IP address or a DNS host name, fully qualified or not. */
import { isHostOrAddress } from '../../shared/hostname';
import { parseInventory } from '../../shared/inventory/load';

describe('isHostOrAddress', () => {
  it.each([
    'esa1',
    'esa1.example.com',
    // Fully qualified (trailing root dot): the same name to every resolver.
    'esa1.example.com.',
    'a-1.b-2.example',
    `${'a'.repeat(63)}.example.com`,
    '10.0.0.10',
    '::1',
    'fd00::10',
  ])('accepts %s', (host) => {
    expect(isHostOrAddress(host)).toBe(true);
  });

  it.each([
    '',
    '.',
    'esa1..example.com',
    'esa1.example.com..',
    '-esa1.example.com',
    'esa1-.example.com',
    'esa 1.example.com',
    'esa1.example.com;reboot',
    '"esa1"',
    `${'a'.repeat(64)}.example.com`,
    `${'a.'.repeat(127)}ab`,
    '10.0.0.10/32',
  ])('refuses %j', (host) => {
    expect(isHostOrAddress(host)).toBe(false);
  });
});

describe('an inventory host', () => {
  it('may be written fully qualified, and is refused with the field named when it is no host', () => {
    const inv = parseInventory(
      { appliances: [{ name: 'sma1', role: 'sma', host: 'sma1.example.com.' }] },
      'x',
    );
    expect(inv.appliances[0]!.host).toBe('sma1.example.com.');
    expect(() =>
      parseInventory({ appliances: [{ name: 'sma1', role: 'sma', host: 'sma1..example' }] }, 'x'),
    ).toThrow('appliances[0] (sma1).host: expected an IPv4/IPv6 address or a DNS name');
  });
});
