/**
 * AEDAT 3.1 (iniVation): ASCII header lines starting with '#' up to "#!END-HEADER\r\n", then
 * packets. Packet header, 28 bytes little-endian: eventType i16, eventSource i16, eventSize
 * i32, eventTSOffset i32, eventTSOverflow i32, eventCapacity i32, eventNumber i32, eventValid
 * i32. Polarity events (type 1, 8 bytes): data u32 (bit 0 valid, bit 1 polarity, bits 2-16 y,
 * bits 17-31 x) and timestamp i32 in microseconds; the full time is overflow << 31 | timestamp.
 * Other packet types are skipped.
 */
import { PhasorError } from "../ir/errors.js";
import { allocEvents, type Events } from "./events.js";

const END = "#!END-HEADER\r\n";
const POLARITY = 1;

/** Decodes the polarity events of an AEDAT 3.1 file (invalid events dropped). */
export function parseAedat31(bytes: Uint8Array, source = "AEDAT file"): Events {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1 << 16)).toString("latin1");
  if (!head.startsWith("#!AER-DAT3")) throw new PhasorError([{ code: "bad-file", path: [source], message: "not AEDAT 3.x (first line must be #!AER-DAT3.1)" }]);
  const end = head.indexOf(END);
  if (end < 0) throw new PhasorError([{ code: "bad-file", path: [source], message: "AEDAT header has no #!END-HEADER line" }]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const t: number[] = [], x: number[] = [], y: number[] = [], p: number[] = [];
  for (let at = end + END.length; at + 28 <= bytes.length; ) {
    const type = view.getInt16(at, true);
    const size = view.getInt32(at + 4, true);
    const tsOffset = view.getInt32(at + 8, true);
    const overflow = view.getInt32(at + 12, true);
    const number = view.getInt32(at + 20, true);
    const body = at + 28;
    if (size <= 0 || body + size * number > bytes.length) throw new PhasorError([{ code: "truncated", path: [source, at], message: "truncated AEDAT packet" }]);
    if (type === POLARITY) {
      for (let k = 0; k < number; k++) {
        const o = body + k * size;
        const data = view.getUint32(o, true);
        if (!(data & 1)) continue;
        t.push(overflow * 2 ** 31 + view.getInt32(o + tsOffset, true));
        x.push((data >>> 17) & 0x7fff);
        y.push((data >>> 2) & 0x7fff);
        p.push((data >>> 1) & 1);
      }
    }
    at = body + size * number;
  }
  const e = allocEvents(t.length);
  e.t.set(t); e.x.set(x); e.y.set(y); e.p.set(p);
  return e;
}

/** Encodes polarity events as a one-packet AEDAT 3.1 file; for tests and tools. */
export function formatAedat31(e: Events): Uint8Array {
  const header = Buffer.from("#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DVS128\r\n" + END, "latin1");
  const n = e.t.length;
  const out = new Uint8Array(header.length + 28 + 8 * n);
  out.set(header);
  const v = new DataView(out.buffer);
  const h = header.length;
  v.setInt16(h, POLARITY, true); v.setInt16(h + 2, 1, true); v.setInt32(h + 4, 8, true); v.setInt32(h + 8, 4, true);
  v.setInt32(h + 12, 0, true); v.setInt32(h + 16, n, true); v.setInt32(h + 20, n, true); v.setInt32(h + 24, n, true);
  for (let k = 0; k < n; k++) {
    const o = h + 28 + 8 * k;
    v.setUint32(o, ((e.x[k] << 17) | (e.y[k] << 2) | (e.p[k] << 1) | 1) >>> 0, true);
    v.setInt32(o + 4, e.t[k], true);
  }
  return out;
}
