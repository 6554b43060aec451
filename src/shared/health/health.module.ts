import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { LagMonitor } from './lag-monitor.js';

@Module({ imports: [TerminusModule], controllers: [HealthController], providers: [LagMonitor] })
export class HealthModule {}
