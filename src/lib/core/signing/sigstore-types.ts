// The parts of @sigstore/verify's types the signing core uses, re-exported under one name.
import type { SignedEntity } from '@sigstore/verify';

export type { SignedEntity, Signer } from '@sigstore/verify';
export type SignatureContent = SignedEntity['signature'];
