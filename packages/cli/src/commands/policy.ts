import { loadConfig } from '../config/load.js'
import { UsageError } from '../errors.js'
import { EXIT_CODES } from '../exit-codes.js'
import { type CliIo, writeJson } from '../io.js'
import { type CommandSpec, parseCommand } from './args.js'
import { awsIamPolicy, azureAssignments, gcpBindings, vaultHcl, vaultRules } from './policy-documents.js'

export const POLICY: CommandSpec = {
  name: 'policy',
  summary: 'Print the least-privilege policy for exactly the configured secrets.',
  usage: 'latchkey policy --format aws-iam|vault|gcp|azure [--member M] [--principal ID] [--json]',
  options: {
    format: { type: 'string' },
    member: { type: 'string' },
    principal: { type: 'string' },
  },
  details: [
    'aws-iam: an IAM policy document: secretsmanager:GetSecretValue on each secret ARN, ssm:GetParameter(s)',
    '  on each parameter ARN, kms:Decrypt on a configured customer key (through those services only).',
    'vault:   HCL (with --json: Vault\'s JSON policy form): "read" on each KV path.',
    'gcp:     per secret, the IAM policy binding roles/secretmanager.secretAccessor to --member.',
    'azure:   per secret, a "Key Vault Secrets User" role assignment at the secret\'s own scope for --principal.',
    'Only secrets of the matching source types are included.',
  ],
}

const FORMATS = ['aws-iam', 'vault', 'gcp', 'azure']

export async function policy(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(POLICY, argv)
  const format = values.format as string | undefined
  if (format === undefined || !FORMATS.includes(format)) {
    throw new UsageError(`latchkey policy: --format must be one of ${FORMATS.join(', ')}`)
  }
  const config = await loadConfig({
    cwd: io.cwd,
    ...(values.config === undefined ? {} : { file: values.config as string }),
  })
  switch (format) {
    case 'aws-iam':
      writeJson(io.stdout, awsIamPolicy(config, io.env))
      break
    case 'vault':
      if (values.json === true) {
        writeJson(io.stdout, {
          path: Object.fromEntries(vaultRules(config).map((r) => [r.path, { capabilities: r.capabilities }])),
        })
      } else io.stdout.write(vaultHcl(config))
      break
    case 'gcp':
      writeJson(io.stdout, await gcpBindings(config, values.member as string | undefined))
      break
    default:
      writeJson(io.stdout, await azureAssignments(config, values.principal as string | undefined))
  }
  return EXIT_CODES.OK
}
