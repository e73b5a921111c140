"""Brian2's CUBA example (Vogels & Abbott 2005), timed; prints one JSON line.

usage: /usr/bin/python3 bench/cuba_brian2.py [numpy|cpp_standalone] [seconds] [seed]
"""
import json, sys, tempfile, time

from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, ms, mV, second, defaultclock,
                    prefs, set_device, seed as brian_seed, device)

target = sys.argv[1] if len(sys.argv) > 1 else "numpy"
duration = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1

workdir = tempfile.mkdtemp(prefix="phasor-brian-")
if target == "cpp_standalone":
    set_device("cpp_standalone", directory=workdir, build_on_run=False)
else:
    prefs.codegen.target = "numpy"
brian_seed(seed)
defaultclock.dt = 0.1 * ms

taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
eqs = """
dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
dge/dt = -ge/taue : volt
dgi/dt = -gi/taui : volt
"""
P = NeuronGroup(4000, eqs, threshold="v>Vt", reset="v = Vr", refractory=5 * ms, method="exact")
P.v = "Vr + rand() * (Vt - Vr)"
P.ge = 0 * mV
P.gi = 0 * mV
we = (60 * 0.27 / 10) * mV
wi = (-20 * 4.5 / 10) * mV
Ce = Synapses(P, P, on_pre="ge += we")
Ci = Synapses(P, P, on_pre="gi += wi")
Ce.connect("i<3200", p=0.02)
Ci.connect("i>=3200", p=0.02)
s_mon = SpikeMonitor(P)
net = Network(P, Ce, Ci, s_mon)

t0 = time.perf_counter()
net.run(duration * second)
if target == "cpp_standalone":
    device.build(directory=workdir, run=True, compile=True)
elapsed = time.perf_counter() - t0
# cpp_standalone: the simulation alone, without code generation and compilation.
run_seconds = getattr(device, "_last_run_time", None) if target == "cpp_standalone" else elapsed
rate = s_mon.num_spikes / 4000 / duration
print(json.dumps({"simulator": f"brian2 {target}", "seconds": elapsed, "run_seconds": run_seconds, "rate_hz": rate, "spikes": int(s_mon.num_spikes)}))
