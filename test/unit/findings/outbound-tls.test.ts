/** The one place that says which command's view of the outbound TLS settings is asked first. */
import { fromOutboundTls } from '../../../shared/findings/outbound-tls';
import { showconfig, sslconfig } from './builders';

const show = showconfig({
  tls: {
    inbound: { methods: null, ciphers: null },
    outbound: { methods: 'tlsv1/tlsv1.2', ciphers: 'HIGH:-aNULL' },
  },
});
const ssl = sslconfig('aNULL:HIGH', true);

describe('fromOutboundTls', () => {
  it('asks sslconfig first and stops at its answer', () => {
    const asked: string[] = [];
    const answer = fromOutboundTls({ sslconfig: ssl, showconfig: show }, (o, source) => {
      asked.push(source);
      return o.ciphers;
    });
    expect(answer).toBe('aNULL:HIGH');
    expect(asked).toEqual(['sslconfig']);
  });

  it('falls back to showconfig when sslconfig gives no answer or is missing', () => {
    expect(
      fromOutboundTls({ sslconfig: ssl, showconfig: show }, (o, s) =>
        s === 'sslconfig' ? undefined : o.ciphers,
      ),
    ).toBe('HIGH:-aNULL');
    expect(fromOutboundTls({ showconfig: show }, (o, source) => `${source}: ${o.methods}`)).toBe(
      'showconfig: tlsv1/tlsv1.2',
    );
  });

  it('gives undefined when neither command answers', () => {
    expect(fromOutboundTls({}, () => 'never asked')).toBeUndefined();
    expect(fromOutboundTls({ sslconfig: ssl, showconfig: show }, () => undefined)).toBeUndefined();
  });
});
