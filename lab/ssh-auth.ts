/**
 * Login to the lab's SSH CLI: password, keyboard-interactive and public-key, each attempt noted
 * (with the secret it carried) so tests can prove what a client sent and did not send.
 */
import type { AuthContext, ParsedKey } from 'ssh2';
import type { SshFault } from './ssh-faults';
import { matchesKey } from './ssh-keys';

/** Who may log in, and where each attempt is noted. */
export interface LabLogin {
  username: string;
  password: string;
  authorized: readonly ParsedKey[];
  /** The fault in force now (`wrong_password` refuses everyone). */
  fault(): SshFault;
  note(attempt: { username: string; method: string; secret: string | null; accepted: boolean }): void;
}

const METHODS: Array<'password' | 'publickey' | 'keyboard-interactive'> = [
  'password',
  'publickey',
  'keyboard-interactive',
];

/** Answers one authentication request of a client. */
export function authenticate(ctx: AuthContext, login: LabLogin): void {
  const deny = () => ctx.reject(METHODS);
  const note = (method: string, secret: string | null, accepted: boolean) =>
    login.note({ username: ctx.username, method, secret, accepted });
  const refused = () => login.fault() === 'wrong_password' || ctx.username !== login.username;
  switch (ctx.method) {
    case 'password': {
      const ok = !refused() && ctx.password === login.password;
      note('password', ctx.password, ok);
      if (ok) ctx.accept();
      else deny();
      return;
    }
    case 'keyboard-interactive':
      ctx.prompt([{ prompt: 'Password: ', echo: false }], 'AsyncOS', '', (answers) => {
        const ok = !refused() && answers[0] === login.password;
        note('keyboard-interactive', answers[0] ?? null, ok);
        if (ok) ctx.accept();
        else deny();
      });
      return;
    case 'publickey': {
      const key = login.authorized.find((k) => matchesKey(k, ctx.key.algo, ctx.key.data));
      if (key === undefined || refused()) {
        note('publickey', ctx.key.algo, false);
        deny();
        return;
      }
      // No signature: a key query ("would you accept this key?").
      if (ctx.signature === undefined) {
        ctx.accept();
        return;
      }
      const ok = key.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true;
      note('publickey', ctx.key.algo, ok);
      if (ok) ctx.accept();
      else deny();
      return;
    }
    default:
      note(ctx.method, null, false);
      deny();
  }
}
