import { Gunzip, Inflate, Unzlib } from 'fflate';
import type { ByteSource } from '../../bytes/byte-source';
import { throwIfAborted } from '../../cancel';
import type { ScanContext } from '../types';

/** Decompressed members are held in memory; above this they are reported as not analysed. */
export const MEMORY_CAP = 512 * 1024 * 1024;
/** Small pushes keep one synchronous step's output small, so limits are enforced close to the byte. */
const PUSH_SIZE = 4096;
const READ_SIZE = 1024 * 1024;

export interface PushDecoder {
  push(chunk: Uint8Array, final: boolean): void;
}
/** `final` is true with the last output of a complete stream; a stream that never says so was cut short. */
export type DecoderFactory = (onData: (out: Uint8Array, final: boolean) => void) => PushDecoder;

export const deflateRaw: DecoderFactory = (onData) => new Inflate(onData);
export const zlibStream: DecoderFactory = (onData) => new Unzlib(onData);
export const gzipStream: DecoderFactory = (onData) => new Gunzip(onData);

export type Outcome =
  | { ok: true; bytes: Uint8Array }
  | {
      ok: false;
      reason: string;
      bomb: boolean;
      produced: number;
      consumed: number;
      /** What came out before corrupt or truncated data: a streaming loader reads (and unpickles) it first. */
      partial?: Uint8Array;
    };

class StopDecoding extends Error {}

/**
 * Decompresses all of `src` with a push decoder, stopping as soon as the output passes the per-member limit,
 * the memory cap or the per-file budget. Never throws for bad data: the outcome says why it stopped.
 */
export async function decompressBounded(
  src: ByteSource,
  factory: DecoderFactory,
  ctx: ScanContext,
  what: string
): Promise<Outcome> {
  // The budget is per file, across members: once spent, nothing is inflated again (not even a first chunk).
  if (!ctx.claimDecompressed(0))
    return {
      ok: false,
      reason: `${what} was not decompressed: the per-file decompression budget (${ctx.limits.maxTotalDecompressedBytes} bytes) is spent`,
      bomb: false,
      produced: 0,
      consumed: 0
    };
  const cap = Math.min(ctx.limits.maxDecompressedBytes, MEMORY_CAP);
  const parts: Uint8Array[] = [];
  let produced = 0;
  let consumed = 0;
  let stop: string | undefined;
  let ended = false;
  const decoder = factory((out, final) => {
    if (final) ended = true;
    if (stop) return;
    produced += out.length;
    if (produced > cap) {
      stop = `${what} decompresses to more than ${cap} bytes (the limit)`;
    } else if (!ctx.claimDecompressed(out.length)) {
      stop = `the per-file decompression budget (${ctx.limits.maxTotalDecompressedBytes} bytes) is spent`;
    } else {
      parts.push(out.slice());
    }
    if (stop) throw new StopDecoding(stop);
  });
  const failed = (reason: string): Outcome => {
    const ratio = produced / Math.max(1, consumed);
    const bomb = stop !== undefined && ratio > ctx.limits.maxCompressionRatio;
    const kept = parts.reduce((n, p) => n + p.length, 0);
    const partial = stop === undefined && kept > 0 ? concat(parts, kept) : undefined;
    return { ok: false, reason, bomb, produced, consumed, partial };
  };
  try {
    for (let offset = 0; offset < src.size; offset += READ_SIZE) {
      throwIfAborted(ctx.signal);
      const chunk = await src.read(offset, READ_SIZE);
      for (let p = 0; p < chunk.length; p += PUSH_SIZE) {
        const piece = chunk.subarray(p, p + PUSH_SIZE);
        consumed += piece.length;
        decoder.push(piece, offset + p + piece.length >= src.size);
      }
    }
    if (src.size === 0) decoder.push(new Uint8Array(0), true);
  } catch (err) {
    if (err instanceof StopDecoding) return failed(err.message);
    if ((err as Error)?.name === 'AbortError') throw err;
    return failed(
      `${what} is corrupt near compressed offset ${consumed}: ${String((err as Error)?.message ?? err)}`
    );
  }
  if (!ended) return failed(`${what} ends before its compressed stream does (the file is truncated)`);
  return { ok: true, bytes: concat(parts, produced) };
}

export function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Reports a failed decompression: a bomb (high) when the ratio is extreme, and always "not analysed". */
export function reportOutcome(ctx: ScanContext, outcome: Outcome & { ok: false }, offset?: number): void {
  if (outcome.bomb) {
    ctx.report({
      ruleId: 'archive.decompression-bomb',
      severity: 'high',
      title: 'Decompression bomb',
      message: `This data expands more than ${ctx.limits.maxCompressionRatio}:1 and past the size limit (${outcome.produced} bytes from ${outcome.consumed} compressed). Opening it can exhaust memory or disk; it was not unpacked further.`,
      offset,
      evidence: { details: { produced: outcome.produced, consumed: outcome.consumed } }
    });
  }
  ctx.incomplete(`${outcome.reason}.`, offset);
}
