/**
 * Builders for constructing graphs by hand. A builder adds nodes in a chain (each new node is
 * fed by the previous one unless told otherwise) and tracks shapes with the node specs, so
 * neuron sizes and Output shapes can be left out.
 */
import type { Edge, FloatArray, Graph, Node, NodeOf, Tensor } from "./graph.js";
import { numel } from "./graph.js";
import { PhasorError } from "./errors.js";
import { specOf } from "./nodes.js";

/** A value accepted where a tensor is expected: a scalar (broadcast), an array, or a Tensor. */
export type TensorLike = number | ArrayLike<number> | Tensor;

/** Makes a float64 tensor (or float32 with `dtype`); a scalar fills `shape`. */
export function tensor(values: TensorLike, shape?: number[], dtype: "float64" | "float32" = "float64"): Tensor {
  if (isTensor(values)) return values;
  const Ctor = dtype === "float32" ? Float32Array : Float64Array;
  if (typeof values === "number") {
    const s = shape ?? [1];
    return { shape: s, data: new Ctor(numel(s)).fill(values) };
  }
  const s = shape ?? [values.length];
  if (numel(s) !== values.length) throw new PhasorError(`tensor: shape [${s}] needs ${numel(s)} values, got ${values.length}`, "bad-parameter");
  return { shape: s, data: Ctor.from(values as ArrayLike<number>) };
}

function isTensor(v: TensorLike): v is Tensor {
  return typeof v === "object" && v !== null && "shape" in v && "data" in v;
}

/** A weight matrix [out][in]: nested arrays or a Tensor of shape [out, in]. */
export type MatrixLike = Tensor | ArrayLike<ArrayLike<number>>;

/** Where a new node takes its input: the previous node (default), named nodes, or nothing. */
export interface AddOptions {
  from?: string | string[] | null;
  port?: number;
}

/** Neuron parameters; scalars broadcast to `size` (default: the previous node's output). */
export interface LIFParams { size?: number[] | number; tau: TensorLike; r?: TensorLike; v_leak?: TensorLike; v_threshold?: TensorLike; v_reset?: TensorLike; t_ref?: TensorLike }
export interface CubaLIFParams { size?: number[] | number; tau_syn: TensorLike; tau_mem: TensorLike; r?: TensorLike; v_leak?: TensorLike; v_threshold?: TensorLike; w_in?: TensorLike; v_reset?: TensorLike; t_ref?: TensorLike }
export interface MultiCubaLIFParams extends Omit<CubaLIFParams, "tau_syn" | "w_in"> {
  /** One time constant per synaptic current (port), e.g. [5e-3, 10e-3]. */
  tau_syn: number[];
}

/** Chain-style graph builder. */
export class GraphBuilder {
  private readonly nodes: Record<string, Node> = {};
  private readonly edges: Edge[] = [];
  private readonly shapes = new Map<string, number[]>();
  private last: string | undefined;

  /** Adds a node, fed by the previous node (or `opts.from`). */
  add(name: string, node: Node, opts: AddOptions = {}): this {
    if (this.nodes[name]) throw new PhasorError(`node "${name}" already exists`, "duplicate");
    const from = opts.from === undefined ? (this.last ? [this.last] : []) : opts.from === null ? [] : [opts.from].flat();
    this.nodes[name] = node;
    for (const f of from) this.connect(f, name, opts.port);
    const spec = specOf(node.type);
    const r = spec?.shapes(node, from.length ? this.shapes.get(from[0]) : undefined);
    if (typeof r === "string") throw new PhasorError([{ code: "shape-mismatch", path: [name], message: r }]);
    if (r?.output) this.shapes.set(name, r.output);
    this.last = name;
    return this;
  }

  /** Adds an edge; `port` selects a synaptic current of a MultiCubaLIF. */
  connect(src: string, dst: string, port?: number): this {
    this.edges.push(port === undefined ? { src, dst } : { src, dst, port });
    return this;
  }

  /** Output shape of a node added so far. */
  shapeOf(name: string): number[] | undefined {
    return this.shapes.get(name);
  }

  input(name: string, shape: number[] | number): this {
    return this.add(name, { type: "Input", shape: [shape].flat() }, { from: null });
  }

  output(name: string, opts: AddOptions = {}): this {
    const src = opts.from === undefined ? this.last : [opts.from].flat()[0];
    const shape = (src ? this.shapes.get(src) : undefined) ?? [1];
    return this.add(name, { type: "Output", shape }, opts);
  }

  affine(name: string, weight: MatrixLike, bias: TensorLike, opts?: AddOptions): this {
    const w = matrix(weight);
    return this.add(name, { type: "Affine", weight: w, bias: tensor(bias, [w.shape[0]]) }, opts);
  }

  linear(name: string, weight: MatrixLike, opts?: AddOptions): this {
    return this.add(name, { type: "Linear", weight: matrix(weight) }, opts);
  }

  lif(name: string, p: LIFParams, opts?: AddOptions): this {
    const s = this.size(p.size, opts);
    const node: NodeOf<"LIF"> = { type: "LIF", tau: tensor(p.tau, s), r: tensor(p.r ?? 1, s), v_leak: tensor(p.v_leak ?? 0, s), v_threshold: tensor(p.v_threshold ?? 1, s) };
    return this.add(name, withExtras(node, p, s), opts);
  }

  cubaLIF(name: string, p: CubaLIFParams, opts?: AddOptions): this {
    const s = this.size(p.size, opts);
    const node: NodeOf<"CubaLIF"> = {
      type: "CubaLIF", tau_syn: tensor(p.tau_syn, s), tau_mem: tensor(p.tau_mem, s), r: tensor(p.r ?? 1, s),
      v_leak: tensor(p.v_leak ?? 0, s), v_threshold: tensor(p.v_threshold ?? 1, s), w_in: tensor(p.w_in ?? 1, s),
    };
    return this.add(name, withExtras(node, p, s), opts);
  }

  /** LIF with one synaptic current per port (Phasor extension). */
  multiCubaLIF(name: string, p: MultiCubaLIFParams, opts?: AddOptions): this {
    const s = this.size(p.size, opts);
    const node: NodeOf<"MultiCubaLIF"> = {
      type: "MultiCubaLIF", tau_syn: tensor(p.tau_syn, [p.tau_syn.length]), tau_mem: tensor(p.tau_mem, s), r: tensor(p.r ?? 1, s),
      v_leak: tensor(p.v_leak ?? 0, s), v_threshold: tensor(p.v_threshold ?? 1, s),
    };
    return this.add(name, withExtras(node, p, s), opts);
  }

  /** Sparse projection from coordinate lists (pre[k] -> post[k] with weight[k], optional delay[k] seconds). */
  sparse(name: string, p: { pre: number; post: number; i: ArrayLike<number>; j: ArrayLike<number>; weight: ArrayLike<number> | number; delay?: ArrayLike<number> | number }, opts?: AddOptions): this {
    return this.add(name, sparseFromCoo(p), opts);
  }

  /** Any other node type, given as a Node object. */
  node(name: string, node: Node, opts?: AddOptions): this {
    return this.add(name, node, opts);
  }

  /** The finished graph (not validated: call validateGraph or let a consumer do it). */
  build(): Graph {
    return { type: "NIRGraph", nodes: { ...this.nodes }, edges: [...this.edges] };
  }

  private size(size: number[] | number | undefined, opts?: AddOptions): number[] {
    if (size !== undefined) return [size].flat();
    const from = opts?.from === undefined ? this.last : opts.from === null ? undefined : [opts.from].flat()[0];
    const s = from ? this.shapes.get(from) : undefined;
    if (!s) throw new PhasorError("neuron size unknown: give `size` or add the node after one whose output shape is known", "missing-parameter");
    return [numel(s)];
  }
}

/** Starts a new graph builder. */
export function graph(): GraphBuilder {
  return new GraphBuilder();
}

function matrix(w: MatrixLike): Tensor {
  if ("shape" in w && "data" in w) return w as Tensor;
  const rows = Array.from(w as ArrayLike<ArrayLike<number>>);
  if (!rows.length || typeof rows[0] !== "object") throw new PhasorError("weight must be a Tensor [out, in] or a nested array [out][in]", "bad-parameter");
  const cols = rows[0].length;
  const bad = rows.findIndex((r) => r.length !== cols);
  if (bad >= 0) throw new PhasorError(`weight row ${bad} has ${rows[bad].length} entries, row 0 has ${cols}`, "bad-parameter");
  return tensor(rows.flatMap((r) => Array.from(r)), [rows.length, cols]);
}

function withExtras<T extends NodeOf<"LIF" | "CubaLIF" | "MultiCubaLIF">>(node: T, p: { v_reset?: TensorLike; t_ref?: TensorLike }, s: number[]): T {
  if (p.v_reset !== undefined) node.v_reset = tensor(p.v_reset, s);
  if (p.t_ref !== undefined) node.t_ref = tensor(p.t_ref, s);
  return node;
}

/** Builds a CSR SparseProjection from coordinate lists, sorting synapses by presynaptic neuron. */
export function sparseFromCoo(p: { pre: number; post: number; i: ArrayLike<number>; j: ArrayLike<number>; weight: ArrayLike<number> | number; delay?: ArrayLike<number> | number }): NodeOf<"SparseProjection"> {
  const nnz = p.i.length;
  if (p.j.length !== nnz) throw new PhasorError(`sparse: i has ${nnz} entries but j has ${p.j.length}`, "bad-csr");
  const indptr = new Int32Array(p.pre + 1);
  for (let k = 0; k < nnz; k++) indptr[p.i[k] + 1]++;
  for (let r = 0; r < p.pre; r++) indptr[r + 1] += indptr[r];
  const fill = indptr.slice(0, p.pre);
  const indices = new Int32Array(nnz);
  const weight = new Float64Array(nnz);
  const delay: FloatArray | undefined = p.delay === undefined ? undefined : new Float64Array(nnz);
  for (let k = 0; k < nnz; k++) {
    const at = fill[p.i[k]]++;
    indices[at] = p.j[k];
    weight[at] = typeof p.weight === "number" ? p.weight : p.weight[k];
    if (delay) delay[at] = typeof p.delay === "number" ? p.delay : (p.delay as ArrayLike<number>)[k];
  }
  const node: NodeOf<"SparseProjection"> = { type: "SparseProjection", pre: p.pre, post: p.post, indptr, indices, weight };
  if (delay) node.delay = delay;
  return node;
}
