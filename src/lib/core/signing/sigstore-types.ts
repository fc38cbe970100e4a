// The parts of @sigstore/verify's types the signing core uses, re-exported under one name.
export type { SignatureContent } from '@sigstore/verify/dist/shared.types';
export type { SignedEntity, Signer } from '@sigstore/verify';
