/** The ways the lab's SSH CLI can misbehave, switchable at run time (`none` is healthy). */
export type SshFault =
  | 'none'
  | 'wrong_password'
  | 'host_key_changed'
  | 'hang_after_login'
  | 'hang_in_command'
  | 'endless_output'
  | 'unknown_prompt'
  /** One command (`status` unless set) ends in `Really commit and reboot? [Y]> ` (an empty line would say yes). */
  | 'yes_no_question'
  /** `showconfig` offers "Mask" under another digit and text than the real CLI's. */
  | 'relabelled_mask_menu';

/** All SSH faults, in a stable order (for CLIs and tables). */
export const SSH_FAULTS: readonly SshFault[] = [
  'none',
  'wrong_password',
  'host_key_changed',
  'hang_after_login',
  'hang_in_command',
  'endless_output',
  'unknown_prompt',
  'yes_no_question',
  'relabelled_mask_menu',
];
