/**
 * One JSON POST over HTTPS with a deadline and a cap on the bytes read back: what the pager
 * integrations need, and nothing that could hang a Lambda or fill its memory.
 */
import { request } from 'node:https';

/** Options of one POST. */
export interface PostOptions {
  /** Extra CA certificates (PEM) to trust; none in production (the system store is used). */
  ca?: string;
  /** Whole-request deadline. */
  timeoutMs: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** The peer's answer: status and at most `RESPONSE_CAP` bytes of the body. */
export interface PostResponse {
  status: number;
  body: string;
  /** `Retry-After` in seconds, when the peer sent one. */
  retryAfterSeconds?: number;
}

/** Most bytes of a response body kept (error descriptions are short). */
export const RESPONSE_CAP = 64 * 1024;

/** POSTs `body` as JSON to `url`; network failures and the deadline reject with an Error. */
export function postJson(url: string, body: unknown, opts: PostOptions): Promise<PostResponse> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(data.length),
          'user-agent': 'cpq-monitor',
          ...opts.headers,
        },
        ...(opts.ca ? { ca: opts.ca } : {}),
        timeout: opts.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < RESPONSE_CAP) chunks.push(c.subarray(0, RESPONSE_CAP - size));
          size += c.length;
        });
        res.on('end', () => {
          clearTimeout(timer);
          const retryAfter = Number(res.headers['retry-after']);
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterSeconds: retryAfter } : {}),
          });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    // `timeout` above is an idle timeout; this one bounds the whole exchange.
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer from ${new URL(url).host} within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    req.on('timeout', () =>
      req.destroy(new Error(`connection to ${new URL(url).host} idle for ${opts.timeoutMs} ms`)),
    );
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(data);
  });
}
