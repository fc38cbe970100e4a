import type { ScanLimits } from '../limits';
import { flattenStateDict, type DroppedItem, type NamedTensor, type Refusal } from './state-dict';
import type { StorageData } from './storage-data';
import type { NotExecuted } from './unpickler';
import type { Value } from './values';

export type InputFormat = 'pytorch-zip' | 'pytorch-legacy' | 'npy' | 'npz';

/** Everything found in one input file: the tensors to write and what is left out, with reasons. */
export interface Extraction {
  format: InputFormat;
  tensors: NamedTensor[];
  /** Storage key → its bytes in the input. */
  storages: Map<string, StorageData>;
  dropped: DroppedItem[];
  droppedNotListed: number;
  /** Calls the pickle asks for that were not interpreted, so never executed (the payload of a bad file). */
  notExecuted: NotExecuted[];
  refused: Refusal[];
  /** Neutral remarks for the report ("the legacy magic number is computed by a call …"). */
  notes: string[];
}

export interface ExtractOptions {
  limits: ScanLimits;
  signal?: AbortSignal;
}

/** Builds an Extraction from an unpickled root object and the storages its persistent ids named. */
export function fromPickle(
  format: InputFormat,
  root: Value,
  rootName: string,
  storages: Map<string, StorageData>,
  notExecuted: Map<string, NotExecuted>,
  notes: string[] = []
): Extraction {
  const flat = flattenStateDict(root, rootName);
  return {
    format,
    tensors: flat.tensors,
    storages,
    dropped: flat.dropped,
    droppedNotListed: flat.droppedNotListed,
    notExecuted: [...notExecuted.values()],
    refused: flat.refused,
    notes
  };
}

/** The name a bare tensor or array gets: the file name without folders and extension. */
export function stemOf(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base || 'tensor';
}
