/**
 * Student's t distribution, pure and from scratch (no dependency): CDF, two-sided tail
 * probability and quantile for any real df > 0.
 *
 *   ln Γ        Lanczos approximation (g = 7, 9 coefficients; relative error ~1e-15)
 *   I_x(a, b)   regularised incomplete beta: the continued fraction of Numerical Recipes
 *               (`betai`/`betacf`, evaluated with the modified Lentz method), on the side of
 *               x where it converges fast, with the symmetry I_x(a, b) = 1 − I_{1−x}(b, a)
 *   P(|T| ≥ t)  = I_{ν/(ν+t²)}(ν/2, 1/2)
 *   quantile    the root of the two-sided tail, by Newton's method on the t density, kept inside
 *               a bracket and falling back to bisection when a step would leave it
 *
 * Checked against printed tables (t_{0.975}: 12.706, 4.303, 2.776, 2.262, 2.045 for df 1, 2, 4,
 * 9, 29) and the closed forms for df 1, 2 and 3 (test/report/statistics.test.ts).
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (reflection below 1/2). */
export function lnGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`lnGamma needs x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const CF_EPS = 1e-15;
const CF_TINY = 1e-300;
const CF_MAX_ITERATIONS = 1000;

/** The continued fraction of I_x(a, b) (Numerical Recipes `betacf`, modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < CF_TINY) d = CF_TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= CF_MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    // even step
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_TINY) d = CF_TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_TINY) c = CF_TINY;
    d = 1 / d;
    h *= d * c;
    // odd step
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_TINY) d = CF_TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_TINY) c = CF_TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) <= CF_EPS) return h;
  }
  throw new RangeError(`incomplete beta: continued fraction did not converge for a=${a}, b=${b}, x=${x}`);
}

/**
 * I_x(a, b) with y = 1 − x passed separately, so that callers who know 1 − x more precisely
 * than the subtraction gives (x close to 1) keep that precision.
 */
function incompleteBeta(a: number, b: number, x: number, y: number): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(y));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, y)) / b;
}

/** The regularised incomplete beta function I_x(a, b), a, b > 0, 0 ≤ x ≤ 1. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new RangeError(`incomplete beta needs a, b > 0, got a=${a}, b=${b}`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`incomplete beta needs 0 ≤ x ≤ 1, got ${x}`);
  return incompleteBeta(a, b, x, 1 - x);
}

function checkDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df)) throw new RangeError(`Student t needs a finite df > 0, got ${df}`);
}

/** P(|T| ≥ |t|) for T ~ t(df): the two-sided p-value of a t statistic. */
export function studentTTwoSided(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) throw new RangeError('Student t: t is NaN');
  if (!Number.isFinite(t)) return 0;
  const t2 = t * t;
  // x = ν/(ν+t²) and 1 − x = t²/(ν+t²), each computed directly.
  return Math.min(1, Math.max(0, incompleteBeta(df / 2, 0.5, df / (df + t2), t2 / (df + t2))));
}

/** P(T ≤ t) for T ~ t(df). */
export function studentTCdf(t: number, df: number): number {
  const tail = studentTTwoSided(t, df) / 2;
  return t >= 0 ? 1 - tail : tail;
}

/** The density of t(df) at t. */
export function studentTPdf(t: number, df: number): number {
  checkDf(df);
  return Math.exp(lnGamma((df + 1) / 2) - lnGamma(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/** The p-quantile of t(df): the t with P(T ≤ t) = p. p = 0 and 1 give ∓∞. */
export function studentTQuantile(p: number, df: number): number {
  checkDf(df);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`Student t quantile needs 0 ≤ p ≤ 1, got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p < 0.5) return -upperQuantile(2 * p, df);
  return upperQuantile(2 * (1 - p), df);
}

/** The t > 0 with P(|T| ≥ t) = alpha, 0 < alpha < 1. */
function upperQuantile(alpha: number, df: number): number {
  // f(t) = P(|T| ≥ t) − alpha falls from 1 − alpha at t = 0; its derivative is −2·pdf(t).
  const f = (t: number) => studentTTwoSided(t, df) - alpha;
  let lo = 0;
  let hi = 1;
  while (f(hi) > 0) {
    lo = hi;
    hi *= 2;
    if (!Number.isFinite(hi)) return Infinity;
  }
  let t = (lo + hi) / 2;
  for (let i = 0; i < 200; i++) {
    const ft = f(t);
    if (ft === 0) return t;
    if (ft > 0) lo = t;
    else hi = t;
    let next = t + ft / (2 * studentTPdf(t, df));
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - t) <= 1e-15 * Math.max(1, Math.abs(t)) || hi - lo <= 1e-15 * Math.max(1, hi)) return next;
    t = next;
  }
  return t;
}
