import { Controller, Get, Inject, UseGuards } from '@nestjs/common'
import { ApiKeyGuard } from './api-key.guard.js'
import { DatabaseService } from './database.service.js'

@Controller()
export class StatusController {
  constructor(@Inject(DatabaseService) private readonly database: DatabaseService) {}

  @Get('health')
  health() {
    return { status: 'ok' }
  }

  @Get('status')
  @UseGuards(ApiKeyGuard)
  status() {
    return { status: 'ok', database: this.database.status() }
  }
}
