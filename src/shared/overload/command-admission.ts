/**
 * Admission of commands (POST/PUT/PATCH/DELETE) into this instance: at most `concurrency` run at
 * once; up to `queueLimit` more wait, first come first served, each at most until its start
 * deadline (arrival + `queueTimeoutMs`). A command that finds the queue full, or whose deadline
 * passes while it waits, is refused at once with 503 SERVICE.UNAVAILABLE + Retry-After, before it
 * touches the database (no Idempotency-Key is claimed). The same deadline then bounds the wait for
 * its product locks (KeyedMutex), so past capacity answers come fast instead of queueing for
 * seconds.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/env.js';
import { APP_CONFIG } from '../config.module.js';
import { overloaded, withStartDeadline } from './overload.js';

export interface AdmissionLimits {
  concurrency: number;
  queueLimit: number;
  queueTimeoutMs: number;
}

interface Waiter {
  start: () => void;
}

@Injectable()
export class CommandAdmission {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private readonly limits: AdmissionLimits;

  constructor(
    @Inject(APP_CONFIG)
    config: Pick<AppConfig, 'commandConcurrency' | 'commandQueueLimit' | 'commandQueueTimeoutMs'>,
  ) {
    this.limits = {
      concurrency: config.commandConcurrency,
      queueLimit: config.commandQueueLimit,
      queueTimeoutMs: config.commandQueueTimeoutMs,
    };
  }

  /** Commands running / waiting now (metrics, tests). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Runs `work` once admitted (throws the 503 OverloadedError when it cannot be). */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.limits.queueTimeoutMs;
    await this.admit(deadline);
    try {
      return await withStartDeadline(deadline, work);
    } finally {
      this.leave();
    }
  }

  private admit(deadline: number): Promise<void> | void {
    if (this.running < this.limits.concurrency && this.waiting.length === 0) {
      this.running++;
      return;
    }
    if (this.waiting.length >= this.limits.queueLimit) throw overloaded('command queue full');
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          clearTimeout(timer);
          this.running++;
          resolve();
        },
      };
      const timer = setTimeout(
        () => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(overloaded('no command slot within the start budget'));
        },
        Math.max(0, deadline - Date.now()),
      );
      this.waiting.push(waiter);
    });
  }

  private leave(): void {
    this.running--;
    while (this.running < this.limits.concurrency && this.waiting.length > 0) this.waiting.shift()?.start();
  }
}
