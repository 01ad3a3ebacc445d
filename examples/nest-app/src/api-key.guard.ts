import { createHash, timingSafeEqual } from 'node:crypto'
import type { SecretHandle } from '@latchkey/core'
import { Secret } from '@latchkey/nestjs'
import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common'
import { SECRET_NAMES } from './source.js'

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/** Lets a request through when its `x-api-key` header matches the current API key (old keys stop working on rotation). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Secret(SECRET_NAMES.apiKey) private readonly apiKey: SecretHandle) {}

  canActivate(context: ExecutionContext): boolean {
    const given = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers[
      'x-api-key'
    ]
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), digest(this.apiKey.reveal()))) {
      throw new UnauthorizedException()
    }
    return true
  }
}
