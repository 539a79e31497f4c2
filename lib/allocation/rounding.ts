/**
 * Rounds halves up, as Nodepool's Python 2 `round` did for the non-negative values it saw.
 * JavaScript's Math.round agrees on halves, but `x + 0.5` tricks misround values just under
 * a half, so the fraction is compared directly (it is exact for any double below 2^52).
 */
export function roundHalfUp(value: number): number {
  const whole = Math.floor(value);
  return value - whole >= 0.5 ? whole + 1 : whole;
}
