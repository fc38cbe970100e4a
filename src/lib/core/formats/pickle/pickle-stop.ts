export type StopKind = 'malformed' | 'truncated' | 'limit';

/** Why the unpickler (and so the analysis) stopped before a STOP opcode. */
export class PickleStop extends Error {
  constructor(
    readonly kind: StopKind,
    message: string,
    readonly offset: number
  ) {
    super(message);
  }
}
