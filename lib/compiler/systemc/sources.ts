/**
 * The C++ of the generated SystemC model, one file per module kind, the same for every Program
 * (the Program is program.dat, read at start-up). Kept here as text so that the emitter needs no
 * files beside the compiled JavaScript; edit the C++ in place (it is plain C++17 with SystemC 2.3).
 */
/* eslint-disable max-len */

/** File name -> text. */
export const SOURCES: Record<string, string> = {
  "CMakeLists.txt": String.raw`cmake_minimum_required(VERSION 3.13)
project(phasor_model CXX)

set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release)
endif()

# SystemC: SYSTEMC_HOME (variable or environment) first, then the system (Debian's libsystemc-dev).
set(SYSTEMC_HOME "$ENV{SYSTEMC_HOME}" CACHE PATH "SystemC installation prefix")
find_path(SYSTEMC_INCLUDE_DIR systemc HINTS ${"${"}SYSTEMC_HOME}/include)
find_library(SYSTEMC_LIBRARY NAMES systemc HINTS ${"${"}SYSTEMC_HOME}/lib ${"${"}SYSTEMC_HOME}/lib-linux64 ${"${"}SYSTEMC_HOME}/lib64)
if(NOT SYSTEMC_INCLUDE_DIR OR NOT SYSTEMC_LIBRARY)
  message(FATAL_ERROR "SystemC not found: install libsystemc-dev, or set SYSTEMC_HOME to a SystemC installation")
endif()
find_package(Threads REQUIRED)

add_executable(phasor_model main.cpp program_id.cpp)
target_include_directories(phasor_model PRIVATE ${"${"}SYSTEMC_INCLUDE_DIR} ${"${"}CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(phasor_model PRIVATE ${"${"}SYSTEMC_LIBRARY} Threads::Threads)
# Bit-exact doubles: no fused multiply-add, no fast math.
target_compile_options(phasor_model PRIVATE -ffp-contract=off -fno-fast-math)
target_compile_definitions(phasor_model PRIVATE PHASOR_DEFAULT_PROGRAM="${"${"}CMAKE_CURRENT_SOURCE_DIR}/program.dat")
`,
  "phasor_arith.h": String.raw`// Neuron arithmetic of every profile, written in the order of operations of Phasor's scalar
// definitions (lib/target/arith/generic.ts, loihi.ts, xylo.ts) and of the behavioural engine
// (lib/vm/neurons.ts), so that doubles and integers match bit for bit. Built with
// -ffp-contract=off: no fused multiply-add may change a rounding.
#pragma once
#include <cmath>

namespace phasor {

/** JavaScript's Math.round: the nearest integer, halves rounded up (towards +infinity). */
inline double js_round(double x) {
  if (!std::isfinite(x)) return x;
  double r = std::floor(x);
  return x - r >= 0.5 ? r + 1 : r;
}

/** 2^e exactly. */
inline double pow2(int e) { return std::ldexp(1.0, e); }

// ---- generic integer profiles (generic.ts): multiply (trunc(x d / 2^bits)), shift (x - floor(x / 2^d)), none ----

enum class Arith { Float, Multiply, Shift, None, Loihi, Xylo };

/** Integer x decayed by code d (intUpdate's dec: the products in the same order). */
inline double decay_fixed(Arith a, double x, double d, double inv) {
  if (a == Arith::Multiply) return std::trunc(x * d * inv);
  if (a == Arith::Shift) return x - std::floor(x * pow2(-static_cast<int>(d)));
  return x;
}

/** x saturated to +-smax. */
inline double saturate(double x, double smax) { return x > smax ? smax : x < -smax ? -smax : x; }

// ---- Loihi (loihi.ts: Lava's PyLifModelBitAcc and PyDenseModelBitAcc) ----

constexpr double LOIHI_V_MAX = 8388607.0;      // 2^23 - 1
constexpr double LOIHI_U_WRAP = 8388608.0;     // 2^23
constexpr double LOIHI_U_SPAN = 16777216.0;    // 2^24

/** x * m / 2^12 rounded toward zero. */
inline double loihi_tz(double x, double m) {
  double p = x * m;
  return p < 0 ? -std::floor(-p / 4096) : std::floor(p / 4096);
}
/** u after one correction into (-2^23, 2^23]. */
inline double loihi_wrap_u(double u) {
  return u > LOIHI_U_WRAP ? u - LOIHI_U_SPAN : u <= -LOIHI_U_WRAP ? u + LOIHI_U_SPAN : u;
}
/** v saturated to +-(2^23 - 1). */
inline double loihi_sat_v(double v) { return v > LOIHI_V_MAX ? LOIHI_V_MAX : v < -LOIHI_V_MAX ? -LOIHI_V_MAX : v; }
/** A Dense's summed activation shifted by its weight exponent (floor when negative). */
inline double loihi_scale_activation(double acc, int e) {
  return e >= 0 ? acc * pow2(e) : std::floor(acc / pow2(-e));
}

// ---- Xylo (xylo.ts: SynSense's xylosim XyloIAFNeuron::evolve) ----

constexpr int XYLO_MAX_HIDDEN_EVENTS = 31;
constexpr int XYLO_MAX_OUTPUT_EVENTS = 1;

/** x saturated to the signed 16-bit range. */
inline double xylo_sat16(double x) { return x > 32767 ? 32767 : x < -32768 ? -32768 : x; }
/** The decrement of a bit-shift decay: x >> dash, or one LSB towards zero when that is 0. */
inline double xylo_decrement(double x, double dash) {
  double d = std::floor(x / pow2(static_cast<int>(dash)));
  return d != 0 ? d : x > 0 ? 1 : x < 0 ? -1 : 0;
}

}  // namespace phasor
`,
  "phasor_program.h": String.raw`// The Program as the model runs it, read at start-up from program.dat (written by
// 'phasor compile --emit systemc'): layers with their neuron parameters (integer codes on
// fixed-point layers, model units on float ones), projections as CSR synapses with delays
// and lags, the used cores and the mesh, and the timing constants in cycles.
#pragma once
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>
#include "phasor_arith.h"

namespace phasor {

/** The host's pseudo core id; it sits at router (0, 0). */
constexpr int HOST = -1;

struct Slice { int core, start, count; };

struct BiasEntry { int from; std::vector<std::vector<double>> ports; };

struct Layer {
  int index = 0;
  std::string name;
  std::string kind;  // input | neuron | readout
  bool chip = false;
  Arith arith = Arith::Float;
  int size = 0;
  bool spiking = false, output = false, cuba = false, integral = false;
  int ports = 1, rings = 1, decay_bits = 0;
  double smax = 0, scale = 1;
  std::vector<int> ring_exp;
  std::vector<Slice> slices;
  std::vector<double> decay_v, threshold, v_reset, v_rest;
  std::vector<std::vector<double>> decay_i;
  std::vector<int> refractory;
  std::vector<BiasEntry> bias_schedule;
  /** Input ring slots: 1 + the largest lag + delay of any projection into the layer. */
  int ring_slots = 1;

  /** The constant input per port in force at step t. */
  const std::vector<std::vector<double>>& bias_at(int t) const {
    const BiasEntry* e = &bias_schedule[0];
    for (size_t k = 1; k < bias_schedule.size() && bias_schedule[k].from <= t; k++) e = &bias_schedule[k];
    return e->ports;
  }
};

struct Projection {
  int index = 0;
  std::string name;
  int src = 0, dst = 0, port = 0, ring = 0, weight_exp = 0, lag = 0;
  std::vector<int> indptr, indices, delay;
  std::vector<double> weight;

  /** First synapse position in row k whose target is >= x. */
  int lower_bound(int k, int x) const {
    return static_cast<int>(std::lower_bound(indices.begin() + indptr[k], indices.begin() + indptr[k + 1], x) - indices.begin());
  }
};

struct CoreInfo { int id, x, y; };

/** A token reader over program.dat or an input file. */
class Reader {
 public:
  Reader(const std::string& path, const std::string& what) : path_(path) {
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot read " + what + " " + path);
    std::stringstream ss;
    ss << f.rdbuf();
    text_ = ss.str();
  }
  std::string word() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) pos_++;
    size_t s = pos_;
    while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_]))) pos_++;
    if (s == pos_) fail("unexpected end of file");
    return text_.substr(s, pos_ - s);
  }
  void expect(const std::string& w) {
    std::string got = word();
    if (got != w) fail("expected '" + w + "', found '" + got + "'");
  }
  double number() {
    std::string w = word();
    char* end = nullptr;
    double x = std::strtod(w.c_str(), &end);
    if (*end) fail("not a number: '" + w + "'");
    return x;
  }
  int integer() { return static_cast<int>(number()); }
  std::vector<double> numbers(const std::string& key) {
    expect(key);
    std::vector<double> a(integer());
    for (double& x : a) x = number();
    return a;
  }
  std::vector<int> integers(const std::string& key) {
    std::vector<double> a = numbers(key);
    return std::vector<int>(a.begin(), a.end());
  }
  bool at_end() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) pos_++;
    return pos_ >= text_.size();
  }
  [[noreturn]] void fail(const std::string& msg) const { throw std::runtime_error(path_ + ": " + msg); }

 private:
  std::string path_, text_;
  size_t pos_ = 0;
};

/** A percent-encoded name decoded. */
inline std::string decode_name(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '%' && i + 2 < s.size()) { out += static_cast<char>(std::strtol(s.substr(i + 1, 2).c_str(), nullptr, 16)); i += 2; }
    else out += s[i];
  }
  return out;
}

inline Arith arith_of(const std::string& a) {
  static const std::map<std::string, Arith> names = {{"float", Arith::Float}, {"multiply", Arith::Multiply}, {"shift", Arith::Shift},
                                                     {"none", Arith::None}, {"loihi", Arith::Loihi}, {"xylo", Arith::Xylo}};
  auto it = names.find(a);
  if (it == names.end()) throw std::runtime_error("unknown arithmetic " + a);
  return it->second;
}

struct Program {
  std::string hash, target;
  int mesh_w = 1, mesh_h = 1;
  bool multicast = false, subtract = false;
  double dt = 0;
  std::map<std::string, double> timing;
  std::vector<CoreInfo> cores;
  std::vector<Layer> layers;
  std::vector<Projection> projections;
  /** Outgoing projections of each layer, in projection order (the behavioural scatter order). */
  std::vector<std::vector<int>> outgoing;

  double time(const std::string& key) const {
    auto it = timing.find(key);
    if (it == timing.end()) throw std::runtime_error("program.dat has no timing constant " + key);
    return it->second;
  }

  /** Router (x, y) of a core (the host at (0, 0)). */
  std::pair<int, int> router_of(int core) const {
    if (core == HOST) return {0, 0};
    for (const CoreInfo& c : cores) if (c.id == core) return {c.x, c.y};
    throw std::runtime_error("unknown core " + std::to_string(core));
  }

  static Program load(const std::string& path) {
    Reader r(path, "program data");
    Program p;
    r.expect("phasor-systemc-program");
    if (r.integer() != 1) r.fail("this model reads program data version 1");
    r.expect("hash"); p.hash = r.word();
    r.expect("target"); p.target = decode_name(r.word());
    r.expect("mesh"); p.mesh_w = r.integer(); p.mesh_h = r.integer(); r.expect("multicast"); p.multicast = r.integer();
    r.expect("dt"); p.dt = r.number(); r.expect("subtract"); p.subtract = r.integer();
    std::string w = r.word();
    while (w == "timing") { std::string k = r.word(); p.timing[k] = r.number(); w = r.word(); }
    if (w != "cores") r.fail("expected 'cores', found '" + w + "'");
    p.cores.resize(r.integer());
    for (CoreInfo& c : p.cores) { r.expect("core"); c.id = r.integer(); c.x = r.integer(); c.y = r.integer(); }
    r.expect("layers");
    p.layers.resize(r.integer());
    for (Layer& l : p.layers) read_layer(r, l);
    r.expect("projections");
    p.projections.resize(r.integer());
    for (Projection& pr : p.projections) read_projection(r, pr);
    r.expect("end");
    p.outgoing.resize(p.layers.size());
    for (const Projection& pr : p.projections) {
      p.outgoing[pr.src].push_back(pr.index);
      int most = 0;
      for (int d : pr.delay) most = std::max(most, d);
      Layer& d = p.layers[pr.dst];
      d.ring_slots = std::max(d.ring_slots, pr.lag + most + 1);
    }
    return p;
  }

 private:
  static void read_layer(Reader& r, Layer& l) {
    r.expect("layer");
    l.index = r.integer(); l.name = decode_name(r.word()); l.kind = r.word(); l.chip = r.word() == "chip"; l.arith = arith_of(r.word());
    r.expect("size"); l.size = r.integer(); r.expect("spiking"); l.spiking = r.integer(); r.expect("output"); l.output = r.integer();
    r.expect("cuba"); l.cuba = r.integer(); r.expect("ports"); l.ports = r.integer(); r.expect("rings"); l.rings = r.integer();
    r.expect("decayBits"); l.decay_bits = r.integer(); r.expect("smax"); l.smax = r.number(); r.expect("scale"); l.scale = r.number();
    r.expect("integral"); l.integral = r.integer();
    l.ring_exp = r.integers("ringExp");
    r.expect("slices");
    l.slices.resize(r.integer());
    for (Slice& s : l.slices) { s.core = r.integer(); s.start = r.integer(); s.count = r.integer(); }
    if (l.kind != "input") {
      l.decay_v = r.numbers("decayV");
      r.expect("decayI");
      l.decay_i.resize(r.integer());
      for (auto& d : l.decay_i) d = r.numbers("port");
      l.threshold = r.numbers("threshold"); l.v_reset = r.numbers("vReset"); l.v_rest = r.numbers("vRest");
      l.refractory = r.integers("refractory");
      r.expect("biasSchedule");
      l.bias_schedule.resize(r.integer());
      for (BiasEntry& e : l.bias_schedule) {
        r.expect("from"); e.from = r.integer(); r.expect("ports");
        e.ports.resize(r.integer());
        for (auto& b : e.ports) b = r.numbers("port");
      }
    }
    r.expect("end-layer");
  }

  static void read_projection(Reader& r, Projection& p) {
    r.expect("projection");
    p.index = r.integer(); p.name = decode_name(r.word());
    r.expect("src"); p.src = r.integer(); r.expect("dst"); p.dst = r.integer(); r.expect("port"); p.port = r.integer();
    r.expect("ring"); p.ring = r.integer(); r.expect("weightExp"); p.weight_exp = r.integer(); r.expect("lag"); p.lag = r.integer();
    p.indptr = r.integers("indptr"); p.indices = r.integers("indices"); p.weight = r.numbers("weight"); p.delay = r.integers("delay");
    r.expect("end-projection");
  }
};

}  // namespace phasor
`,
  "phasor_neurons.h": String.raw`// One slice of a layer (the neurons [start, end) a core holds): its state and its update at a
// step, per arithmetic profile, in the order of the behavioural engine (lib/vm/neurons.ts):
// the currents first (their old values drive v), refractory neurons held at v_reset, spikes
// when v > threshold (Xylo: events while v >= threshold), reset to v_reset or by subtraction.
#pragma once
#include <vector>
#include "phasor_arith.h"
#include "phasor_program.h"

namespace phasor {

/** State of a slice: v, the currents, the refractory end, the input rings and this step's outputs. */
struct SliceState {
  const Layer* l = nullptr;
  int start = 0, count = 0;
  std::vector<double> v, until;
  std::vector<std::vector<double>> cur;
  /** ring[r][slot][j]: what arrives on ring r (a port, or a Loihi projection) at a step with t mod D = slot. */
  std::vector<std::vector<std::vector<double>>> ring;
  /** This step's outputs: (neuron index in the layer, value), ascending. */
  std::vector<std::pair<int, double>> out;

  void init(const Layer& layer, int s, int n) {
    l = &layer; start = s; count = n;
    v.assign(n, 0.0); until.assign(n, 0.0);
    if (layer.kind != "input") for (int j = 0; j < n; j++) v[j] = layer.v_rest[s + j];
    cur.assign(layer.cuba ? layer.ports : 0, std::vector<double>(n, 0.0));
    ring.assign(layer.rings, std::vector<std::vector<double>>(layer.ring_slots, std::vector<double>(n, 0.0)));
  }

  /** Adds x to neuron k's ring r at step t. */
  void add(int r, int t, int k, double x) { ring[r][t % l->ring_slots][k - start] += x; }

  /** Updates the slice at step t; 'subtract' is the Program's reset by subtraction. */
  void update(int t, bool subtract) {
    out.clear();
    int slot = t % l->ring_slots;
    if (l->kind == "readout") { for (auto& r : ring) std::fill(r[slot].begin(), r[slot].end(), 0.0); return; }
    const auto& bias = l->bias_at(t);
    switch (l->arith) {
      case Arith::Float: update_float(t, slot, bias, subtract); break;
      case Arith::Loihi: update_loihi(t, slot, bias[0], subtract); break;
      case Arith::Xylo: update_xylo(slot, bias[0]); break;
      default: update_int(t, slot, bias, subtract); break;
    }
    for (auto& r : ring) std::fill(r[slot].begin(), r[slot].end(), 0.0);
  }

 private:
  /** Threshold, reset and refractory period after the membrane's new value x (float and integer profiles). */
  void fire(int t, int j, double x, bool subtract, double graded) {
    int k = start + j;
    if (l->spiking && x > l->threshold[k]) {
      v[j] = subtract ? x - l->threshold[k] : l->v_reset[k];
      until[j] = t + 1 + l->refractory[k];
      out.emplace_back(k, 1.0);
    } else {
      v[j] = x;
      if (!l->spiking && x != 0) out.emplace_back(k, graded);
    }
  }

  void update_float(int t, int slot, const std::vector<std::vector<double>>& bias, bool subtract) {
    const int P = static_cast<int>(cur.size());
    for (int j = 0; j < count; j++) {
      int k = start + j;
      double drive;
      if (P == 0) drive = ring[0][slot][j] + bias[0][k];
      else if (P <= 2) {
        drive = cur[0][j];
        cur[0][j] = l->decay_i[0][k] * cur[0][j] + (ring[0][slot][j] + bias[0][k]);
        if (P == 2) { drive += cur[1][j]; cur[1][j] = l->decay_i[1][k] * cur[1][j] + (ring[1][slot][j] + bias[1][k]); }
      } else {
        drive = 0;
        for (int p = 0; p < P; p++) { drive += cur[p][j]; cur[p][j] = l->decay_i[p][k] * cur[p][j] + (ring[p][slot][j] + bias[p][k]); }
      }
      if (until[j] > t) { v[j] = l->v_reset[k]; continue; }
      double x = l->decay_v[k] * v[j] + (1 - l->decay_v[k]) * l->v_rest[k] + drive;
      fire(t, j, x, subtract, x);
    }
  }

  void update_int(int t, int slot, const std::vector<std::vector<double>>& bias, bool subtract) {
    const int P = static_cast<int>(cur.size());
    const double inv = pow2(-l->decay_bits), smax = l->smax;
    auto rnd = [&](double x) { return l->integral ? x : js_round(x); };
    for (int j = 0; j < count; j++) {
      int k = start + j;
      double drive;
      if (P == 0) drive = rnd(ring[0][slot][j]) + bias[0][k];
      else {
        drive = P <= 2 ? cur[0][j] : 0.0;
        for (int p = 0; p < P; p++) {
          if (P > 2 || p > 0) drive += cur[p][j];
          cur[p][j] = saturate(decay_fixed(l->arith, cur[p][j], l->decay_i[p][k], inv) + rnd(ring[p][slot][j]) + bias[p][k], smax);
        }
      }
      if (until[j] > t) { v[j] = l->v_reset[k]; continue; }
      double x = saturate(l->v_rest[k] + decay_fixed(l->arith, v[j] - l->v_rest[k], l->decay_v[k], inv) + drive, smax);
      fire(t, j, x, subtract, x * l->scale);
    }
  }

  void update_loihi(int t, int slot, const std::vector<double>& bias, bool subtract) {
    const int R = static_cast<int>(ring.size());
    for (int j = 0; j < count; j++) {
      int k = start + j;
      double a = 0;
      for (int c = 0; c < R; c++) {
        double x = ring[c][slot][j];
        a += loihi_scale_activation(l->integral ? x : js_round(x), l->ring_exp[c]);
      }
      double u1 = loihi_wrap_u(loihi_tz(cur[0][j], l->decay_i[0][k]) + a * 64);
      cur[0][j] = u1;
      if (until[j] > t) { v[j] = l->v_reset[k]; continue; }
      double x = loihi_sat_v(loihi_tz(v[j], l->decay_v[k]) + u1 + bias[k]);
      fire(t, j, x, subtract, x * l->scale);
    }
  }

  void update_xylo(int slot, const std::vector<double>& bias) {
    const int P = static_cast<int>(cur.size()), most = l->output ? XYLO_MAX_OUTPUT_EVENTS : XYLO_MAX_HIDDEN_EVENTS;
    for (int j = 0; j < count; j++) {
      int k = start + j;
      double total = 0;
      for (int p = 0; p < P; p++) {
        double x = ring[p][slot][j], i = xylo_sat16(cur[p][j] + (l->integral ? x : js_round(x)));
        cur[p][j] = i - xylo_decrement(i, l->decay_i[p][k]);
        total += cur[p][j];
      }
      double x = xylo_sat16(v[j] + xylo_sat16(xylo_sat16(-xylo_decrement(v[j], l->decay_v[k]) + total) + bias[k]));
      int events = 0;
      while (x >= l->threshold[k] && events < most) { events++; x -= l->threshold[k]; }
      v[j] = x;
      if (events) out.emplace_back(k, static_cast<double>(events));
    }
  }
};

}  // namespace phasor
`,
  "phasor_packet.h": String.raw`// What travels the mesh (a spike, or a unit's end-of-phase token) and what every module of the
// system shares: the step being run, packets in flight, the barrier's wake-up and the counters.
#pragma once
#include <cstdint>
#include <ostream>
#include <systemc>
#include <vector>

namespace phasor {

/** A spike of neuron k of layer 'layer' made at 'step' (value 1, a count of events, or a graded value), or a token of unit 'unit'. */
struct Packet {
  int layer = -1, k = -1, step = 0, unit = -1;
  double value = 0;
  bool token = false;
  /** Destination cores still to reach from here (a multicast packet branches at routers). */
  std::vector<int> dests;
};

inline std::ostream& operator<<(std::ostream& os, const Packet& p) {
  return os << (p.token ? "token " : "spike ") << p.layer << ":" << p.k << "@" << p.step;
}

/** Run-wide counters (totals), as the registers of the TLM target expose them. */
struct Counters {
  std::uint64_t steps = 0, spikes = 0, packets = 0, hops = 0, syn_ops = 0, neuron_updates = 0, local = 0;
};

/** State shared by the cores, routers and the barrier. */
struct Fabric {
  int step = 0;
  /** Packets (and branches of multicast packets) injected and not yet delivered. */
  long in_flight = 0;
  /** Units that finished this step. */
  int units_done = 0;
  sc_core::sc_event check;
  Counters counters;
  /** One cycle of the target's clock in simulated time. */
  sc_core::sc_time cycle;

  void delivered() { if (--in_flight == 0) check.notify(sc_core::SC_ZERO_TIME); }
  sc_core::sc_time cycles(double n) const { return cycle * n; }
};

}  // namespace phasor
`,
  "phasor_core.h": String.raw`// A core (and the host, core -1): one SC_MODULE holding the slices of layers the compiler
// placed on it. A receive process takes packets from its router: spikes become arrivals of
// the units they reach, tokens release units whose within-step sources are all done. A compute
// process runs each released unit: applies its due arrivals in the behavioural engine's order
// (step, source layer, projection, neuron), updates its neurons, and injects one packet per
// spike (one per destination core without multicast) and then its token into the router.
#pragma once
#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <systemc>
#include <vector>
#include "phasor_neurons.h"
#include "phasor_packet.h"
#include "phasor_program.h"

namespace phasor {

/** A spike received by a unit, applied to its input ring when the unit next updates. */
struct Arrival { int step, layer, proj, k; double value; };

/** One slice of a layer on one core (or on the host). */
struct Unit {
  int id = 0, layer = 0, core = 0, start = 0, end = 0;
  /** Units whose tokens this unit waits for within a step; cores its own token goes to. */
  std::vector<int> sources, token_cores;
  int tokens = 0;
  bool done = false;
  std::vector<Arrival> arrivals;
  SliceState state;
};

/** Something a router delivers packets to. */
struct Endpoint {
  virtual ~Endpoint() = default;
  virtual sc_core::sc_fifo<Packet>& inbox() = 0;
};

/** A spike logged by a core: layer, neuron, value. */
struct Spike { int layer, k; double value; };

SC_MODULE(Core), public Endpoint {
  const int id;
  sc_core::sc_fifo<Packet> in;
  /** Where this core injects packets (its router's local input). */
  sc_core::sc_fifo<Packet>* router_in = nullptr;
  std::vector<Unit*> units;
  /** This step's spikes, in completion order (the barrier sorts them). */
  std::vector<Spike> log;
  /** The host's input for the coming step, per input layer: (neuron, value). */
  std::map<int, std::vector<std::pair<int, double>>>* inputs = nullptr;

  Core(sc_core::sc_module_name n, int core_id, const Program& p, Fabric& f, const std::vector<std::vector<std::vector<int>>>& dests, int depth)
      : sc_module(n), id(core_id), in("in", depth), prog_(p), fab_(f), dests_(dests) {
    SC_THREAD(receive);
    SC_THREAD(compute);
  }
  SC_HAS_PROCESS(Core);

  sc_core::sc_fifo<Packet>& inbox() override { return in; }

  /** Starts step t (the barrier calls this once tokens and flags are reset). */
  void start_step() { start_.notify(sc_core::SC_ZERO_TIME); }

  /** Called when a unit's last source token arrived (or at the step's start for units without sources). */
  void release(Unit* u) { ready_.push_back(u); wake_.notify(sc_core::SC_ZERO_TIME); }

  /** Tokens of all units by id (set by the system). */
  std::vector<Unit*>* all_units = nullptr;

 private:
  const Program& prog_;
  Fabric& fab_;
  const std::vector<std::vector<std::vector<int>>>& dests_;
  sc_core::sc_event start_, wake_;
  std::deque<Unit*> ready_;

  bool host() const { return id == HOST; }

  void receive() {
    for (;;) {
      Packet p = in.read();
      if (p.token) {
        for (Unit* u : units)
          if (std::find(u->sources.begin(), u->sources.end(), p.unit) != u->sources.end() && ++u->tokens == static_cast<int>(u->sources.size())) release(u);
      } else {
        long n = 0;
        for (Unit* u : units) n += accept(*u, p);
        fab_.counters.syn_ops += n;
        if (n && !host()) wait(fab_.cycles(prog_.time("receive") + n * prog_.time("synOp")));
      }
      fab_.delivered();
    }
  }

  /** Keeps the packet as an arrival of unit u where a projection into u's layer reaches u's neurons; returns the synapses reached. */
  long accept(Unit& u, const Packet& p) {
    long n = 0;
    for (int pi : prog_.outgoing[p.layer]) {
      const Projection& pr = prog_.projections[pi];
      if (pr.dst != u.layer) continue;
      int c = pr.lower_bound(p.k, u.end) - pr.lower_bound(p.k, u.start);
      if (c > 0) { n += c; u.arrivals.push_back({p.step, p.layer, pi, p.k, p.value}); }
    }
    return n;
  }

  void compute() {
    for (;;) {
      wait(start_);
      int done = 0, mine = static_cast<int>(units.size());
      for (Unit* u : units) if (u->sources.empty()) ready_.push_back(u);
      while (done < mine) {
        if (ready_.empty()) { wait(wake_); continue; }
        Unit* u = ready_.front();
        ready_.pop_front();
        run(*u);
        done++;
      }
    }
  }

  /** Applies due arrivals (earlier steps, and this step's on projections without lag) in the behavioural engine's order. */
  void apply_arrivals(Unit& u, int t) {
    std::vector<Arrival> due, keep;
    for (const Arrival& a : u.arrivals) (a.step < t || prog_.projections[a.proj].lag == 0 ? due : keep).push_back(a);
    std::stable_sort(due.begin(), due.end(), [](const Arrival& x, const Arrival& y) {
      return x.step != y.step ? x.step < y.step : x.layer != y.layer ? x.layer < y.layer : x.proj != y.proj ? x.proj < y.proj : x.k < y.k;
    });
    for (const Arrival& a : due) {
      const Projection& pr = prog_.projections[a.proj];
      for (int q = pr.lower_bound(a.k, u.start), e = pr.lower_bound(a.k, u.end); q < e; q++)
        u.state.add(pr.ring, a.step + pr.lag + (pr.delay.empty() ? 0 : pr.delay[q]), pr.indices[q], pr.weight[q] * a.value);
    }
    u.arrivals.swap(keep);
  }

  void run(Unit& u) {
    const int t = fab_.step;
    const Layer& l = prog_.layers[u.layer];
    apply_arrivals(u, t);
    if (l.kind == "input") feed(u);
    else {
      if (!host()) wait(fab_.cycles(u.state.count * prog_.time("neuronUpdate")));
      u.state.update(t, prog_.subtract);
      if (l.kind == "neuron") fab_.counters.neuron_updates += u.state.count;
    }
    for (const auto& [k, x] : u.state.out) {
      if (l.spiking) { log.push_back({u.layer, k, x}); fab_.counters.spikes++; }
      const std::vector<int>& d = dests_[u.layer][k];
      if (d.empty()) continue;
      if (!host()) wait(fab_.cycles(prog_.time("emit")));
      Packet p;
      p.layer = u.layer; p.k = k; p.step = t; p.value = x;
      inject(p, d);
    }
    Packet tok;
    tok.layer = u.layer; tok.step = t; tok.token = true; tok.unit = u.id;
    if (!u.token_cores.empty()) inject(tok, u.token_cores);
    u.done = true;
    fab_.units_done++;
    fab_.check.notify(sc_core::SC_ZERO_TIME);
  }

  /** The input layer's values for this step, ascending neuron order (nonzero only). */
  void feed(Unit& u) {
    u.state.out.clear();
    auto it = inputs->find(u.layer);
    if (it == inputs->end()) return;
    std::map<int, double> sum;
    for (const auto& [k, x] : it->second) sum[k] += x;
    for (const auto& [k, x] : sum) if (x != 0) u.state.out.emplace_back(k, x);
  }

  /** Sends p to cores d: one multicast packet, or one packet per destination. */
  void inject(Packet p, const std::vector<int>& d) {
    if (prog_.multicast || p.token) {
      p.dests = d;
      send(p);
    } else {
      for (int c : d) { p.dests = {c}; send(p); }
    }
  }

  void send(const Packet& p) {
    fab_.in_flight++;
    if (!p.token) fab_.counters.packets++;
    router_in->write(p);
  }
};

}  // namespace phasor
`,
  "phasor_router.h": String.raw`// A mesh router: one SC_MODULE per (x, y), with a bounded input FIFO per port (local, and one
// per neighbour: the link into this router). Packets follow dimension-order routes (X, then Y);
// a multicast packet branches where its destinations' next hops differ. A full FIFO blocks the
// process writing into it, so a congested link stalls the router upstream and, through it, the
// sending core (backpressure).
#pragma once
#include <array>
#include <map>
#include <string>
#include <systemc>
#include <vector>
#include "phasor_core.h"
#include "phasor_packet.h"
#include "phasor_program.h"

namespace phasor {

/** Ports of a router: the local port and the links from the four neighbours. */
enum Port { LOCAL = 0, EAST = 1, WEST = 2, NORTH = 3, SOUTH = 4 };

SC_MODULE(Router) {
  const int x, y;
  /** Input FIFOs; in[EAST] is the link from the neighbour to the east, and so on. */
  std::array<sc_core::sc_fifo<Packet>*, 5> in{};
  /** Neighbour routers by direction (null at the mesh's edge). */
  std::array<Router*, 5> next{};
  /** Cores (and the host) attached to this router, by core id. */
  std::map<int, Endpoint*> local;

  Router(sc_core::sc_module_name n, int rx, int ry, const Program& p, Fabric& f, int depth) : sc_module(n), x(rx), y(ry), prog_(p), fab_(f) {
    static const char* names[] = {"local", "from_east", "from_west", "from_north", "from_south"};
    for (int d = 0; d < 5; d++) {
      in[d] = new sc_core::sc_fifo<Packet>(names[d], depth);
      sc_core::sc_spawn(sc_bind(&Router::forward, this, d), (std::string(names[d]) + "_proc").c_str());
    }
  }
  ~Router() override { for (auto* f : in) delete f; }

 private:
  const Program& prog_;
  Fabric& fab_;

  /** The process of input port d: deliver what is local, forward the rest one hop per outgoing direction. */
  void forward(int d) {
    for (;;) {
      Packet p = in[d]->read();
      std::map<int, std::vector<int>> groups;
      std::vector<int> here;
      for (int c : p.dests) {
        auto [dx, dy] = prog_.router_of(c);
        if (dx == x && dy == y) here.push_back(c);
        else groups[x < dx ? EAST : x > dx ? WEST : y < dy ? NORTH : SOUTH].push_back(c);
      }
      long branches = static_cast<long>(here.size() + groups.size());
      if (branches == 0) { fab_.delivered(); continue; }
      fab_.in_flight += branches - 1;
      for (int c : here) {
        Packet q = p;
        q.dests = {c};
        if (!p.token) fab_.counters.local++;
        local.at(c)->inbox().write(q);
      }
      for (auto& [dir, g] : groups) {
        Packet q = p;
        q.dests = g;
        wait(fab_.cycles(prog_.time(dir == NORTH || dir == SOUTH ? "hopNS" : "hop")));
        if (!p.token) fab_.counters.hops++;
        Router* r = next[dir];
        static const int opposite[] = {LOCAL, WEST, EAST, SOUTH, NORTH};
        r->in[opposite[dir]]->write(q);
      }
    }
  }
};

}  // namespace phasor
`,
  "phasor_barrier.h": String.raw`// The timestep barrier: starts a step on every core, waits until every unit is done and the
// mesh is empty, then collects the step's spikes (each layer's in ascending neuron order, as
// the behavioural engine lists them), spends the barrier's cycles and records the step's length.
#pragma once
#include <algorithm>
#include <functional>
#include <map>
#include <systemc>
#include <vector>
#include "phasor_core.h"
#include "phasor_packet.h"
#include "phasor_program.h"

namespace phasor {

/** A spike of the finished step as the host reads it. */
struct OutSpike { int step, layer, k; double value; };

SC_MODULE(Barrier) {
  std::vector<Core*> cores;
  std::vector<Unit*> units;
  /** Cycles of every finished step. */
  std::vector<double> step_cycles;
  /** Called with each finished step's spikes, sorted by layer then neuron. */
  std::function<void(const std::vector<OutSpike>&)> on_spikes;
  /** The host's inputs of the coming step (consumed by each step). */
  std::map<int, std::vector<std::pair<int, double>>>* inputs = nullptr;

  Barrier(sc_core::sc_module_name n, const Program& p, Fabric& f) : sc_module(n), prog_(p), fab_(f) {}

  /** Runs 'steps' steps from the calling process (blocks in simulated time). */
  void run(int steps) {
    for (int s = 0; s < steps; s++) step();
  }

 private:
  const Program& prog_;
  Fabric& fab_;

  void step() {
    const sc_core::sc_time t0 = sc_core::sc_time_stamp();
    for (Unit* u : units) { u->tokens = 0; u->done = false; }
    fab_.units_done = 0;
    for (Core* c : cores) { c->log.clear(); c->start_step(); }
    while (fab_.units_done < static_cast<int>(units.size()) || fab_.in_flight > 0) wait(fab_.check);
    std::vector<OutSpike> out;
    for (Core* c : cores) for (const Spike& s : c->log) out.push_back({fab_.step, s.layer, s.k, s.value});
    std::sort(out.begin(), out.end(), [](const OutSpike& a, const OutSpike& b) { return a.layer != b.layer ? a.layer < b.layer : a.k < b.k; });
    wait(fab_.cycles(prog_.time("barrier")));
    step_cycles.push_back((sc_core::sc_time_stamp() - t0) / fab_.cycle);
    fab_.counters.steps++;
    fab_.step++;
    if (inputs) inputs->clear();
    if (on_spikes) on_spikes(out);
  }
};

}  // namespace phasor
`,
  "phasor_host.h": String.raw`// The host interface: a TLM-2.0 target (simple_target_socket, blocking b_transport) through
// which a host (a user's virtual platform) injects input spikes, runs steps, and reads output
// spikes and counters. Registers are little-endian; see docs/systemc.md for the map.
//
//   0x000 ID          R   0x50485343 ("PHSC")          0x004 VERSION  R  1
//   0x008 STEP        R   the next step to run          0x00C RUN      W  run N steps (blocks)
//   0x010 INJECT      W   (input layer << 24) | neuron: an input of the next step, value INJECT_VALUE
//   0x018 INJECT_VALUE RW 8 bytes, IEEE double (1.0 after reset)
//   0x020 OUT_COUNT   R   spikes waiting                0x024 OUT_POP  R  (layer << 24) | neuron, 0xFFFFFFFF if none
//   0x028 OUT_STEP    R   step of the last popped spike 0x030 OUT_VALUE R 8 bytes, its value (double)
//   0x038 LAST_STEP_CYCLES R 8 bytes, double
//   0x040.. counters, 8 bytes each: steps, spikes, packets, hops, synaptic ops, neuron updates, local deliveries
//   0x078 TOTAL_CYCLES R 8 bytes, double
//   0x100 PROGRAM_HASH R 64 bytes, the Program's sha256 in hex (ASCII)
#pragma once
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include <vector>
#include "phasor_barrier.h"
#include "phasor_packet.h"
#include "phasor_program.h"

namespace phasor {

namespace reg {
constexpr std::uint64_t ID = 0x000, VERSION = 0x004, STEP = 0x008, RUN = 0x00C, INJECT = 0x010, INJECT_VALUE = 0x018;
constexpr std::uint64_t OUT_COUNT = 0x020, OUT_POP = 0x024, OUT_STEP = 0x028, OUT_VALUE = 0x030, LAST_STEP_CYCLES = 0x038;
constexpr std::uint64_t COUNTERS = 0x040, TOTAL_CYCLES = 0x078, PROGRAM_HASH = 0x100;
constexpr std::uint32_t MAGIC = 0x50485343;
constexpr std::uint32_t EMPTY = 0xFFFFFFFF;
}  // namespace reg

SC_MODULE(HostTarget) {
  tlm_utils::simple_target_socket<HostTarget> socket;

  HostTarget(sc_core::sc_module_name n, const Program& p, Fabric& f, Barrier& b, std::map<int, std::vector<std::pair<int, double>>>& inputs)
      : sc_module(n), socket("socket"), prog_(p), fab_(f), barrier_(b), inputs_(inputs) {
    socket.register_b_transport(this, &HostTarget::b_transport);
    for (const Layer& l : p.layers) if (l.kind == "input") input_layers_.push_back(l.index);
    barrier_.on_spikes = [this](const std::vector<OutSpike>& s) { out_.insert(out_.end(), s.begin(), s.end()); };
  }

  /** Layer index of the n-th input layer. */
  const std::vector<int>& input_layers() const { return input_layers_; }

 private:
  const Program& prog_;
  Fabric& fab_;
  Barrier& barrier_;
  std::map<int, std::vector<std::pair<int, double>>>& inputs_;
  std::vector<int> input_layers_;
  std::deque<OutSpike> out_;
  double inject_value_ = 1.0;
  OutSpike last_{0, 0, 0, 0};

  void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    const std::uint64_t a = tx.get_address();
    const unsigned len = tx.get_data_length();
    unsigned char* data = tx.get_data_ptr();
    if (tx.get_byte_enable_ptr() || tx.get_streaming_width() < len) { tx.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE); return; }
    // Time the initiator accumulated (loosely timed) is spent before the access takes effect.
    if (delay != sc_core::SC_ZERO_TIME) { wait(delay); delay = sc_core::SC_ZERO_TIME; }
    bool ok = tx.is_write() ? write(a, data, len) : tx.is_read() ? read(a, data, len) : false;
    tx.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
  }

  template <typename T> static bool put(unsigned char* d, unsigned len, T x) {
    if (len != sizeof(T)) return false;
    std::memcpy(d, &x, sizeof(T));
    return true;
  }
  template <typename T> static bool get(const unsigned char* d, unsigned len, T& x) {
    if (len != sizeof(T)) return false;
    std::memcpy(&x, d, sizeof(T));
    return true;
  }

  bool read(std::uint64_t a, unsigned char* d, unsigned len) {
    const Counters& c = fab_.counters;
    const std::uint64_t counters[] = {c.steps, c.spikes, c.packets, c.hops, c.syn_ops, c.neuron_updates, c.local};
    switch (a) {
      case reg::ID: return put<std::uint32_t>(d, len, reg::MAGIC);
      case reg::VERSION: return put<std::uint32_t>(d, len, 1);
      case reg::STEP: return put<std::uint32_t>(d, len, fab_.step);
      case reg::INJECT_VALUE: return put<double>(d, len, inject_value_);
      case reg::OUT_COUNT: return put<std::uint32_t>(d, len, static_cast<std::uint32_t>(out_.size()));
      case reg::OUT_POP: {
        if (out_.empty()) return put<std::uint32_t>(d, len, reg::EMPTY);
        if (len != 4) return false;
        last_ = out_.front();
        out_.pop_front();
        return put<std::uint32_t>(d, len, (static_cast<std::uint32_t>(last_.layer) << 24) | static_cast<std::uint32_t>(last_.k));
      }
      case reg::OUT_STEP: return put<std::uint32_t>(d, len, last_.step);
      case reg::OUT_VALUE: return put<double>(d, len, last_.value);
      case reg::LAST_STEP_CYCLES: return put<double>(d, len, barrier_.step_cycles.empty() ? 0.0 : barrier_.step_cycles.back());
      case reg::TOTAL_CYCLES: {
        double s = 0;
        for (double x : barrier_.step_cycles) s += x;
        return put<double>(d, len, s);
      }
      default: break;
    }
    if (a >= reg::COUNTERS && a < reg::COUNTERS + 8 * 7 && (a - reg::COUNTERS) % 8 == 0) return put<std::uint64_t>(d, len, counters[(a - reg::COUNTERS) / 8]);
    if (a >= reg::PROGRAM_HASH && a + len <= reg::PROGRAM_HASH + 64 && prog_.hash.size() == 64) {
      std::memcpy(d, prog_.hash.data() + (a - reg::PROGRAM_HASH), len);
      return true;
    }
    return false;
  }

  bool write(std::uint64_t a, const unsigned char* d, unsigned len) {
    std::uint32_t w = 0;
    switch (a) {
      case reg::RUN:
        if (!get(d, len, w)) return false;
        barrier_.run(static_cast<int>(w));
        return true;
      case reg::INJECT: {
        if (!get(d, len, w)) return false;
        std::uint32_t layer = w >> 24, k = w & 0xFFFFFF;
        if (layer >= input_layers_.size() || static_cast<int>(k) >= prog_.layers[input_layers_[layer]].size) return false;
        inputs_[input_layers_[layer]].emplace_back(static_cast<int>(k), inject_value_);
        return true;
      }
      case reg::INJECT_VALUE: return get(d, len, inject_value_);
      default: return false;
    }
  }
};

}  // namespace phasor
`,
  "phasor_system.h": String.raw`// The compiled system: one Core per used core plus the host (core -1, input and host layers),
// one Router per mesh position in the used part of the mesh (links between neighbours are the
// routers' bounded input FIFOs), the Barrier and the HostTarget with the TLM-2.0 socket.
#pragma once
#include <memory>
#include <set>
#include <string>
#include <systemc>
#include <vector>
#include "phasor_barrier.h"
#include "phasor_core.h"
#include "phasor_host.h"
#include "phasor_program.h"
#include "phasor_router.h"

namespace phasor {

SC_MODULE(System) {
  const Program& prog;
  Fabric fabric;
  std::vector<std::unique_ptr<Unit>> units;
  std::vector<std::unique_ptr<Core>> cores;
  std::vector<std::unique_ptr<Router>> routers;
  std::unique_ptr<Barrier> barrier;
  std::unique_ptr<HostTarget> host;
  /** Per layer and neuron: the sorted cores holding a neuron it has a synapse to. */
  std::vector<std::vector<std::vector<int>>> dests;
  std::map<int, std::vector<std::pair<int, double>>> inputs;

  System(sc_core::sc_module_name n, const Program& p, int depth) : sc_module(n), prog(p) {
    fabric.cycle = sc_core::sc_time(1e12 / p.time("clockHz"), sc_core::SC_PS);
    build_units();
    build_dests();
    barrier = std::make_unique<Barrier>("barrier", p, fabric);
    barrier->inputs = &inputs;
    build_cores(depth);
    build_mesh(depth);
    host = std::make_unique<HostTarget>("host", p, fabric, *barrier, inputs);
  }
  SC_HAS_PROCESS(System);

  /** Sets a state variable (v, or i / i0, i1, ... / u) of a layer from codes, before the run. */
  void init_state(const std::string& layer, const std::string& var, const std::vector<double>& codes) {
    bool found = false;
    for (auto& u : units) {
      const Layer& l = prog.layers[u->layer];
      if (l.name != layer) continue;
      found = true;
      std::vector<double>* dst = var == "v" ? &u->state.v : nullptr;
      int port = var == "i" ? 0 : var.size() > 1 && var[0] == 'i' ? std::stoi(var.substr(1)) : -1;
      if (!dst && port >= 0 && port < static_cast<int>(u->state.cur.size())) dst = &u->state.cur[port];
      if (!dst) throw std::runtime_error("layer " + layer + " has no state variable " + var);
      for (int j = 0; j < u->state.count; j++) (*dst)[j] = codes[(u->start + j) % codes.size()];
    }
    if (!found) throw std::runtime_error("no layer " + layer);
  }

 private:
  /** Units as the cycle engine builds them: a slice per core on the chip, the whole layer on the host otherwise. */
  void build_units() {
    for (const Layer& l : prog.layers) {
      std::vector<Slice> slices = l.chip ? l.slices : std::vector<Slice>{{HOST, 0, l.size}};
      for (const Slice& s : slices) {
        auto u = std::make_unique<Unit>();
        u->id = static_cast<int>(units.size()); u->layer = l.index; u->core = s.core; u->start = s.start; u->end = s.start + s.count;
        u->state.init(l, s.start, s.count);
        units.push_back(std::move(u));
      }
    }
    for (auto& u : units) {
      std::set<int> cores;
      for (int pi : prog.outgoing[u->layer]) {
        const Projection& pr = prog.projections[pi];
        if (pr.lag != 0) continue;
        for (auto& v : units) if (v->layer == pr.dst) {
          if (std::find(v->sources.begin(), v->sources.end(), u->id) == v->sources.end()) v->sources.push_back(u->id);
          cores.insert(v->core);
        }
      }
      u->token_cores.assign(cores.begin(), cores.end());
    }
  }

  void build_dests() {
    dests.resize(prog.layers.size());
    for (const Layer& l : prog.layers) {
      dests[l.index].resize(l.size);
      for (int k = 0; k < l.size; k++) {
        std::set<int> s;
        for (int pi : prog.outgoing[l.index]) {
          const Projection& pr = prog.projections[pi];
          const Layer& d = prog.layers[pr.dst];
          std::vector<Slice> slices = d.chip ? d.slices : std::vector<Slice>{{HOST, 0, d.size}};
          for (const Slice& c : slices) if (pr.lower_bound(k, c.start + c.count) > pr.lower_bound(k, c.start)) s.insert(c.core);
        }
        dests[l.index][k].assign(s.begin(), s.end());
      }
    }
  }

  void build_cores(int depth) {
    std::set<int> ids{HOST};
    for (const CoreInfo& c : prog.cores) ids.insert(c.id);
    for (int id : ids) {
      std::string name = id == HOST ? "host_core" : "core_" + std::to_string(id);
      auto c = std::make_unique<Core>(name.c_str(), id, prog, fabric, dests, depth);
      for (auto& u : units) if (u->core == id) c->units.push_back(u.get());
      c->inputs = &inputs;
      barrier->cores.push_back(c.get());
      cores.push_back(std::move(c));
    }
    for (auto& u : units) barrier->units.push_back(u.get());
  }

  void build_mesh(int depth) {
    int w = 1, h = 1;
    for (const CoreInfo& c : prog.cores) { w = std::max(w, c.x + 1); h = std::max(h, c.y + 1); }
    std::vector<Router*> at(w * h, nullptr);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        std::string name = "router_" + std::to_string(x) + "_" + std::to_string(y);
        routers.push_back(std::make_unique<Router>(name.c_str(), x, y, prog, fabric, depth));
        at[y * w + x] = routers.back().get();
      }
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        Router* r = at[y * w + x];
        if (x + 1 < w) r->next[EAST] = at[y * w + x + 1];
        if (x > 0) r->next[WEST] = at[y * w + x - 1];
        if (y + 1 < h) r->next[NORTH] = at[(y + 1) * w + x];
        if (y > 0) r->next[SOUTH] = at[(y - 1) * w + x];
      }
    for (auto& c : cores) {
      auto [x, y] = prog.router_of(c->id);
      Router* r = at[y * w + x];
      r->local[c->id] = c.get();
      c->router_in = r->in[LOCAL];
    }
  }
};

}  // namespace phasor
`,
  "main.cpp": String.raw`// The standalone model: reads program.dat and an input file, runs the system through its TLM-2.0
// socket with a small host (a Testbench that injects each step's inputs, runs the step, and
// reads the output spikes and the step's cycles) and writes the run as JSON.
//
//   phasor_model --input IN.txt --out OUT.json [--program program.dat] [--depth N]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>
#include "phasor_program.h"
#include "phasor_system.h"

extern const char* const phasor_program_hash;

namespace phasor {

/** What the input file holds: steps, initial state codes and input events. */
struct InputFile {
  int steps = 0;
  struct Init { std::string layer, var; std::vector<double> codes; };
  std::vector<Init> init;
  struct Event { int step; std::string layer; int k; double value; };
  std::vector<Event> events;

  static InputFile load(const std::string& path) {
    Reader r(path, "input file");
    InputFile f;
    r.expect("phasor-systemc-input");
    if (r.integer() != 1) r.fail("this model reads input files of version 1");
    r.expect("steps"); f.steps = r.integer();
    std::string w = r.word();
    while (w == "init") {
      Init i;
      i.layer = decode_name(r.word()); i.var = r.word();
      i.codes.resize(r.integer());
      for (double& x : i.codes) x = r.number();
      f.init.push_back(i);
      w = r.word();
    }
    if (w != "events") r.fail("expected 'events', found '" + w + "'");
    f.events.resize(r.integer());
    for (Event& e : f.events) { e.step = r.integer(); e.layer = decode_name(r.word()); e.k = r.integer(); e.value = r.number(); }
    return f;
  }
};

/** A host on the TLM socket: per step, injects the inputs, runs one step, drains the output spikes. */
SC_MODULE(Testbench) {
  tlm_utils::simple_initiator_socket<Testbench> socket;
  std::vector<double> step_cycles;
  std::vector<std::vector<std::pair<int, int>>> spikes;  // per layer: (step, neuron)
  std::uint64_t counters[7] = {};
  std::string hash;

  Testbench(sc_core::sc_module_name n, const Program& p, const InputFile& in, const std::vector<int>& input_layers)
      : sc_module(n), socket("socket"), prog_(p), in_(in), input_layers_(input_layers), spikes(p.layers.size()) {
    SC_THREAD(drive);
  }
  SC_HAS_PROCESS(Testbench);

 private:
  const Program& prog_;
  const InputFile& in_;
  const std::vector<int>& input_layers_;

  void access(tlm::tlm_command cmd, std::uint64_t addr, void* data, unsigned len) {
    tlm::tlm_generic_payload tx;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    tx.set_command(cmd); tx.set_address(addr); tx.set_data_ptr(static_cast<unsigned char*>(data));
    tx.set_data_length(len); tx.set_streaming_width(len); tx.set_byte_enable_ptr(nullptr);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(tx, delay);
    if (tx.is_response_error()) throw std::runtime_error("TLM access failed at address " + std::to_string(addr) + ": " + tx.get_response_string());
  }
  template <typename T> T rd(std::uint64_t a) { T x{}; access(tlm::TLM_READ_COMMAND, a, &x, sizeof(T)); return x; }
  template <typename T> void wr(std::uint64_t a, T x) { access(tlm::TLM_WRITE_COMMAND, a, &x, sizeof(T)); }

  int input_ordinal(const std::string& layer) const {
    for (size_t i = 0; i < input_layers_.size(); i++) if (prog_.layers[input_layers_[i]].name == layer) return static_cast<int>(i);
    throw std::runtime_error("the input file names " + layer + ", which is not an input layer of the Program");
  }

  void drive() {
    if (rd<std::uint32_t>(reg::ID) != reg::MAGIC) throw std::runtime_error("no Phasor model on the socket");
    char h[65] = {};
    access(tlm::TLM_READ_COMMAND, reg::PROGRAM_HASH, h, 64);
    hash = h;
    size_t e = 0;
    for (int t = 0; t < in_.steps; t++) {
      for (; e < in_.events.size() && in_.events[e].step == t; e++) {
        const auto& ev = in_.events[e];
        wr<double>(reg::INJECT_VALUE, ev.value);
        wr<std::uint32_t>(reg::INJECT, (static_cast<std::uint32_t>(input_ordinal(ev.layer)) << 24) | static_cast<std::uint32_t>(ev.k));
      }
      if (e < in_.events.size() && in_.events[e].step < t) throw std::runtime_error("the input file's events are not in step order");
      wr<std::uint32_t>(reg::RUN, 1);
      step_cycles.push_back(rd<double>(reg::LAST_STEP_CYCLES));
      for (std::uint32_t w; (w = rd<std::uint32_t>(reg::OUT_POP)) != reg::EMPTY;)
        spikes[w >> 24].emplace_back(static_cast<int>(rd<std::uint32_t>(reg::OUT_STEP)), static_cast<int>(w & 0xFFFFFF));
    }
    for (int i = 0; i < 7; i++) counters[i] = rd<std::uint64_t>(reg::COUNTERS + 8 * i);
    sc_core::sc_stop();
  }
};

std::string json_string(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) { char b[8]; std::snprintf(b, sizeof b, "\\u%04x", c); o += b; continue; }
    o += c;
  }
  return o + "\"";
}

std::string num(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.17g", x);
  return b;
}

void write_json(const std::string& path, const Program& p, const Testbench& tb, double seconds, std::uint64_t events) {
  std::ofstream o(path);
  if (!o) throw std::runtime_error("cannot write " + path);
  o << "{\n  \"program\": " << json_string(tb.hash) << ",\n  \"target\": " << json_string(p.target) << ",\n";
  o << "  \"steps\": " << tb.step_cycles.size() << ",\n  \"clockHz\": " << num(p.time("clockHz")) << ",\n  \"spikes\": {";
  bool first = true;
  for (const Layer& l : p.layers) {
    if (l.kind != "neuron" || !l.spiking) continue;
    o << (first ? "\n" : ",\n") << "    " << json_string(l.name) << ": [";
    first = false;
    const auto& s = tb.spikes[l.index];
    for (size_t i = 0; i < s.size(); i++) o << (i ? "," : "") << "[" << s[i].first << "," << s[i].second << "]";
    o << "]";
  }
  o << "\n  },\n  \"stepCycles\": [";
  for (size_t i = 0; i < tb.step_cycles.size(); i++) o << (i ? "," : "") << num(tb.step_cycles[i]);
  static const char* names[] = {"steps", "spikes", "packets", "hops", "synOps", "neuronUpdates", "localDeliveries"};
  o << "],\n  \"counters\": {";
  for (int i = 0; i < 7; i++) o << (i ? ", " : "") << "\"" << names[i] << "\": " << tb.counters[i];
  o << "},\n  \"kernelEvents\": " << events << ",\n  \"wallSeconds\": " << num(seconds) << "\n}\n";
}

}  // namespace phasor

int sc_main(int argc, char** argv) {
  using namespace phasor;
  std::string program = PHASOR_DEFAULT_PROGRAM, input, out;
  int depth = 16;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--program") program = value();
    else if (a == "--input") input = value();
    else if (a == "--out") out = value();
    else if (a == "--depth") depth = std::stoi(value());
    else { std::cerr << "usage: " << argv[0] << " --input IN.txt --out OUT.json [--program program.dat] [--depth N]\n"; return 2; }
  }
  try {
    if (input.empty() || out.empty()) throw std::runtime_error("give --input IN.txt and --out OUT.json");
    Program p = Program::load(program);
    if (p.hash != phasor_program_hash)
      throw std::runtime_error(program + " holds Program " + p.hash.substr(0, 12) + "; this model was generated for " +
                               std::string(phasor_program_hash).substr(0, 12) + " (emit the model again and rebuild)");
    InputFile in = InputFile::load(input);
    System sys("system", p, depth);
    for (const auto& i : in.init) sys.init_state(i.layer, i.var, i.codes);
    Testbench tb("testbench", p, in, sys.host->input_layers());
    tb.socket.bind(sys.host->socket);
    auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    write_json(out, p, tb, seconds, sc_core::sc_delta_count());
  } catch (const std::exception& e) {
    std::cerr << "phasor_model: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
`,
};
