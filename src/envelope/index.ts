// Public API of src/envelope (ARCHITECTURE.md, docs/envelope.md): schema, canonical JSON, hashes, signing, files, verify.
export {
  canonicalJson,
  canonicalJsonLossless,
  compareCodePoints,
  numberText,
  prettyJson,
  pythonFloatRepr,
  pythonNumberLiteral,
  pythonStringLiteral,
} from './canonical.js';
export { CanonicalJsonError, EnvelopeError } from './errors.js';
export { buildHardwareFingerprint, fingerprintInput, fingerprintSha256 } from './fingerprint.js';
export type { FingerprintGpu, FingerprintParts } from './fingerprint.js';
export { contentHashOf, contentHashOfLossless, sha256Hex } from './hash.js';
export {
  envelopeFileName,
  envelopeFileText,
  parseEnvelopeText,
  readEnvelopeFile,
  writeEnvelope,
  writeUnsignedEnvelope,
} from './io.js';
export type { LoadedEnvelope } from './io.js';
export {
  generateDevKeyPair,
  loadDevSigner,
  loadPublicKeyFile,
  parseEd25519PublicKey,
  publicKeyPathFor,
} from './keys.js';
export type { DevSigner, GeneratedKeyPair } from './keys.js';
export {
  DEFAULT_FULCIO_URL,
  DEFAULT_REKOR_URL,
  MISSING_TOKEN_MESSAGE,
  anchoredPattern,
  loadTrustedRoot,
  signKeyless,
  verifyKeyless,
} from './keyless.js';
export {
  envelopeV1Schema,
  envelopeWriteSchema,
  firstIssue,
  integerLiteralIssue,
  signatureSchema,
} from './schema.js';
export { normaliseForPython, pydanticStrip } from './normalise.js';
export type { PythonNormalised } from './normalise.js';
export {
  EMPTY_SHA256,
  MEMORY_PLACEHOLDER,
  UNKNOWN,
  ZERO_COMMIT,
  ZERO_SHA256,
  placeholderPaths,
} from './placeholders.js';
export { PYDANTIC_UTC_TIMESTAMP, envelopeTimestamp, pydanticTimestamp } from './timestamp.js';
export type { EnvelopeSignature, EnvelopeV1, EnvelopeWrite, UnsignedEnvelope } from './schema.js';
export { devKeySignature, signEnvelope } from './sign.js';
export type { SignedEnvelope, SigningOptions } from './sign.js';
export { hashPrefixFromName, verifyEnvelopeFile, verifyEnvelopeObject } from './verify.js';
export type { VerifyObjectInput, VerifyOptions, VerifyResult } from './verify.js';
export {
  buildEnvelope,
  endpointHash,
  finishEnvelope,
  scrub,
  timestampMicros,
  uuidv7,
  ZERO_HASH,
} from './build.js';
export type { MeasuredPoint, PointTelemetry, RunFacts } from './build.js';
export { energyMetricsV1, flattenMetrics, METRIC, pointMetricsV1 } from './metrics.js';
export type { CiRecord, MetricsRecord } from './metrics.js';
