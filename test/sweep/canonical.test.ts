import { describe, expect, it } from 'vitest';
import { CanonicalJsonError, canonicalJson, canonicalNumber } from '../../sweep/canonical.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth, so key order never matters', () => {
    const a = { b: 1, a: { d: [{ z: 1, y: 2 }], c: 'x' } };
    const b = { a: { c: 'x', d: [{ y: 2, z: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"c":"x","d":[{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
  });

  it('keeps array order and drops undefined members', () => {
    expect(canonicalJson({ x: [3, 1, 2], y: undefined })).toBe('{"x":[3,1,2]}');
  });

  it('writes numbers one way: shortest round-trip, -0 as 0', () => {
    expect(canonicalJson([1, 1.0, 0.5, 5e-4, 1e-7, 1e21, 0.1 + 0.2, -0, 100])).toBe('[1,1,0.5,0.0005,1e-7,1e+21,0.30000000000000004,0,100]');
    for (const x of [0.1, 1 / 3, 2 ** 53 + 2, 5e-324, 1.7976931348623157e308]) expect(Number(canonicalNumber(x))).toBe(x);
  });

  it('refuses NaN and infinities, naming where they are', () => {
    expect(() => canonicalJson({ a: { b: [1, Number.NaN] } })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ a: { b: [1, Number.NaN] } })).toThrow('a.b[1]');
    expect(() => canonicalJson(Number.POSITIVE_INFINITY)).toThrow(CanonicalJsonError);
    expect(() => canonicalNumber(Number.NEGATIVE_INFINITY)).toThrow(CanonicalJsonError);
  });

  it('refuses what is not JSON', () => {
    expect(() => canonicalJson([undefined])).toThrow('[0]');
    expect(() => canonicalJson({ d: new Date(0) })).toThrow('not a plain object');
    expect(() => canonicalJson({ m: new Map() })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow('function');
    expect(() => canonicalJson(1n)).toThrow('bigint');
  });

  it('escapes strings as JSON does and accepts null-prototype objects', () => {
    const o = Object.assign(Object.create(null), { 'k"': 'a\nb', é: true, n: null });
    expect(canonicalJson(o)).toBe('{"k\\"":"a\\nb","n":null,"é":true}');
  });
});
