import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AlertWebhook } from './alert-webhook.js';
import { HealthController } from './health.controller.js';
import { LagMonitor } from './lag-monitor.js';

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [LagMonitor, AlertWebhook],
})
export class HealthModule {}
