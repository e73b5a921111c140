"""The Potjans & Diesmann (2014) microcircuit in Brian2 cpp_standalone, on the synapses Phasor
built (read from files written by bench/microcircuit.js), timed; prints one JSON line.

usage: /usr/bin/python3 bench/microcircuit_brian2.py DIR SECONDS SEED [TRANSIENT]
DIR holds sizes.json, i.int32, j.int32 (global neuron indices), w.float64 (pA), d.float64 (published
delays, s). Rates count spikes after TRANSIENT seconds (default 0). Brian2 integrates exactly, as NEST's
iaf_psc_exp does, and applies a spike's current round(d / dt) steps after the spike's step.

Two phases in two process images: this one builds and compiles the project, then replaces itself (exec)
with `--run`, which runs the compiled binary and reads its spike files. At full scale Python holds several
copies of the 0.3 billion synapses while building, and the binary about 20 GB while running: in one process
image the two did not fit this machine together. Peak memory (ru_maxrss) carries across the exec.
"""
import json, os, resource, sys, tempfile, time

import numpy as np
from brian2 import (NeuronGroup, Synapses, SpikeMonitor, PoissonInput, Network, ms, mV, pA, pF, Hz, second,
                    defaultclock, set_device, seed as brian_seed, device)

def run_phase(workdir, src, duration, transient, t0_epoch):
    """Runs the compiled binary, reads its spike monitor's files, prints the JSON line."""
    import glob, shutil, subprocess
    subprocess.run(["./main"], cwd=workdir, check=True, stdout=subprocess.DEVNULL)
    meta = json.load(open(os.path.join(src, "sizes.json")))
    with open(os.path.join(workdir, "results", "phasor_loop.txt")) as f:
        loop_cpu, loop_wall = (float(x) for x in f.read().split())
    res = os.path.join(workdir, "results")
    idx = np.fromfile(glob.glob(os.path.join(res, "_dynamic_array_spikemonitor_i_*"))[0], dtype=np.int32)
    t = np.fromfile(glob.glob(os.path.join(res, "_dynamic_array_spikemonitor_t_*"))[0], dtype=np.float64)
    counts = np.bincount(idx[t >= transient], minlength=sum(meta["sizes"]))
    rates, start = [], 0
    for n in meta["sizes"]:
        rates.append(float(counts[start:start + n].sum()) / n / (duration - transient))
        start += n
    elapsed = time.time() - t0_epoch
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    synapses = os.path.getsize(os.path.join(src, "i.int32")) // 4
    shutil.rmtree(workdir, ignore_errors=True)  # the project's static arrays and results: gigabytes at full scale
    print(json.dumps({"variant": "brian2 cpp_standalone", "build_seconds": elapsed - loop_wall,
                      "loop_seconds": loop_wall, "loop_cpu_seconds": loop_cpu, "peak_mb": peak / 1024, "synapses": synapses, "rates": rates}))


if sys.argv[1] == "--run":
    run_phase(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]))
    sys.exit(0)

src, duration, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
transient = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
meta = json.load(open(os.path.join(src, "sizes.json")))
sizes, kext = meta["sizes"], meta["kExt"]
workdir = tempfile.mkdtemp(prefix="phasor-brian-mc-")
set_device("cpp_standalone", directory=workdir, build_on_run=False)
brian_seed(seed)
defaultclock.dt = 0.1 * ms

t0_epoch = time.time()
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
sys.stdout.flush()
os.execv(sys.executable, [sys.executable, os.path.abspath(__file__), "--run", workdir, src, str(duration), str(transient), repr(t0_epoch)])
