/**
 * Integrator coefficients. Forward Euler and the exact solution of the linear ODEs over one
 * step with the input held constant (zero-order hold) share one update form, so each kernel
 * runs the same loop with different precomputed coefficients.
 *
 * Leaky membrane, tau dv/dt = (v_leak - v) + r I:
 *   v <- v + c ((v_leak - v) + r I),  c = dt / tau (euler)  or  1 - exp(-dt / tau) (exact).
 * Current-based neuron, tau_syn di/dt = -i + w I, tau_mem dv/dt = (v_leak - v) + r i, exact:
 *   i_inf = w I,  v_ss = v_leak + r i_inf,  j = i - i_inf
 *   i <- i_inf + j a_syn,  v <- v_ss + (v - v_ss) a_mem + r K j,
 *   a = exp(-dt / tau),  K = tau_syn (a_syn - a_mem) / (tau_syn - tau_mem)  (-> (dt / tau) a when equal).
 */

/** Coefficient c of v += c ((v_leak - v) + r I) for a time constant tau. */
export function leakCoefficient(dt: number, tau: number, integrator: "euler" | "exact"): number {
  return integrator === "euler" ? dt / tau : -Math.expm1(-dt / tau);
}

/** Decay factor exp(-dt / tau) over one step. */
export function decay(dt: number, tau: number): number {
  return Math.exp(-dt / tau);
}

/**
 * K of the exact coupled update: the membrane gains r K (i0 - i_inf) over one step from a
 * synaptic current that starts at i0. Written as (dt/tau_mem) a_mem expm1(x)/x with
 * x = dt (1/tau_mem - 1/tau_syn), which stays accurate when tau_syn is close to tau_mem.
 */
export function coupledCoefficient(dt: number, tauMem: number, tauSyn: number): number {
  const x = dt * (1 / tauMem - 1 / tauSyn);
  const ratio = Math.abs(x) < 1e-8 ? 1 + x / 2 : Math.expm1(x) / x;
  return (dt / tauMem) * Math.exp(-dt / tauMem) * ratio;
}
