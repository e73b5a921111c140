"""The Potjans & Diesmann (2014) microcircuit in Brian2 cpp_standalone, on the synapses Phasor
built (read from files written by bench/microcircuit.js), timed; prints one JSON line.

usage: /usr/bin/python3 bench/microcircuit_brian2.py DIR SECONDS SEED [TRANSIENT]
DIR holds sizes.json, i.int32, j.int32 (global neuron indices), w.float64 (pA), d.float64 (published
delays, s). Rates count spikes after TRANSIENT seconds (default 0). Brian2 integrates exactly, as NEST's
iaf_psc_exp does, and applies a spike's current round(d / dt) steps after the spike's step.
"""
import gc, json, os, resource, sys, tempfile, time

import numpy as np
from brian2 import (NeuronGroup, Synapses, SpikeMonitor, PoissonInput, Network, ms, mV, pA, pF, Hz, second,
                    defaultclock, set_device, seed as brian_seed, device)

src, duration, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
transient = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
meta = json.load(open(os.path.join(src, "sizes.json")))
sizes, kext = meta["sizes"], meta["kExt"]
workdir = tempfile.mkdtemp(prefix="phasor-brian-mc-")
set_device("cpp_standalone", directory=workdir, build_on_run=False)
brian_seed(seed)
defaultclock.dt = 0.1 * ms

t0 = time.perf_counter()
C_m, tau_m, tau_syn, E_L, V_th, V_reset = 250 * pF, 10 * ms, 0.5 * ms, -65 * mV, -50 * mV, -65 * mV
eqs = """
dv/dt = (E_L - v) / tau_m + I / C_m : volt (unless refractory)
dI/dt = -I / tau_syn : amp
"""
N = sum(sizes)
G = NeuronGroup(N, eqs, threshold="v > V_th", reset="v = V_reset", refractory=2 * ms, method="exact")
G.v = "-58*mV + 10*mV*randn()"
i = np.fromfile(os.path.join(src, "i.int32"), dtype=np.int32)
j = np.fromfile(os.path.join(src, "j.int32"), dtype=np.int32)
S = Synapses(G, G, "w : amp", on_pre="I_post += w")
S.connect(i=i, j=j)
n_synapses = int(len(i))
del i, j  # the device keeps its own copies until they are written out (static arrays)
S.w = np.fromfile(os.path.join(src, "w.float64")) * pA
S.delay = np.fromfile(os.path.join(src, "d.float64")) * second
objs, start = [G, S], 0
for n, k in zip(sizes, kext):
    objs.append(PoissonInput(G[start:start + n], "I", N=k, rate=8 * Hz, weight=87.8 * pA))
    start += n
mon = SpikeMonitor(G)
net = Network(*objs, mon)
# Brian2's own run time (last_run_info) is std::clock, CPU time, without OpenMP (templates/network.cpp). The
# compiled binary also writes its run's wall time (CLOCK_MONOTONIC) and CPU time, so the bench shows both.
device.insert_code("before_network_run", "struct timespec phasor_w0, phasor_w1; clock_gettime(CLOCK_MONOTONIC, &phasor_w0); "
                   "std::clock_t phasor_cpu0 = std::clock();")
device.insert_code("after_network_run", "double phasor_cpu = double(std::clock() - phasor_cpu0) / CLOCKS_PER_SEC; "
                   "clock_gettime(CLOCK_MONOTONIC, &phasor_w1); FILE* phasor_f = fopen(\"results/phasor_loop.txt\", \"w\"); "
                   "fprintf(phasor_f, \"%.6f %.6f\", phasor_cpu, (phasor_w1.tv_sec - phasor_w0.tv_sec) + 1e-9 * (phasor_w1.tv_nsec - phasor_w0.tv_nsec)); "
                   "fclose(phasor_f);")
net.run(duration * second)
device.build(directory=workdir, run=False, compile=True)
# The synapses now live in the written static arrays; this process lets go of its copies before the binary
# loads them, so that the two do not hold them at once (at full scale about 7 GB each).
device.static_arrays.clear()
gc.collect()
device.run(directory=workdir, with_output=False, run_args=[])
elapsed = time.perf_counter() - t0
with open(os.path.join(workdir, "results", "phasor_loop.txt")) as f:
    loop_cpu, loop_wall = (float(x) for x in f.read().split())
late = np.asarray(mon.t[:] / second) >= transient
counts = np.bincount(np.asarray(mon.i[:])[late], minlength=N)
rates, start = [], 0
for n in sizes:
    rates.append(float(counts[start:start + n].sum()) / n / (duration - transient))
    start += n
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"variant": "brian2 cpp_standalone", "build_seconds": elapsed - loop_wall,
                  "loop_seconds": loop_wall, "loop_cpu_seconds": loop_cpu, "peak_mb": peak / 1024, "synapses": n_synapses, "rates": rates}))
