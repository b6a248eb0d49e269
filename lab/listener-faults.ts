/** Every way a lab listener can misbehave, switchable at run time. */

/** Every way a lab listener can misbehave (`none` is healthy). */
export type ListenerFault =
  | 'none'
  | 'refused'
  | 'silent'
  | 'slow_drip'
  | 'greeting_421'
  | 'garbage'
  | 'no_starttls'
  | 'starttls_454'
  | 'anonymous_only'
  | 'expired_cert'
  | 'not_yet_valid_cert'
  | 'wrong_cert'
  | 'reset_handshake';

/** All faults, in a stable order (for CLIs and tables). */
export const LISTENER_FAULTS: readonly ListenerFault[] = [
  'none',
  'refused',
  'silent',
  'slow_drip',
  'greeting_421',
  'garbage',
  'no_starttls',
  'starttls_454',
  'anonymous_only',
  'expired_cert',
  'not_yet_valid_cert',
  'wrong_cert',
  'reset_handshake',
];
