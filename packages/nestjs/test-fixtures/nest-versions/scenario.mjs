// ESM (Nest 12): loads Nest and @latchkey/nestjs with import and runs ./scenario-body.cjs.
import 'reflect-metadata'
import { fileURLToPath } from 'node:url'
import { MemorySource } from '@latchkey/core'
import { Secret, SecretsModule, secretsLoader } from '@latchkey/nestjs'
import { Injectable, Module } from '@nestjs/common'
import { ConfigModule } from '@nestjs/config'
import { NestFactory } from '@nestjs/core'
import runScenario from './scenario-body.cjs'

runScenario({
  ConfigModule,
  coreEntry: fileURLToPath(import.meta.resolve('@nestjs/core')),
  Injectable,
  MemorySource,
  Module,
  NestFactory,
  Secret,
  SecretsModule,
  secretsLoader,
})
