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

# ON: events of different modules due at the same tick run in the order the TypeScript cycle
# engine runs them (one queue for the system), so that cycle counts match it under contention too.
option(PHASOR_ENGINE_ORDER "order same-tick events as the TypeScript cycle engine" OFF)

add_executable(phasor_model main.cpp program_id.cpp)
target_include_directories(phasor_model PRIVATE ${"${"}SYSTEMC_INCLUDE_DIR} ${"${"}CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(phasor_model PRIVATE ${"${"}SYSTEMC_LIBRARY} Threads::Threads)
# Bit-exact doubles: no fused multiply-add, no fast math.
target_compile_options(phasor_model PRIVATE -ffp-contract=off -fno-fast-math)
if(PHASOR_ENGINE_ORDER)
  target_compile_definitions(phasor_model PRIVATE PHASOR_ENGINE_ORDER)
endif()
target_compile_definitions(phasor_model PRIVATE SC_INCLUDE_DYNAMIC_PROCESSES PHASOR_DEFAULT_PROGRAM="${"${"}CMAKE_CURRENT_SOURCE_DIR}/program.dat")
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
// and lags, the used cores and the mesh, and the timing constants in ticks (R per cycle).
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
        int e = c < static_cast<int>(l->ring_exp.size()) ? l->ring_exp[c] : 0;  // a layer without inputs has no exponent
        a += loihi_scale_activation(l->integral ? x : js_round(x), e);
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
  "phasor_packet.h": String.raw`// What travels the mesh and the pieces every module shares: time in integer ticks (one tick is
// one picosecond of SystemC time; a cycle is R ticks, R from program.dat), messages (a spike's
// copy for one or more destination cores, with the synapses it reaches on each, or an
// end-of-phase token), the Sink interface of link buffers and input queues, timed wake-ups and
// the run's counters.
#pragma once
#ifndef SC_INCLUDE_DYNAMIC_PROCESSES
#define SC_INCLUDE_DYNAMIC_PROCESSES
#endif
#include <cstdint>
#include <deque>
#include <functional>
#include <queue>
#include <string>
#include <systemc>
#include <vector>

namespace phasor {

using Ticks = std::int64_t;

/** The current simulated time in ticks. */
inline Ticks now_ticks() { return static_cast<Ticks>(sc_core::sc_time_stamp().value()); }

/** A message: destination cores and the synapses it reaches on each; a token of unit 'unit' when 'token'. */
struct Packet {
  std::vector<int> dsts, syn;
  bool token = false;
  int unit = -1;
};

/** Something that takes packets: a link buffer or a core's input queue. */
struct Sink {
  virtual ~Sink() = default;
  /** Takes p at 'now' and returns true, or returns false and calls 'retry' once it may have room. */
  virtual bool offer(const Packet& p, Ticks now, const std::function<void()>& retry) = 0;
};

/**
 * Timed callbacks of one module, run by its own SC_METHOD: 'at(t, fn)' runs fn at tick t; callbacks
 * due at the same tick run in the order they were scheduled. Callbacks of different modules due at
 * the same tick run in the SystemC scheduler's order, unless built with PHASOR_ENGINE_ORDER.
 */
/** Timed callbacks pending in the whole system; the barrier waits for 'quiet' (none left). */
struct Activity {
  long pending = 0;
  /** Callbacks run so far (the model's simulated events). */
  std::uint64_t executed = 0;
  sc_core::sc_event quiet;
};

class Timer {
 public:
  /** The system's activity count (set before the simulation starts). */
  static Activity*& activity() { static Activity* a = nullptr; return a; }

  explicit Timer(const std::string& name) {
    sc_core::sc_spawn_options o;
    o.spawn_method();
    o.set_sensitivity(&ev_);
    o.dont_initialize();
    sc_core::sc_spawn([this] { fire(); }, (name + "_timer").c_str(), &o);
  }
  void at(Ticks t, std::function<void()> fn) {
    Ticks now = now_ticks();
    if (t < now) t = now;
    q_.push({t, seq_++, std::move(fn)});
    activity()->pending++;
    arm();
  }

 private:
  struct Item { Ticks t; std::uint64_t seq; std::function<void()> fn; };
  struct Later { bool operator()(const Item& a, const Item& b) const { return a.t != b.t ? a.t > b.t : a.seq > b.seq; } };
#ifdef PHASOR_ENGINE_ORDER
  // One queue for every module: callbacks due at the same tick run in the order they were
  // scheduled system-wide, as in the TypeScript engine's kernel (cmake -DPHASOR_ENGINE_ORDER=ON).
  using Queue = std::priority_queue<Item, std::vector<Item>, Later>;
  static Queue& shared_queue() { static Queue q; return q; }
  static std::uint64_t& shared_seq() { static std::uint64_t s = 0; return s; }
  static sc_core::sc_event& shared_event() { static sc_core::sc_event e("phasor_engine_order"); return e; }
  Queue& q_ = shared_queue();
  std::uint64_t& seq_ = shared_seq();
  sc_core::sc_event& ev_ = shared_event();
#else
  // Each module's own queue and process: at one tick, modules run in the SystemC scheduler's order.
  std::priority_queue<Item, std::vector<Item>, Later> q_;
  std::uint64_t seq_ = 0;
  sc_core::sc_event ev_;
#endif

  void arm() {
    if (q_.empty()) return;
    ev_.cancel();
    Ticks d = q_.top().t - now_ticks();
    if (d <= 0) ev_.notify(sc_core::SC_ZERO_TIME);
    else ev_.notify(sc_core::sc_time(static_cast<double>(d), sc_core::SC_PS));
  }
  void fire() {
    Ticks now = now_ticks();
    while (!q_.empty() && q_.top().t <= now) {
      Item it = q_.top();
      q_.pop();
      it.fn();
      activity()->executed++;
      if (--activity()->pending == 0) activity()->quiet.notify(sc_core::SC_ZERO_TIME);
    }
    arm();
  }
};

/** Run-wide counters, as the TLM target's registers expose them. */
struct Counters {
  std::uint64_t steps = 0, spikes = 0, packets = 0, hops = 0, syn_ops = 0, neuron_updates = 0, messages = 0, self_messages = 0, stalls = 0;
};

}  // namespace phasor
`,
  "phasor_core.h": String.raw`// A core (and the host, core -1): one SC_MODULE with the five stages of docs/cycle-models.md.
// The soma and axon out are one process (the soma walks the core's units in order of layer,
// then first neuron, and its neurons in index order; a spike enters the axon-out queue, which
// stalls the soma when full; axon out spends its cost per message and hands the message to the
// mesh, holding it while the mesh cannot take it). The input side (input queue, axon in,
// synapse, dendrite) serves one message at a time per stage with a bounded FIFO before each and
// blocking after service; its start and departure times follow from earlier messages':
//   S1(m) = max(e(m), D1(m-1)),  D1(m) = max(S1(m) + axonIn, S2(m-q))
//   S2(m) = max(D1(m), D2(m-1)), D2(m) = max(S2(m) + synapse(n), S3(m-q))
//   S3(m) = max(D2(m), D3(m-1)), D3(m) = S3(m) + dendrite(n)
// and message m may enter only once S1(m-q) <= now (fewer than q waiting).
#pragma once
#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <systemc>
#include <vector>
#include "phasor_neurons.h"
#include "phasor_packet.h"
#include "phasor_program.h"
#include "phasor_router.h"

namespace phasor {

/** Stage costs in ticks (docs/cycle-models.md, "The core pipeline"). */
struct Costs { Ticks axon_in = 0, syn_msg = 0, syn_syn = 0, dend_syn = 0, active = 0, inactive = 0, spike = 0, axon_out = 0; };

/** A spike received by a unit, applied to its input ring when the unit next updates. */
struct Arrival { int step, layer, proj, k; double value; };

/** One slice of a layer on one core (or on the host), its state and this step's activity. */
struct Unit {
  int id = 0, layer = 0, core = 0, start = 0, end = 0;
  /** Units whose tokens this unit waits for within a step; cores its own token goes to. */
  std::set<int> sources;
  std::vector<int> token_cores;
  int tokens = 0;
  Ticks ready_at = -1;
  std::vector<Arrival> arrivals;
  SliceState state;
  /** Per neuron of the slice: active this step (before its update). */
  std::vector<char> active;
};

/** Per neuron of a layer: the destination cores (ascending) and the synapses reached on each. */
struct Fanout { std::vector<int> ptr, core, syn; };

/** The input side of one core. */
class InputSide : public Sink {
 public:
  Ticks d3 = 0;
  std::uint64_t messages = 0;
  std::function<void(int unit, Ticks at)> on_token;
  std::function<void()> on_stall;

  InputSide(int core, int q, const Costs& c) : core_(core), q_(q), c_(c), s1_(q, kNever), s2_(q, kNever), s3_(q, kNever) {}

  bool offer(const Packet& p, Ticks now, const std::function<void()>& retry) override {
    int slot = static_cast<int>(m_ % q_);
    Ticks free = s1_[slot];
    if (free > now) { on_stall(); timer->at(free, retry); return false; }
    Ticks n = synapses_for(p);
    Ticks t_in = p.token ? 0 : c_.axon_in, t_syn = p.token ? 0 : c_.syn_msg + n * c_.syn_syn, t_den = p.token ? 0 : n * c_.dend_syn;
    Ticks S1 = std::max(now, d1_), D1 = std::max(S1 + t_in, s2_[slot]);
    Ticks S2 = std::max(D1, d2_), D2 = std::max(S2 + t_syn, s3_[slot]);
    Ticks S3 = std::max(D2, d3), D3 = S3 + t_den;
    s1_[slot] = S1; s2_[slot] = S2; s3_[slot] = S3;
    d1_ = D1; d2_ = D2; d3 = D3;
    m_++;
    if (p.token) on_token(p.unit, D3);
    else messages++;
    return true;
  }

  /** The core's timer (retries are scheduled on it). */
  Timer* timer = nullptr;

 private:
  static constexpr Ticks kNever = std::numeric_limits<Ticks>::min() / 4;
  int core_, q_;
  Costs c_;
  std::uint64_t m_ = 0;
  std::vector<Ticks> s1_, s2_, s3_;
  Ticks d1_ = 0, d2_ = 0;

  Ticks synapses_for(const Packet& p) const {
    if (p.dsts.size() == 1) return p.syn[0];
    for (size_t i = 0; i < p.dsts.size(); i++) if (p.dsts[i] == core_) return p.syn[i];
    return 0;
  }
};

SC_MODULE(Core) {
  const int id;
  Timer timer;
  std::vector<Unit*> units;
  Ticks ao_end = 0, soma_end = 0;

  /** costs(ports): the stage costs of a unit whose neurons have that many currents. */
  Core(sc_core::sc_module_name n, int core_id, const Program& p, Mesh& mesh, Counters& counters, const std::vector<Fanout>& fan,
       std::function<const Costs&(int ports)> costs, bool times_activity, int q)
      : sc_module(n), id(core_id), timer(std::string(n)), prog_(p), mesh_(mesh), counters_(counters), fan_(fan), costs_(std::move(costs)),
        times_activity_(times_activity), q_(q), taken_(q, kNever) {}

  /** Starts the step at T0 (after the values of the step are computed). */
  void begin(Ticks T0) {
    ui_ = -1; soma_t_ = T0; si_ = 0; off_.clear(); spk_.clear(); unit_cost_ = 0; unit_start_ = T0; stall_u_ = 0;
    taking_ = 0; std::fill(taken_.begin(), taken_.end(), kNever); ao_ready_ = T0; msgs_.clear(); mi_ = 0; holding_ = false;
    ao_end = T0; soma_end = T0; waiting_unit_ = false; tokens_sent_.clear();
    timer.at(T0, [this] { run(); });
  }

  /** A unit of this core got its last token. */
  void unit_ready(Unit* u) {
    if (!waiting_unit_ || ui_ + 1 >= static_cast<int>(units.size()) || units[ui_ + 1] != u) return;
    waiting_unit_ = false;
    timer.at(now_ticks(), [this] { run(); });
  }

  /** The end of this core's own work (soma, axon out) in the step. */
  Ticks end() const { return std::max(soma_end, ao_end); }

 private:
  static constexpr Ticks kNever = std::numeric_limits<Ticks>::min() / 4;
  const Program& prog_;
  Mesh& mesh_;
  Counters& counters_;
  const std::vector<Fanout>& fan_;
  std::function<const Costs&(int)> costs_;
  const bool times_activity_;
  const int q_;
  const Costs zero_{};
  const Costs* c_ = &zero_;
  int ui_ = -1;
  Ticks soma_t_ = 0, unit_start_ = 0, stall_u_ = 0, unit_cost_ = 0, ao_ready_ = 0;
  std::vector<Ticks> off_;
  std::vector<int> spk_;
  size_t si_ = 0;
  std::vector<Ticks> taken_;
  std::uint64_t taking_ = 0;
  std::vector<Packet> msgs_;
  size_t mi_ = 0;
  Packet held_;
  bool holding_ = false, counted_ = false, waiting_unit_ = false;
  int layer_of_spikes_ = 0;
  std::set<int> tokens_sent_;

  bool host() const { return id == HOST; }

  /** Advances axon out (and with it the soma's timeline) as far as it can at the current time. */
  void run() {
    const Ticks now = now_ticks();
    for (;;) {
      if (mi_ < msgs_.size()) {
        if (ao_ready_ > now) { timer.at(ao_ready_, [this] { run(); }); return; }
        if (!holding_) { held_ = msgs_[mi_]; holding_ = true; }
        if (!counted_) { count(held_); counted_ = true; }
        if (!mesh_.inject(id, held_, now, [this] { run(); })) return;
        holding_ = false; counted_ = false; mi_++;
        ao_end = now;
        ao_ready_ = now + (mi_ < msgs_.size() && !msgs_[mi_].token ? c_->axon_out : 0);
        continue;
      }
      if (si_ < spk_.size()) { take_spike(); continue; }
      if (ui_ >= 0 && send_tokens()) continue;
      // The unit's last spike is out: the soma ends it and starts the next.
      soma_t_ = unit_start_ + unit_cost_ + stall_u_;
      if (ui_ >= 0) soma_end = soma_t_;
      if (ui_ + 1 >= static_cast<int>(units.size())) return;
      Unit* next = units[ui_ + 1];
      if (next->ready_at < 0) { waiting_unit_ = true; return; }
      ui_++;
      start_unit(*next, std::max(soma_t_, next->ready_at));
    }
  }

  /** A message leaving this core: a packet when it leaves the router, a message per destination core (the host apart). */
  void count(const Packet& p) {
    if (p.token) return;
    if (prog_.router_of(p.dsts[0]) != prog_.router_of(id)) counters_.packets++;
    for (int d : p.dsts) if (d != HOST) { counters_.messages++; if (d == id) counters_.self_messages++; }
  }

  /** Tokens of the finished unit to the cores of its same-step destinations (once). */
  bool send_tokens() {
    Unit* u = units[ui_];
    if (u->token_cores.empty() || tokens_sent_.count(u->id)) return false;
    tokens_sent_.insert(u->id);
    msgs_ = packets(u->token_cores, std::vector<int>(u->token_cores.size(), 0), true, u->id);
    mi_ = 0;
    ao_ready_ = std::max({ao_ready_, now_ticks(), unit_start_ + unit_cost_ + stall_u_});
    return true;
  }

  /** Axon out takes the next spike from its queue (the soma waits while the queue is full). */
  void take_spike() {
    size_t i = si_++;
    Ticks e0 = unit_start_ + off_[i] + stall_u_, prior = taken_[taking_ % q_];
    Ticks e = std::max(e0, prior);
    stall_u_ += e - e0;
    if (e > e0) mesh_.stall();
    Ticks take = std::max({e, ao_end, ao_ready_});
    taken_[taking_++ % q_] = take;
    const Fanout& f = fan_[layer_of_spikes_];
    int k = spk_[i], a = f.ptr[k], b = f.ptr[k + 1];
    msgs_ = packets(std::vector<int>(f.core.begin() + a, f.core.begin() + b), std::vector<int>(f.syn.begin() + a, f.syn.begin() + b), false, -1);
    mi_ = 0;
    ao_ready_ = take + (msgs_.empty() ? 0 : c_->axon_out);
  }

  /** Messages for destinations d: one per core on this router and, further away, one per core (or one multicast packet). */
  std::vector<Packet> packets(const std::vector<int>& d, const std::vector<int>& syn, bool token, int unit) {
    std::vector<Packet> out;
    auto [x, y] = prog_.router_of(id);
    Packet far{{}, {}, token, unit};
    for (size_t i = 0; i < d.size(); i++) {
      auto [dx, dy] = prog_.router_of(d[i]);
      if ((dx == x && dy == y) || !prog_.multicast) out.push_back(Packet{{d[i]}, {syn[i]}, token, unit});
      else { far.dsts.push_back(d[i]); far.syn.push_back(syn[i]); }
    }
    if (!far.dsts.empty()) out.push_back(far);
    return out;
  }

  /** The soma starts unit u at 'at': its neurons' costs and its spikes' times from the start. */
  void start_unit(Unit& u, Ticks at) {
    const Layer& l = prog_.layers[u.layer];
    c_ = host() ? &zero_ : &costs_(l.cuba ? l.ports : 1);
    unit_start_ = at; stall_u_ = 0; si_ = 0; layer_of_spikes_ = u.layer;
    off_.clear(); spk_.clear();
    Ticks cost = 0;
    const bool neuron = l.kind == "neuron" && !host();
    const Ticks per_spike = neuron ? c_->spike : 0;
    int k0 = u.start;
    for (const auto& [k, x] : u.state.out) {
      cost += neurons(u, k0, k + 1, neuron) + per_spike;
      off_.push_back(cost);
      spk_.push_back(k);
      k0 = k + 1;
    }
    cost += neurons(u, k0, u.end, neuron);
    unit_cost_ = cost;
  }

  /** Soma ticks of neurons [a, b) of unit u. */
  Ticks neurons(const Unit& u, int a, int b, bool neuron) const {
    if (!neuron || b <= a) return 0;
    if (!times_activity_ || u.active.empty()) return (b - a) * c_->active;
    Ticks n = 0;
    for (int k = a; k < b; k++) n += u.active[k - u.start];
    return n * c_->active + (b - a - n) * c_->inactive;
  }
};

}  // namespace phasor
`,
  "phasor_router.h": String.raw`// The mesh (docs/cycle-models.md, "The mesh"): one Router SC_MODULE per (x, y) owning its outgoing
// directed links and the local ports to its cores. Each link is a bounded FIFO buffer of 'depth'
// packets that sends one packet every 'serial' ticks and takes 'latency' ticks to the next router;
// only the buffer's head moves on, and only when the next buffer or the core's input queue has
// room, so a full buffer stops the link before it and, back along the route, the sender
// (backpressure). Routes are dimension-order (X then Y); a multicast packet branches where its
// destinations' next hops differ and leaves a buffer once every branch has been taken.
#pragma once
#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <systemc>
#include <vector>
#include "phasor_packet.h"
#include "phasor_program.h"

namespace phasor {

enum Dir { EAST = 0, WEST = 1, NORTH = 2, SOUTH = 3, LOCAL = -1 };

class Mesh;
struct Router;

/** A directed link (or a router's local port to one core) with its FIFO buffer. */
class Link : public Sink {
 public:
  Link(Mesh& mesh, Timer& timer, int x, int y, int dir, Ticks latency, Ticks serial, int depth, int to = HOST)
      : mesh_(mesh), timer_(timer), x_(x), y_(y), dir_(dir), latency_(latency), serial_(serial), depth_(depth), to_(to) {}

  bool offer(const Packet& p, Ticks now, const std::function<void()>& retry) override;
  std::uint64_t packets = 0;
  int max_queue = 0;

 private:
  struct Entry { Packet p; Ticks ready; };
  Mesh& mesh_;
  Timer& timer_;
  int x_, y_, dir_;
  Ticks latency_, serial_;
  int depth_, to_;
  std::deque<Entry> fifo_;
  Ticks free_ = 0;
  std::deque<std::function<void()>> waiters_;

  /** The head, arrived at the next router, moves on to every next sink it needs; its slot frees once all have taken it. */
  void forward();
};

/** The mesh's routing: local ports at the source router, input queues at the destination router, links between. */
class Mesh {
 public:
  Counters& counters;

  Mesh(const Program& p, Counters& c, Ticks hop, Ticks hop_ns, Ticks within, Ticks serial, int depth)
      : counters(c), prog_(p), hop_(hop), hop_ns_(hop_ns), within_(within), serial_(serial), depth_(depth) {}

  /** The router at (x, y) (set by the system). */
  std::function<Router&(int x, int y)> router;

  /** The input queue of each core (the host's takes everything). */
  std::function<Sink&(int core)> input;

  /** Hands a message from core src on; returns true when every part was taken, else keeps the rest in 'p'. */
  bool inject(int src, Packet& p, Ticks now, const std::function<void()>& retry) {
    auto [x, y] = prog_.router_of(src);
    return route(p, x, y, now, retry, true);
  }

  /** At router (x, y): hands p on toward each destination; true when all parts were taken, else p keeps the waiting part. */
  bool route(Packet& p, int x, int y, Ticks now, const std::function<void()>& retry, bool source = false) {
    if (p.dsts.size() == 1) return step1(p, p.dsts[0], x, y, now, retry, source);
    std::vector<std::pair<int, Packet>> groups;  // in order of first appearance, as the engine's Map
    for (size_t i = 0; i < p.dsts.size(); i++) {
      int d = p.dsts[i];
      auto [dx, dy] = prog_.router_of(d);
      int key = dx == x && dy == y ? -1 - d : dir_to(x, y, dx, dy) + 1000000;
      auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
      if (it == groups.end()) { groups.push_back({key, Packet{{}, {}, p.token, p.unit}}); it = groups.end() - 1; }
      it->second.dsts.push_back(d);
      it->second.syn.push_back(p.syn[i]);
    }
    Packet left{{}, {}, p.token, p.unit};
    bool blocked = false;
    for (auto& [key, part] : groups) {
      if (!blocked && step1(part, part.dsts[0], x, y, now, retry, source)) continue;
      blocked = true;
      left.dsts.insert(left.dsts.end(), part.dsts.begin(), part.dsts.end());
      left.syn.insert(left.syn.end(), part.syn.begin(), part.syn.end());
    }
    if (blocked) p = left;
    return !blocked;
  }

  /** Hands p to core d's input queue. */
  bool eject(const Packet& p, int d, Ticks now, const std::function<void()>& retry) { return input(d).offer(p, now, retry); }

  void stall() { counters.stalls++; }

  std::pair<int, int> at(int core) const { return prog_.router_of(core); }

 private:
  const Program& prog_;
  Ticks hop_, hop_ns_, within_, serial_;
  int depth_;

  static int dir_to(int x, int y, int dx, int dy) { return x < dx ? EAST : x > dx ? WEST : y < dy ? NORTH : SOUTH; }

  bool step1(const Packet& p, int d, int x, int y, Ticks now, const std::function<void()>& retry, bool source) {
    auto [dx, dy] = prog_.router_of(d);
    if (dx == x && dy == y) return source ? local_port(d, x, y).offer(p, now, retry) : eject(p, d, now, retry);
    return link(x, y, dir_to(x, y, dx, dy)).offer(p, now, retry);
  }

  Link& link(int x, int y, int dir);
  Link& local_port(int d, int x, int y);
};

inline bool Link::offer(const Packet& p, Ticks now, const std::function<void()>& retry) {
  if (static_cast<int>(fifo_.size()) >= depth_) { mesh_.stall(); waiters_.push_back(retry); return false; }
  Ticks s = std::max(now, free_);
  free_ = s + serial_;
  fifo_.push_back({p, s + latency_});
  max_queue = std::max(max_queue, static_cast<int>(fifo_.size()));
  if (!p.token) { packets++; if (dir_ >= 0) mesh_.counters.hops++; }
  if (fifo_.size() == 1) timer_.at(s + latency_, [this] { forward(); });
  return true;
}

inline void Link::forward() {
  Ticks now = now_ticks();
  if (fifo_.empty()) return;
  Packet& p = fifo_.front().p;
  int nx = x_ + (dir_ == EAST ? 1 : dir_ == WEST ? -1 : 0), ny = y_ + (dir_ == NORTH ? 1 : dir_ == SOUTH ? -1 : 0);
  std::function<void()> again = [this] { forward(); };
  bool all = dir_ < 0 ? mesh_.eject(p, to_, now, again) : mesh_.route(p, nx, ny, now, again);
  if (!all) return;
  fifo_.pop_front();
  // The next head's wake-up first, then the first sender waiting for the freed slot (it may fill it at once).
  if (!fifo_.empty()) timer_.at(std::max(now, fifo_.front().ready), [this] { forward(); });
  if (!waiters_.empty()) { auto w = waiters_.front(); waiters_.pop_front(); w(); }
}

/** A router at (x, y): its four outgoing links and a local port per core it serves (created as used), and its process. */
SC_MODULE(Router) {
  const int x, y;
  Timer timer;
  std::array<std::unique_ptr<Link>, 4> links;
  std::map<int, std::unique_ptr<Link>> local;

  Router(sc_core::sc_module_name n, int rx, int ry) : sc_module(n), x(rx), y(ry), timer(std::string(n)) {}
};

inline Link& Mesh::link(int x, int y, int dir) {
  Router& r = router(x, y);
  auto& l = r.links[dir];
  if (!l) l = std::make_unique<Link>(*this, r.timer, x, y, dir, dir >= NORTH ? hop_ns_ : hop_, serial_, depth_);
  return *l;
}

inline Link& Mesh::local_port(int d, int x, int y) {
  Router& r = router(x, y);
  auto& l = r.local[d];
  if (!l) l = std::make_unique<Link>(*this, r.timer, x, y, LOCAL, within_, 0, depth_, d);
  return *l;
}

}  // namespace phasor
`,
  "phasor_barrier.h": String.raw`// The step: the Barrier computes the step's values (each unit in layer order: its due arrivals
// applied in the behavioural engine's order, its neurons updated with the target's arithmetic,
// its spikes handed to the units they reach), starts every core at T0, waits until no stage,
// link or token has anything left to do, and ends the step with the barrier as messages
// (docs/cycle-models.md, "Step and barrier"): each used core, once done, sends a message to
// router (0, 0), 'hop' ticks per hop; the root spends 'sync' and sends a release back to every
// used router; the step ends when the farthest used router has the release.
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
  std::vector<Unit*> units;
  std::map<int, Core*> cores;
  /** Cores in the order their units first appear (layer order): the order they start a step in. */
  std::vector<Core*> start_order;
  std::map<int, InputSide*> inputs;
  std::vector<int> used_cores;
  /** Ticks of every finished step. */
  std::vector<Ticks> step_ticks;
  /** Called with each finished step's spikes, sorted by layer then neuron. */
  std::function<void(const std::vector<OutSpike>&)> on_spikes;
  /** The host's inputs of the coming step (consumed by each step). */
  std::map<int, std::vector<std::pair<int, double>>>* inputs_of_step = nullptr;
  int step = 0;
  long tokens_pending = 0;

  Barrier(sc_core::sc_module_name n, const Program& p, Counters& c, Activity& a, bool times_activity)
      : sc_module(n), prog_(p), counters_(c), activity_(a), times_activity_(times_activity) {}

  /** Runs 'steps' steps from the calling process (blocks in simulated time). */
  void run(int steps) {
    for (int s = 0; s < steps; s++) one_step();
  }

  /** A token of unit src passed core c's dendrite at 'at': each unit of c waiting for it counts it. */
  void deliver_token(int c, int src, Ticks at) {
    Core* core = cores.at(c);
    for (Unit* u : core->units)
      if (u->sources.count(src)) core->timer.at(at, [this, u, at] { token_arrived(u, at); });
  }

 private:
  const Program& prog_;
  Counters& counters_;
  Activity& activity_;
  const bool times_activity_;

  void token_arrived(Unit* u, Ticks at) {
    if (++u->tokens < static_cast<int>(u->sources.size())) return;
    u->ready_at = at;
    tokens_pending--;
    cores.at(u->core)->unit_ready(u);
  }

  void one_step() {
    const int t = step;
    std::vector<OutSpike> out = compute_values(t);
    const Ticks T0 = now_ticks();
    tokens_pending = 0;
    for (Unit* u : units) { u->tokens = 0; u->ready_at = u->sources.empty() ? T0 : -1; if (!u->sources.empty()) tokens_pending++; }
    for (Core* c : start_order) c->begin(T0);
    while (activity_.pending > 0) wait(activity_.quiet);
    if (tokens_pending > 0) throw std::runtime_error("step " + std::to_string(t) + " ended with units still waiting for tokens");
    Ticks arrive = T0, far = 0;
    const Ticks hop = static_cast<Ticks>(prog_.time("barrierHop")), sync = static_cast<Ticks>(prog_.time("barrierSync"));
    for (int id : used_cores) {
      Ticks d = T0;
      if (cores.count(id)) d = std::max(d, cores.at(id)->end());
      if (inputs.count(id)) d = std::max(d, inputs.at(id)->d3);
      auto [x, y] = prog_.router_of(id);
      arrive = std::max(arrive, d + (x + y) * hop);
      far = std::max<Ticks>(far, x + y);
    }
    const Ticks end = arrive + sync + far * hop;
    if (end > now_ticks()) wait(sc_core::sc_time(static_cast<double>(end - now_ticks()), sc_core::SC_PS));
    step_ticks.push_back(end - T0);
    counters_.steps++;
    step++;
    if (inputs_of_step) inputs_of_step->clear();
    if (on_spikes) on_spikes(out);
  }

  /** The step's values, layer by layer (units are in layer order); returns its spikes sorted by layer and neuron. */
  std::vector<OutSpike> compute_values(int t) {
    std::vector<OutSpike> out;
    for (Unit* u : units) {
      const Layer& l = prog_.layers[u->layer];
      apply_arrivals(*u, t);
      if (l.kind == "input") feed(*u);
      else {
        if (times_activity_ && l.kind == "neuron" && l.chip) mark_active(*u, t);
        u->state.update(t, prog_.subtract);
        if (l.kind == "neuron") counters_.neuron_updates += u->state.count;
      }
      for (const auto& [k, x] : u->state.out) {
        if (l.kind == "neuron" && l.spiking) { out.push_back({t, u->layer, k, x}); counters_.spikes++; }
        scatter(*u, k, x, t);
      }
    }
    std::stable_sort(out.begin(), out.end(), [](const OutSpike& a, const OutSpike& b) { return a.layer != b.layer ? a.layer < b.layer : a.k < b.k; });
    return out;
  }

  /** Hands neuron k's output x of step t to every unit a projection from it reaches. */
  void scatter(const Unit& src, int k, double x, int t) {
    for (int pi : prog_.outgoing[src.layer]) {
      const Projection& pr = prog_.projections[pi];
      for (Unit* v : units) {
        if (v->layer != pr.dst) continue;
        int n = pr.lower_bound(k, v->end) - pr.lower_bound(k, v->start);
        if (n > 0) { v->arrivals.push_back({t, src.layer, pi, k, x}); counters_.syn_ops += n; }
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

  /** The input layer's values for this step, ascending neuron order (nonzero only; injections of one neuron add up). */
  void feed(Unit& u) {
    u.state.out.clear();
    if (!inputs_of_step) return;
    auto it = inputs_of_step->find(u.layer);
    if (it == inputs_of_step->end()) return;
    std::map<int, double> sum;
    for (const auto& [k, x] : it->second) sum[k] += x;
    for (const auto& [k, x] : sum) if (x != 0) u.state.out.emplace_back(k, x);
  }

  /** Per neuron: active at step t before its update (input arriving, state off rest, or a bias in force). */
  void mark_active(Unit& u, int t) {
    const Layer& l = prog_.layers[u.layer];
    const SliceState& s = u.state;
    const int slot = t % l.ring_slots;
    const auto& bias = l.bias_at(t);
    u.active.assign(s.count, 0);
    for (int j = 0; j < s.count; j++) {
      int k = s.start + j;
      bool a = s.v[j] != l.v_rest[k];
      for (size_t p = 0; !a && p < bias.size(); p++) a = bias[p][k] != 0;
      for (size_t r = 0; !a && r < s.ring.size(); r++) a = s.ring[r][slot][j] != 0;
      for (size_t p = 0; !a && p < s.cur.size(); p++) a = s.cur[p][j] != 0;
      u.active[j] = a;
    }
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
//   0x038 LAST_STEP_CYCLES R 8 bytes, double (cycles of the target's clock)
//   0x040.. counters, 8 bytes each: steps, spikes, packets, hops, synaptic ops, neuron updates, messages,
//           messages to the sender's own core, stalls (a full buffer or queue met)
//   0x0A0 TOTAL_CYCLES R 8 bytes, double
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
constexpr std::uint64_t COUNTERS = 0x040, TOTAL_CYCLES = 0x0A0, PROGRAM_HASH = 0x100;
constexpr int N_COUNTERS = 9;
constexpr std::uint32_t MAGIC = 0x50485343;
constexpr std::uint32_t EMPTY = 0xFFFFFFFF;
}  // namespace reg

SC_MODULE(HostTarget) {
  tlm_utils::simple_target_socket<HostTarget> socket;

  HostTarget(sc_core::sc_module_name n, const Program& p, Counters& c, Barrier& b, std::map<int, std::vector<std::pair<int, double>>>& inputs)
      : sc_module(n), socket("socket"), prog_(p), counters_(c), barrier_(b), inputs_(inputs), R_(p.time("R")) {
    socket.register_b_transport(this, &HostTarget::b_transport);
    for (const Layer& l : p.layers) if (l.kind == "input") input_layers_.push_back(l.index);
    barrier_.on_spikes = [this](const std::vector<OutSpike>& s) { out_.insert(out_.end(), s.begin(), s.end()); };
  }

  /** Layer index of the n-th input layer. */
  const std::vector<int>& input_layers() const { return input_layers_; }

 private:
  const Program& prog_;
  Counters& counters_;
  Barrier& barrier_;
  std::map<int, std::vector<std::pair<int, double>>>& inputs_;
  const double R_;
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
    const Counters& c = counters_;
    const std::uint64_t counters[reg::N_COUNTERS] = {c.steps, c.spikes, c.packets, c.hops, c.syn_ops, c.neuron_updates,
                                                      c.messages, c.self_messages, c.stalls};
    switch (a) {
      case reg::ID: return put<std::uint32_t>(d, len, reg::MAGIC);
      case reg::VERSION: return put<std::uint32_t>(d, len, 1);
      case reg::STEP: return put<std::uint32_t>(d, len, barrier_.step);
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
      case reg::LAST_STEP_CYCLES: return put<double>(d, len, barrier_.step_ticks.empty() ? 0.0 : barrier_.step_ticks.back() / R_);
      case reg::TOTAL_CYCLES: {
        Ticks s = 0;
        for (Ticks x : barrier_.step_ticks) s += x;
        return put<double>(d, len, s / R_);
      }
      default: break;
    }
    if (a >= reg::COUNTERS && a < reg::COUNTERS + 8 * reg::N_COUNTERS && (a - reg::COUNTERS) % 8 == 0)
      return put<std::uint64_t>(d, len, counters[(a - reg::COUNTERS) / 8]);
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
  "phasor_system.h": String.raw`// The compiled system: one Core per core holding units (and the host, core -1: input and host
// layers), one Router per mesh position in the used part of the mesh (its links are bounded
// buffers), the Barrier that runs the steps, and the HostTarget with the TLM-2.0 socket.
#pragma once
#include <map>
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

/** Host input: takes everything at once, at no cost (a token is passed on to the host's units). */
class HostInput : public Sink {
 public:
  std::function<void(int unit, Ticks at)> on_token;
  bool offer(const Packet& p, Ticks now, const std::function<void()>&) override {
    if (p.token) on_token(p.unit, now);
    return true;
  }
};

SC_MODULE(System) {
  const Program& prog;
  Counters counters;
  Activity activity;
  std::vector<std::unique_ptr<Unit>> units;
  std::vector<Fanout> fan;
  std::map<int, Costs> costs;
  std::unique_ptr<Mesh> mesh;
  std::map<int, std::unique_ptr<Core>> cores;
  std::map<int, std::unique_ptr<InputSide>> inputs;
  HostInput host_input;
  std::vector<std::unique_ptr<Router>> routers;
  std::unique_ptr<Barrier> barrier;
  std::unique_ptr<HostTarget> host;
  std::map<int, std::vector<std::pair<int, double>>> step_inputs;
  int mesh_w = 1, mesh_h = 1;

  /** depth: packets per link buffer; queue: messages per queue inside a core (the cycle engine's bufferDepth, coreQueueDepth). */
  System(sc_core::sc_module_name n, const Program& p, int depth, int queue) : sc_module(n), prog(p) {
    Timer::activity() = &activity;
    read_costs();
    build_units();
    build_fanout();
    auto tk = [&](const char* k) { return static_cast<Ticks>(p.time(k)); };
    mesh = std::make_unique<Mesh>(p, counters, tk("hop"), tk("hopNS"), tk("within"), tk("serial"), depth);
    build_routers();
    const bool times_activity = p.time("timesActivity") != 0;
    barrier = std::make_unique<Barrier>("barrier", p, counters, activity, times_activity);
    barrier->inputs_of_step = &step_inputs;
    for (auto& u : units) barrier->units.push_back(u.get());
    for (const CoreInfo& c : p.cores) barrier->used_cores.push_back(c.id);
    build_cores(queue, times_activity);
    mesh->input = [this](int c) -> Sink& { auto it = inputs.find(c); return it == inputs.end() ? static_cast<Sink&>(host_input) : *it->second; };
    host_input.on_token = [this](int unit, Ticks at) { barrier->deliver_token(HOST, unit, at); };
    host = std::make_unique<HostTarget>("host", p, counters, *barrier, step_inputs);
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
  void read_costs() {
    static const char* fields[] = {"axonIn", "synapsePerMessage", "synapsePerSynapse", "dendritePerSynapse",
                                   "somaActive", "somaInactive", "spike", "axonOut"};
    for (const auto& [key, value] : prog.timing) {
      if (key.rfind("ports", 0) != 0) continue;
      size_t dot = key.find('.');
      int ports = std::stoi(key.substr(5, dot - 5));
      std::string f = key.substr(dot + 1);
      Costs& c = costs[ports];
      Ticks* slot[] = {&c.axon_in, &c.syn_msg, &c.syn_syn, &c.dend_syn, &c.active, &c.inactive, &c.spike, &c.axon_out};
      for (int i = 0; i < 8; i++) if (f == fields[i]) *slot[i] = static_cast<Ticks>(value);
    }
    if (costs.empty()) throw std::runtime_error("program.dat has no stage costs (timing ports<P>.*)");
  }

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
      std::set<int> dst;
      for (int pi : prog.outgoing[u->layer]) {
        const Projection& pr = prog.projections[pi];
        if (pr.lag != 0) continue;
        for (auto& v : units) if (v->layer == pr.dst) { v->sources.insert(u->id); dst.insert(v->core); }
      }
      u->token_cores.assign(dst.begin(), dst.end());
    }
  }

  /** Per neuron of every layer: the cores its events reach (ascending) and the synapses they reach on each. */
  void build_fanout() {
    fan.resize(prog.layers.size());
    for (const Layer& l : prog.layers) {
      Fanout& f = fan[l.index];
      f.ptr.assign(1, 0);
      for (int k = 0; k < l.size; k++) {
        std::map<int, int> per;
        for (int pi : prog.outgoing[l.index]) {
          const Projection& pr = prog.projections[pi];
          const Layer& d = prog.layers[pr.dst];
          std::vector<Slice> slices = d.chip ? d.slices : std::vector<Slice>{{HOST, 0, d.size}};
          for (const Slice& s : slices) {
            int n = pr.lower_bound(k, s.start + s.count) - pr.lower_bound(k, s.start);
            if (n > 0) per[s.core] += n;
          }
        }
        for (const auto& [c, n] : per) { f.core.push_back(c); f.syn.push_back(n); }
        f.ptr.push_back(static_cast<int>(f.core.size()));
      }
    }
  }

  void build_routers() {
    for (const CoreInfo& c : prog.cores) { mesh_w = std::max(mesh_w, c.x + 1); mesh_h = std::max(mesh_h, c.y + 1); }
    for (int y = 0; y < mesh_h; y++)
      for (int x = 0; x < mesh_w; x++)
        routers.push_back(std::make_unique<Router>(("router_" + std::to_string(x) + "_" + std::to_string(y)).c_str(), x, y));
    mesh->router = [this](int x, int y) -> Router& {
      if (x < 0 || y < 0 || x >= mesh_w || y >= mesh_h) throw std::runtime_error("a route left the used part of the mesh");
      return *routers[y * mesh_w + x];
    };
  }

  void build_cores(int queue, bool times_activity) {
    std::map<int, std::vector<Unit*>> by_core;
    for (auto& u : units) by_core[u->core].push_back(u.get());
    const Costs& input_costs = costs.count(1) ? costs.at(1) : costs.begin()->second;
    for (auto& [id, list] : by_core) {
      std::stable_sort(list.begin(), list.end(),
                       [](const Unit* a, const Unit* b) { return a->layer != b->layer ? a->layer < b->layer : a->start < b->start; });
      std::string name = id == HOST ? "host_core" : "core_" + std::to_string(id);
      auto c = std::make_unique<Core>(name.c_str(), id, prog, *mesh, counters, fan, [this](int ports) -> const Costs& {
        auto it = costs.find(ports);
        return it == costs.end() ? costs.begin()->second : it->second;
      }, times_activity, queue);
      c->units = list;
      barrier->cores[id] = c.get();
      if (id != HOST) {
        auto in = std::make_unique<InputSide>(id, queue, input_costs);
        in->timer = &c->timer;
        in->on_token = [this, id](int unit, Ticks at) { barrier->deliver_token(id, unit, at); };
        in->on_stall = [this] { mesh->stall(); };
        barrier->inputs[id] = in.get();
        inputs[id] = std::move(in);
      }
      cores[id] = std::move(c);
    }
    std::set<int> seen;
    for (auto& u : units) if (seen.insert(u->core).second) barrier->start_order.push_back(cores.at(u->core).get());
  }
};

}  // namespace phasor
`,
  "main.cpp": String.raw`// The standalone model: reads program.dat and an input file, runs the system through its TLM-2.0
// socket with a small host (a Testbench that injects each step's inputs, runs the step, and
// reads the output spikes and the step's cycles) and writes the run as JSON.
//
//   phasor_model --input IN.txt --out OUT.json [--program program.dat] [--depth N] [--queue N]
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
  std::uint64_t counters[reg::N_COUNTERS] = {};
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
    for (int i = 0; i < reg::N_COUNTERS; i++) counters[i] = rd<std::uint64_t>(reg::COUNTERS + 8 * i);
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
  static const char* names[] = {"steps", "spikes", "packets", "hops", "synOps", "neuronUpdates", "messages", "selfMessages", "stalls"};
  o << "],\n  \"counters\": {";
  for (int i = 0; i < reg::N_COUNTERS; i++) o << (i ? ", " : "") << "\"" << names[i] << "\": " << tb.counters[i];
  o << "},\n  \"events\": " << events << ",\n  \"wallSeconds\": " << num(seconds) << "\n}\n";
}

}  // namespace phasor

int sc_main(int argc, char** argv) {
  using namespace phasor;
  std::string program = PHASOR_DEFAULT_PROGRAM, input, out;
  int depth = 16, queue = 16;
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
    else if (a == "--queue") queue = std::stoi(value());
    else { std::cerr << "usage: " << argv[0] << " --input IN.txt --out OUT.json [--program program.dat] [--depth N] [--queue N]\n"; return 2; }
  }
  // sc_stop's "simulation stopped by user" note is the normal end of a run here.
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  try {
    if (input.empty() || out.empty()) throw std::runtime_error("give --input IN.txt and --out OUT.json");
    Program p = Program::load(program);
    if (p.hash != phasor_program_hash)
      throw std::runtime_error(program + " holds Program " + p.hash.substr(0, 12) + "; this model was generated for " +
                               std::string(phasor_program_hash).substr(0, 12) + " (emit the model again and rebuild)");
    InputFile in = InputFile::load(input);
    if (depth < 1 || queue < 1) throw std::runtime_error("--depth and --queue take a positive number");
    System sys("system", p, depth, queue);
    for (const auto& i : in.init) sys.init_state(i.layer, i.var, i.codes);
    Testbench tb("testbench", p, in, sys.host->input_layers());
    tb.socket.bind(sys.host->socket);
    auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    write_json(out, p, tb, seconds, sys.activity.executed);
  } catch (const std::exception& e) {
    std::cerr << "phasor_model: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
`,
};
