import type { ByteSource } from '../../bytes/byte-source';
import {
  ProtoError,
  ProtoReader,
  WireType,
  type ProtoField,
  type ProtoRange,
  type ProtoLimits
} from '../protobuf/wire';
import type { ExternalReference } from './external-data';

/** Bounds on what is collected (the walk itself is bounded by the protobuf reader's limits). */
const MAX_LISTED = 10_000;
const MAX_NAME = 1024;
/** If/Loop/Scan bodies nested deeper than this are not followed. */
export const MAX_SUBGRAPH_DEPTH = 32;

export interface OnnxOperator {
  domain: string;
  opType: string;
  count: number;
  /** Name of the first node using it (may be empty). */
  firstNode: string;
  at: number;
}

export interface OnnxSummary {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  opsets: { domain: string; version: number }[];
  hasGraph: boolean;
  nodes: number;
  initializers: number;
  /** Distinct (domain, op_type) pairs across the main graph, subgraphs, training graphs and functions. */
  operators: Map<string, OnnxOperator>;
  functions: { domain: string; name: string; at: number }[];
  externalData: ExternalReference[];
  metadataKeys: string[];
  /** Things skipped because a bound was reached (reported as incomplete). */
  skipped: string[];
  /** Set when the bytes stopped making sense; everything before it was still summarised. */
  error?: { message: string; offset: number };
}

const str = (r: ProtoReader, f: ProtoField) => r.string(f, MAX_NAME);
const isLen = (f: ProtoField) => f.wire === WireType.len;

class OnnxWalker {
  readonly s: OnnxSummary = {
    opsets: [],
    hasGraph: false,
    nodes: 0,
    initializers: 0,
    operators: new Map(),
    functions: [],
    externalData: [],
    metadataKeys: [],
    skipped: []
  };

  constructor(private readonly r: ProtoReader) {}

  private skip(what: string): void {
    if (!this.s.skipped.includes(what)) this.s.skipped.push(what);
  }

  async model(range: ProtoRange): Promise<void> {
    const { r, s } = this;
    for await (const f of r.fields(range)) {
      if (f.field === 1 && f.wire === WireType.varint) s.irVersion = f.value;
      else if (!isLen(f)) continue;
      else if (f.field === 2) s.producerName = await str(r, f);
      else if (f.field === 3) s.producerVersion = await str(r, f);
      else if (f.field === 8) s.opsets.push(await this.opset(r.child(f, range)));
      else if (f.field === 7) {
        s.hasGraph = true;
        await this.graph(r.child(f, range), 0);
      } else if (f.field === 14) await this.metadata(r.child(f, range));
      else if (f.field === 20) await this.trainingInfo(r.child(f, range));
      else if (f.field === 25) await this.func(r.child(f, range), f.offset);
    }
  }

  private async opset(range: ProtoRange): Promise<{ domain: string; version: number }> {
    const out = { domain: '', version: 0 };
    for await (const f of this.r.fields(range)) {
      if (f.field === 1 && isLen(f)) out.domain = await str(this.r, f);
      else if (f.field === 2 && f.wire === WireType.varint) out.version = f.value;
    }
    return out;
  }

  private async metadata(range: ProtoRange): Promise<void> {
    for await (const f of this.r.fields(range)) {
      if (f.field === 1 && isLen(f) && this.s.metadataKeys.length < 256) {
        this.s.metadataKeys.push(await str(this.r, f));
      }
    }
  }

  private async trainingInfo(range: ProtoRange): Promise<void> {
    for await (const f of this.r.fields(range)) {
      if ((f.field === 1 || f.field === 2) && isLen(f)) await this.graph(this.r.child(f, range), 1);
    }
  }

  private async graph(range: ProtoRange, level: number): Promise<void> {
    if (level > MAX_SUBGRAPH_DEPTH) {
      this.skip(`subgraphs nested deeper than ${MAX_SUBGRAPH_DEPTH} levels`);
      return;
    }
    for await (const f of this.r.fields(range)) {
      if (!isLen(f)) continue;
      if (f.field === 1) await this.node(this.r.child(f, range), f.offset, level);
      else if (f.field === 5) {
        this.s.initializers++;
        await this.tensor(this.r.child(f, range), f.offset);
      } else if (f.field === 15) await this.sparseTensor(this.r.child(f, range));
    }
  }

  private async node(range: ProtoRange, at: number, level: number): Promise<void> {
    this.s.nodes++;
    let domain = '';
    let opType = '';
    let name = '';
    for await (const f of this.r.fields(range)) {
      if (!isLen(f)) continue;
      if (f.field === 4) opType = await str(this.r, f);
      else if (f.field === 7) domain = await str(this.r, f);
      else if (f.field === 3) name = await str(this.r, f);
      else if (f.field === 5) await this.attribute(this.r.child(f, range), level);
    }
    this.operator(domain, opType, name, at);
  }

  private operator(domain: string, opType: string, node: string, at: number): void {
    const key = `${domain}\u0000${opType}`;
    const known = this.s.operators.get(key);
    if (known) known.count++;
    else if (this.s.operators.size < MAX_LISTED) {
      this.s.operators.set(key, { domain, opType, count: 1, firstNode: node, at });
    } else this.skip(`more than ${MAX_LISTED} distinct operators`);
  }

  private async attribute(range: ProtoRange, level: number): Promise<void> {
    for await (const f of this.r.fields(range)) {
      if (!isLen(f)) continue;
      if (f.field === 6 || f.field === 11) await this.graph(this.r.child(f, range), level + 1);
      else if (f.field === 5 || f.field === 10) await this.tensor(this.r.child(f, range), f.offset);
      else if (f.field === 22 || f.field === 23) await this.sparseTensor(this.r.child(f, range));
    }
  }

  private async sparseTensor(range: ProtoRange): Promise<void> {
    for await (const f of this.r.fields(range)) {
      if ((f.field === 1 || f.field === 2) && isLen(f)) await this.tensor(this.r.child(f, range), f.offset);
    }
  }

  private async tensor(range: ProtoRange, at: number): Promise<void> {
    let name = '';
    let external = false;
    const entries: Record<string, string> = {};
    for await (const f of this.r.fields(range)) {
      if (f.field === 14 && f.wire === WireType.varint) external = f.value === 1;
      else if (f.field === 8 && isLen(f)) name = await str(this.r, f);
      else if (f.field === 13 && isLen(f)) {
        const [key, value] = await this.entry(this.r.child(f, range));
        entries[key] = value;
      }
    }
    // onnx.load follows `location` whenever external_data entries exist, so list them even without the flag.
    if (!external && entries.location === undefined) return;
    if (this.s.externalData.length >= MAX_LISTED)
      return this.skip(`more than ${MAX_LISTED} external tensors`);
    this.s.externalData.push({
      tensor: name,
      location: entries.location ?? '',
      offset: entries.offset,
      length: entries.length,
      checksum: entries.checksum,
      at
    });
  }

  private async entry(range: ProtoRange): Promise<[string, string]> {
    let key = '';
    let value = '';
    for await (const f of this.r.fields(range)) {
      if (f.field === 1 && isLen(f)) key = await str(this.r, f);
      else if (f.field === 2 && isLen(f)) value = await str(this.r, f);
    }
    return [key, value];
  }

  private async func(range: ProtoRange, at: number): Promise<void> {
    let name = '';
    let domain = '';
    for await (const f of this.r.fields(range)) {
      if (!isLen(f)) continue;
      if (f.field === 1) name = await str(this.r, f);
      else if (f.field === 10) domain = await str(this.r, f);
      else if (f.field === 7) await this.node(this.r.child(f, range), f.offset, 1);
    }
    if (this.s.functions.length < MAX_LISTED) this.s.functions.push({ domain, name, at });
  }
}

/** Walks a ModelProto by offsets (tensor payloads are never read) and summarises what a loader would use. */
export async function readOnnxModel(src: ByteSource, limits?: ProtoLimits): Promise<OnnxSummary> {
  const reader = new ProtoReader(src, limits);
  const walker = new OnnxWalker(reader);
  try {
    await walker.model(reader.root());
  } catch (err) {
    if (!(err instanceof ProtoError)) throw err;
    walker.s.error = { message: err.message, offset: err.offset };
  }
  return walker.s;
}
