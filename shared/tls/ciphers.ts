/**
 * Cipher classification, on OpenSSL names (what Node's `getCipher().name` and an
 * AsyncOS `sslconfig` list use). Pure string rules: no OpenSSL call, so they also run on lists
 * read from an appliance that this machine's OpenSSL would not even accept.
 */

/** Why a negotiated cipher is weak. */
export type CipherWeakness = 'rc4' | '3des' | 'des' | 'null' | 'export' | 'md5';

/** What a negotiated cipher suite means for the connection. */
export interface CipherClass {
  /** aNULL suite (ADH/AECDH): the server sends no certificate. */
  anonymous: boolean;
  /** Empty when the suite is not weak. */
  weaknesses: CipherWeakness[];
}

/** True for anonymous (aNULL) suites: OpenSSL `ADH-*`, `AECDH-*`, `EXP-ADH-*`, or IANA `*_anon_*` names. */
export function isAnonymousCipher(name: string): boolean {
  return /^(EXP1024-|EXP-)?(ADH|AECDH)-/i.test(name) || /_anon_/i.test(name);
}

/** True for suites without encryption (eNULL): OpenSSL `NULL-SHA256`, `ECDHE-RSA-NULL-SHA`, or IANA `*_WITH_NULL_*`. */
export function isNullEncryptionCipher(name: string): boolean {
  return /(^|-)NULL(-|$)|_WITH_NULL_/.test(name.trim().toUpperCase());
}

/** Weaknesses of a suite by name: RC4, 3DES, single DES, NULL encryption, export grade, MD5 MAC. */
export function cipherWeaknesses(name: string): CipherWeakness[] {
  const n = name.toUpperCase();
  const out: CipherWeakness[] = [];
  if (n.includes('RC4')) out.push('rc4');
  if (/DES-CBC3|3DES|DES_EDE|DES-EDE/.test(n)) out.push('3des');
  else if (/(^|-)DES-CBC-|_WITH_DES_CBC_|(^|-)DES-CBC$|-DES-/.test(n)) out.push('des');
  if (/(^|-)NULL(-|$)|_WITH_NULL_/.test(n)) out.push('null');
  if (/^EXP(1024)?-|EXPORT/.test(n)) out.push('export');
  if (/(^|[-_])MD5$/.test(n)) out.push('md5');
  return out;
}

/** Anonymity and weaknesses of a negotiated suite. */
export function classifyCipher(name: string): CipherClass {
  return { anonymous: isAnonymousCipher(name), weaknesses: cipherWeaknesses(name) };
}

/** True for a weak suite (see {@link cipherWeaknesses}). */
export function isWeakCipher(name: string): boolean {
  return cipherWeaknesses(name).length > 0;
}

// ---- Cipher strings (lists) -----------------------------------------------------------------

/**
 * OpenSSL aliases whose expansion includes anonymous suites. `ALL` does (only `DEFAULT` and the
 * `COMPLEMENTOF*` pair differ); so do the algorithm aliases such as `AES` or `HIGH`, because
 * ADH/AECDH suites use those algorithms. Authenticated-only aliases (`aRSA`, `EDH`, `ECDHE`,
 * `DEFAULT`, `kRSA`...) are deliberately absent.
 */
const ALIASES_WITH_ANONYMOUS = new Set([
  'ALL',
  'COMPLEMENTOFDEFAULT',
  'aNULL',
  'ADH',
  'AECDH',
  'HIGH',
  'MEDIUM',
  'LOW',
  'EXPORT',
  'EXP',
  'kEDH',
  'kDHE',
  'kEECDH',
  'kECDHE',
  'DH',
  'ECDH',
  'AES',
  'AES128',
  'AES256',
  'AESGCM',
  'CAMELLIA',
  'CAMELLIA128',
  'CAMELLIA256',
  'SEED',
  'DES',
  '3DES',
  'RC4',
  'SHA',
  'SHA1',
  'SHA256',
  'SHA384',
  'MD5',
  'SSLv3',
  'TLSv1',
  'TLSv1.0',
  'TLSv1.2',
]);

/** Anonymous key exchanges: ADH (finite-field DH) and AECDH (elliptic curve). */
type AnonKind = 'adh' | 'aecdh';
const BOTH: readonly AnonKind[] = ['adh', 'aecdh'];
/** Aliases that select only one kind of anonymous suite (OpenSSL: `ADH` excludes AECDH). */
const ONE_KIND: Record<string, readonly AnonKind[]> = {
  ADH: ['adh'],
  kEDH: ['adh'],
  kDHE: ['adh'],
  DH: ['adh'],
  AECDH: ['aecdh'],
  kEECDH: ['aecdh'],
  kECDHE: ['aecdh'],
  ECDH: ['aecdh'],
};

/** The kinds of anonymous suite one cipher-string word (no prefix) selects. */
function anonymousKinds(word: string): readonly AnonKind[] {
  // `A+B` selects the suites in both A and B.
  if (word.includes('+')) {
    let kinds: readonly AnonKind[] = BOTH;
    for (const w of word.split('+')) if (w !== '') kinds = kinds.filter((k) => anonymousKinds(w).includes(k));
    return kinds;
  }
  if (ONE_KIND[word]) return ONE_KIND[word];
  if (/^(EXP1024-|EXP-)?ADH-/i.test(word)) return ['adh'];
  if (/^AECDH-/i.test(word)) return ['aecdh'];
  return ALIASES_WITH_ANONYMOUS.has(word) ? BOTH : [];
}

/**
 * Words that add NULL-encryption suites. OpenSSL leaves eNULL out of `ALL` and of every
 * algorithm alias, so only these (and single suite names holding `NULL`) select them.
 */
const ALIASES_WITH_NULL = new Set(['eNULL', 'NULL', 'COMPLEMENTOFALL']);

function selectsNullEncryption(word: string): boolean {
  if (word.includes('+')) return word.split('+').every((w) => w === '' || selectsNullEncryption(w));
  if (ALIASES_WITH_NULL.has(word)) return true;
  return /^[A-Z0-9-]+$/i.test(word) && /(^|-)NULL(-|$)/.test(word) && word !== 'aNULL';
}

/**
 * Whether an OpenSSL cipher string can negotiate a suite without encryption (eNULL), by the same
 * add/remove rules as {@link cipherListAllowsAnonymous}. Used to keep such a list below TLS 1.3,
 * which has no NULL suites, so the probe sees what an appliance offering the list would get.
 */
export function cipherListAllowsNoEncryption(list: string): boolean {
  let present = false;
  let forbidden = false;
  for (const token of list.split(/[:,\s]+/).filter((t) => t !== '')) {
    const prefix = token[0]!;
    if (prefix === '@' || prefix === '+') continue;
    const removing = prefix === '!' || prefix === '-';
    if (!selectsNullEncryption(removing ? token.slice(1) : token)) continue;
    if (removing) {
      present = false;
      if (prefix === '!') forbidden = true;
    } else if (!forbidden) present = true;
  }
  return present;
}

/** Verdict on a cipher string, with the reason (e.g. for a finding's evidence). */
export interface AnonymousListVerdict {
  allowsAnonymous: boolean;
  reason: string;
}

/**
 * Whether an OpenSSL cipher string (e.g. an appliance's outbound `sslconfig` list) can negotiate an
 * anonymous (aNULL) suite, following OpenSSL's rules: words add suites, `-X` removes them (a later
 * word may add them back), `!X` removes them for good, `+X` only reorders, `@...` are directives.
 */
export function cipherListAllowsAnonymous(list: string): AnonymousListVerdict {
  const present = new Set<AnonKind>();
  const forbidden = new Set<AnonKind>();
  let lastAdder: string | null = null;
  let lastRemover: string | null = null;
  let firstForbidder: string | null = null;
  for (const token of list.split(/[:,\s]+/).filter((t) => t !== '')) {
    const prefix = token[0]!;
    if (prefix === '@' || prefix === '+') continue;
    const removing = prefix === '!' || prefix === '-';
    const kinds = anonymousKinds(removing ? token.slice(1) : token);
    if (kinds.length === 0) continue;
    if (removing) {
      for (const k of kinds) {
        present.delete(k);
        if (prefix === '!') forbidden.add(k);
      }
      lastRemover = token;
      if (prefix === '!') firstForbidder ??= token;
      continue;
    }
    const added = kinds.filter((k) => !forbidden.has(k));
    for (const k of added) present.add(k);
    if (added.length > 0) lastAdder = token;
  }
  if (present.size > 0) {
    return {
      allowsAnonymous: true,
      reason: `"${lastAdder}" adds anonymous (aNULL) suites and no -aNULL or !aNULL follows it`,
    };
  }
  if (firstForbidder)
    return { allowsAnonymous: false, reason: `"${firstForbidder}" excludes anonymous suites` };
  if (lastRemover) {
    return {
      allowsAnonymous: false,
      reason: `"${lastRemover}" removes the anonymous suites added before it`,
    };
  }
  return { allowsAnonymous: false, reason: 'no word of the list selects anonymous suites' };
}
