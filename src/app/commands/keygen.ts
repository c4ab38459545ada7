// bench keygen [PATH] [--force]: an ed25519 dev signing key (PKCS#8 PEM, mode 0600) and <name>.pub.
import type { Command } from 'commander';
import { generateDevKeyPair } from '../../envelope/index.js';

export function register(program: Command): void {
  program
    .command('keygen')
    .summary('create an ed25519 dev signing key pair')
    .description(
      'Write an ed25519 private key (PKCS#8 PEM, mode 0600) to PATH and its public key (SPKI PEM) to ' +
        '<name>.pub beside it. Envelopes signed with --signing-mode dev --dev-key PATH verify with ' +
        '`bench verify --dev-public-key <name>.pub`. Refuses to overwrite unless --force.',
    )
    .argument('[path]', 'private key file', 'cosign.key')
    .option('--force', 'overwrite existing key files')
    .action(async (path: string, flags: { force?: boolean }) => {
      const pair = await generateDevKeyPair(path, flags.force === true);
      process.stdout.write(
        `wrote private key ${pair.privateKeyPath} (ed25519, PKCS#8 PEM, mode 0600)\n` +
          `wrote public key  ${pair.publicKeyPath}\n`,
      );
    });
}
