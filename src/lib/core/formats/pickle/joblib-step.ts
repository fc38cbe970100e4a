import { joblibArraySpan } from '../joblib/array-layout';
import type { WindowCursor } from './cursor';
import type { JoblibArray } from './joblib-array';
import { PickleStop } from './pickle-stop';

/** What stepping over a joblib array reads and moves in the machine. */
export interface JoblibStepper {
  readonly cur: WindowCursor;
  /** End of the current pickle frame (Infinity outside one). */
  frameEnd: number;
  /** Offset of the opcode being analysed. */
  readonly opStart: number;
  joblibArrays: number;
  /** Records the current opcode's operand for the disassembly. */
  arg(v: unknown): void;
  /** Analyses a whole pickle nested in the stream, then resumes the outer one. */
  runNestedPickle(): Promise<void>;
}

/** Steps over the bytes joblib's unpickler reads after a NumpyArrayWrapper BUILD (see joblib-array.ts). */
export async function stepOverJoblibArray(m: JoblibStepper, array: JoblibArray): Promise<void> {
  if ('invalid' in array) {
    throw new PickleStop('limit', `joblib array data follows, but ${array.invalid}`, m.opStart);
  }
  const cur = m.cur;
  if (m.frameEnd !== Infinity) {
    // joblib commits the frame before writing an array, so a real file's frame ends right here. Inside a
    // frame, joblib would read the array from the file after the frame: a layout we do not model.
    if (cur.pos !== m.frameEnd) {
      throw new PickleStop('limit', 'joblib array data starts inside a pickle frame', m.opStart);
    }
    m.frameEnd = Infinity;
  }
  if (array.alignmentBytes !== undefined) await cur.fill(1);
  const padByte =
    array.alignmentBytes !== undefined && cur.pos < cur.end ? cur.buf[cur.pos - cur.base] : undefined;
  const span = joblibArraySpan(array, cur.pos, padByte);
  if (span.kind === 'invalid') throw new PickleStop('malformed', `joblib array: ${span.reason}`, m.opStart);
  if (span.kind === 'nested-pickle') {
    await m.runNestedPickle();
    return;
  }
  if (span.end > cur.size) {
    throw new PickleStop(
      'truncated',
      `joblib array data runs ${span.end - cur.size} bytes past the end`,
      cur.pos
    );
  }
  m.joblibArrays++;
  m.arg(`<joblib array: ${span.end - span.start} bytes>`);
  cur.pos = span.end;
}
