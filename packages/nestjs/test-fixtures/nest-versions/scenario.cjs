'use strict'
// CommonJS (Nest 11): loads Nest and @latchkey/nestjs with require and runs ./scenario-body.cjs.
require('reflect-metadata')
const { Injectable, Module } = require('@nestjs/common')
const { ConfigModule } = require('@nestjs/config')
const { NestFactory } = require('@nestjs/core')
const { MemorySource } = require('@latchkey/core')
const { Secret, SecretsModule, secretsLoader } = require('@latchkey/nestjs')
const runScenario = require('./scenario-body.cjs')

runScenario({
  ConfigModule,
  coreEntry: require.resolve('@nestjs/core'),
  Injectable,
  MemorySource,
  Module,
  NestFactory,
  Secret,
  SecretsModule,
  secretsLoader,
})
