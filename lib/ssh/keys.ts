import ssh2 from 'ssh2';

export interface SshKeyPair {
  /** OpenSSH private key format. */
  readonly private: string;
  /** One line: `ssh-ed25519 AAAA...`. */
  readonly public: string;
}

/**
 * A new ed25519 key pair in OpenSSH's formats. ssh2's generator writes the public key like
 * a signed integer and drops its first byte when that byte is zero: one key in 256 comes out
 * 31 bytes long, and neither ssh2 nor OpenSSH can read it. Such a pair is made again.
 */
export function newEd25519KeyPair(): SshKeyPair {
  for (;;) {
    const keys = ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(keys.private) instanceof Error)) return keys;
  }
}

/** Why ssh2 cannot log in with `key`, or undefined when it can. */
export function privateKeyProblem(key: string | Buffer): string | undefined {
  const parsed = ssh2.utils.parseKey(key);
  if (parsed instanceof Error) return parsed.message;
  if (!parsed.isPrivateKey()) return 'it is a public key, not a private one';
  return undefined;
}
