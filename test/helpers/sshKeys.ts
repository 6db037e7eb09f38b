import crypto from 'node:crypto';
import { createRequire } from 'node:module';

const bcrypt = createRequire(import.meta.url)('bcrypt-pbkdf') as {
  pbkdf(
    pass: Buffer,
    passlen: number,
    salt: Buffer,
    saltlen: number,
    key: Buffer,
    keylen: number,
    rounds: number,
  ): number;
};

/** An ed25519 key pair in OpenSSH's formats: `privateKey` as openssh-key-v1 PEM, `publicKey` as `ssh-ed25519 AAAA…`. */
export interface SshKeyPair {
  privateKey: string;
  publicKey: string;
}

/**
 * A fresh ed25519 key pair encoded here from node:crypto's raw key bytes. ssh2's own generator strips
 * leading zero bytes from the public key and yields an unparsable key about once in 256 (mscdex/ssh2#1513),
 * which made test runs fail at random. With a passphrase the private key is encrypted as ssh-keygen does
 * it (aes256-ctr, bcrypt KDF).
 */
export function generateSshKey(passphrase?: string, comment = 'plaza-test'): SshKeyPair {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const publicBlob = Buffer.concat([str('ssh-ed25519'), str(pub)]);

  const check = crypto.randomBytes(4);
  const secret = Buffer.concat([
    check,
    check,
    str('ssh-ed25519'),
    str(pub),
    str(Buffer.concat([seed, pub])),
    str(comment),
  ]);
  const blockSize = passphrase ? 16 : 8;
  const padding = Buffer.from(
    Array.from({ length: (blockSize - (secret.length % blockSize)) % blockSize }, (_, i) => i + 1),
  );
  let section = Buffer.concat([secret, padding]);

  let cipher = 'none';
  let kdf = 'none';
  let kdfOptions = Buffer.alloc(0);
  if (passphrase) {
    const salt = crypto.randomBytes(16);
    const rounds = 16;
    const keyIv = Buffer.alloc(48);
    const pass = Buffer.from(passphrase, 'utf8');
    if (bcrypt.pbkdf(pass, pass.length, salt, salt.length, keyIv, keyIv.length, rounds) !== 0)
      throw new Error('bcrypt_pbkdf failed');
    const aes = crypto.createCipheriv('aes-256-ctr', keyIv.subarray(0, 32), keyIv.subarray(32));
    section = Buffer.concat([aes.update(section), aes.final()]);
    cipher = 'aes256-ctr';
    kdf = 'bcrypt';
    kdfOptions = Buffer.concat([str(salt), u32(rounds)]);
  }

  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    str(cipher),
    str(kdf),
    str(kdfOptions),
    u32(1),
    str(publicBlob),
    str(section),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g)!;
  return {
    privateKey: ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join('\n'),
    publicKey: `ssh-ed25519 ${publicBlob.toString('base64')} ${comment}`,
  };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function str(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([u32(bytes.length), bytes]);
}
