/**
 * The pure-TypeScript SHA-256 that workflow code uses for cell keys: FIPS 180-4 vectors, block
 * boundaries and UTF-8, cross-checked against node:crypto (tests may use Node; sweep/ may not).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex, utf8Bytes } from '../../sweep/sha256.ts';

const nodeSha = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 / NIST vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(sha256Hex('a'.repeat(1_000_000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('is right at every length around the 55/56/64-byte padding boundaries', () => {
    for (let n = 0; n <= 200; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 255);
      expect(sha256Hex(bytes), `length ${n}`).toBe(nodeSha(bytes));
    }
  });

  it('hashes strings as UTF-8, surrogate pairs included', () => {
    for (const s of ['λ = 0.5, ε_D = 1', 'naïve café', '日本語', 'emoji 🎛️ and 𝔼', '\u0000\u007f\u0080\u07ff\u0800\uffff']) {
      expect(utf8Bytes(s)).toEqual(new Uint8Array(Buffer.from(s, 'utf8')));
      expect(sha256Hex(s), s).toBe(nodeSha(s));
    }
  });

  it('encodes a lone surrogate as U+FFFD, as TextEncoder does', () => {
    expect(utf8Bytes('a\ud800b')).toEqual(new TextEncoder().encode('a\ud800b'));
  });
});
