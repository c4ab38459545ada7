// Test helper: @sigstore/mock's Fulcio CA and Rekor log served over real loopback HTTP, plus the
// matching trusted_root.json, so keyless sign + verify runs offline end to end.
import { createHash, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fulcioHandler, initializeCA, initializeCTLog, initializeTLog, rekorHandler } from '@sigstore/mock';

export interface MockSigstore {
  fulcioUrl: string;
  rekorUrl: string;
  trustedRoot: Record<string, unknown>;
  /** An OIDC-shaped token (unsigned JWT) whose `sub` becomes the certificate identity. */
  tokenFor(subject: string, issuer?: string): string;
  close(): Promise<void>;
}

const b64 = (bytes: ArrayBufferView): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const b64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function keyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

export interface MockClocks {
  /** Time the mock Fulcio CA (and CT log) believes it is: certificates are valid for 10 minutes from it. */
  ca?: Date;
  /** Time the mock Rekor log stamps on entries (integratedTime). */
  tlog?: Date;
}

export async function startMockSigstore(clocks: MockClocks = {}): Promise<MockSigstore> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const earliest = Math.min(Date.now(), clocks.ca?.getTime() ?? Infinity, clocks.tlog?.getTime() ?? Infinity);
  const start = new Date(earliest - 60_000);

  const ctlog = await initializeCTLog(keyPair(), clocks.ca);
  const ca = await initializeCA(keyPair(), ctlog, clocks.ca);
  const tlog = await initializeTLog(base, keyPair(), clocks.tlog);
  const routes = new Map([fulcioHandler(ca), rekorHandler(tlog)].map((h) => [h.path, h.fn]));

  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const handler = req.method === 'POST' ? routes.get(req.url ?? '') : undefined;
      if (!handler) {
        res.writeHead(404).end('not found');
        return;
      }
      handler(Buffer.concat(chunks).toString('utf8'))
        .then(({ statusCode, response, contentType }) => {
          res.writeHead(statusCode, { 'content-type': contentType ?? 'text/plain' });
          res.end(typeof response === 'string' ? response : Buffer.from(response.buffer));
        })
        .catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
  });

  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: base,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: b64(tlog.publicKey),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start: start.toISOString() },
        },
        logId: { keyId: b64(createHash('sha256').update(tlog.publicKey).digest()) },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: base,
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start: start.toISOString() },
      },
    ],
    ctlogs: [
      {
        baseUrl: base,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: b64(ctlog.publicKey),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start: start.toISOString() },
        },
        logId: { keyId: b64(ctlog.logID) },
      },
    ],
    timestampAuthorities: [],
  };

  return {
    fulcioUrl: base,
    rekorUrl: base,
    trustedRoot,
    tokenFor: (subject, issuer = 'https://token.actions.githubusercontent.com') =>
      `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: subject, iss: issuer, aud: 'sigstore', exp: Math.floor(Date.now() / 1000) + 600 })}.sig`,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
