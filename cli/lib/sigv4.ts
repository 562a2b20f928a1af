/** drctl signs its canaries with the project's one SigV4 signer (runtime/shared/sigv4.ts). */
export { type RequestSigner, sigV4Signer } from '../../runtime/shared/sigv4';
