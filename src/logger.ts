/**
 * Logger options shared by the server and the command line: pino, JSON lines, request ids,
 * and credentials redacted wherever they could appear.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';
import type { Config } from './config.js';

export function loggerOptions(config: Pick<Config, 'logLevel'>): LoggerOptions {
  return {
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        'req.headers["x-api-key"]',
        'headers["x-api-key"]',
        '*.credentials',
        '*.secretAccessKey',
        '*.apiKeys',
      ],
      censor: '[redacted]',
    },
  };
}

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(config), destination) : pino(loggerOptions(config));
}

export type { Logger };
