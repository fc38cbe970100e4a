import type { ByteSource } from '../../bytes/byte-source';
import {
  ProtoError,
  ProtoReader,
  WireType,
  type ProtoField,
  type ProtoLimits,
  type ProtoRange
} from '../protobuf/wire';

const MAX_LISTED = 10_000;
const MAX_NAME = 1024;

export interface TfOp {
  op: string;
  count: number;
  /** Name of the first node using it. */
  firstNode: string;
  at: number;
}

export interface TfSummary {
  kind: 'saved-model' | 'graph-def';
  metaGraphs: number;
  tags: string[];
  tensorflowVersion?: string;
  nodes: number;
  /** Distinct ops of every node in graphs and function bodies. */
  ops: Map<string, TfOp>;
  /** Names of the functions defined in the graph libraries (nodes may call them as ops). */
  functions: Set<string>;
  skipped: string[];
  error?: { message: string; offset: number };
}

const isLen = (f: ProtoField) => f.wire === WireType.len;

class TfWalker {
  readonly s: TfSummary;

  constructor(
    private readonly r: ProtoReader,
    kind: TfSummary['kind']
  ) {
    this.s = { kind, metaGraphs: 0, tags: [], nodes: 0, ops: new Map(), functions: new Set(), skipped: [] };
  }

  private str(f: ProtoField): Promise<string> {
    return this.r.string(f, MAX_NAME);
  }

  async savedModel(range: ProtoRange): Promise<void> {
    for await (const f of this.r.fields(range)) {
      if (f.field === 2 && isLen(f)) {
        this.s.metaGraphs++;
        await this.metaGraph(this.r.child(f, range));
      }
    }
  }

  private async metaGraph(range: ProtoRange): Promise<void> {
    for await (const f of this.r.fields(range)) {
      if (f.field === 1 && isLen(f)) await this.metaInfo(this.r.child(f, range));
      else if (f.field === 2 && isLen(f)) await this.graphDef(this.r.child(f, range));
    }
  }

  private async metaInfo(range: ProtoRange): Promise<void> {
    for await (const f of this.r.fields(range)) {
      if (!isLen(f)) continue;
      if (f.field === 4 && this.s.tags.length < 32) this.s.tags.push(await this.str(f));
      else if (f.field === 5) this.s.tensorflowVersion = await this.str(f);
    }
  }

  async graphDef(range: ProtoRange): Promise<void> {
    for await (const f of this.r.fields(range)) {
      if (f.field === 1 && isLen(f)) await this.node(this.r.child(f, range), f.offset);
      else if (f.field === 2 && isLen(f)) await this.library(this.r.child(f, range));
    }
  }

  private async library(range: ProtoRange): Promise<void> {
    for await (const f of this.r.fields(range)) {
      if (f.field === 1 && isLen(f)) await this.functionDef(this.r.child(f, range));
    }
  }

  private async functionDef(range: ProtoRange): Promise<void> {
    for await (const f of this.r.fields(range)) {
      if (f.field === 1 && isLen(f)) {
        const name = await this.opDefName(this.r.child(f, range));
        if (this.s.functions.size < MAX_LISTED) this.s.functions.add(name);
      } else if (f.field === 3 && isLen(f)) await this.node(this.r.child(f, range), f.offset);
    }
  }

  private async opDefName(range: ProtoRange): Promise<string> {
    for await (const f of this.r.fields(range)) {
      if (f.field === 1 && isLen(f)) return this.str(f);
    }
    return '';
  }

  private async node(range: ProtoRange, at: number): Promise<void> {
    this.s.nodes++;
    let name = '';
    let op = '';
    for await (const f of this.r.fields(range)) {
      if (f.field === 1 && isLen(f)) name = await this.str(f);
      else if (f.field === 2 && isLen(f)) op = await this.str(f);
    }
    const known = this.s.ops.get(op);
    if (known) known.count++;
    else if (this.s.ops.size < MAX_LISTED) this.s.ops.set(op, { op, count: 1, firstNode: name, at });
    else if (!this.s.skipped.includes('ops')) this.s.skipped.push(`more than ${MAX_LISTED} distinct ops`);
  }
}

/** Walks a SavedModel or a frozen GraphDef by offsets (constant tensors are never read). */
export async function readTfGraph(
  src: ByteSource,
  kind: TfSummary['kind'],
  limits?: ProtoLimits
): Promise<TfSummary> {
  const reader = new ProtoReader(src, limits);
  const walker = new TfWalker(reader, kind);
  try {
    if (kind === 'saved-model') await walker.savedModel(reader.root());
    else await walker.graphDef(reader.root());
  } catch (err) {
    if (!(err instanceof ProtoError)) throw err;
    walker.s.error = { message: err.message, offset: err.offset };
  }
  return walker.s;
}
