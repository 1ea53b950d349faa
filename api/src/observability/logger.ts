import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Keys whose values are secrets wherever they appear in a logged object. */
const SECRET_KEYS = [
  'password',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'id_token',
  'apiKey',
  'secret',
  'clientSecret',
  'client_secret',
  'webhookSecret',
  'sessionToken',
];

// pino's redaction (fast-redact) has no "any depth" wildcard, so each key is listed at the top
// level and up to three levels down, which covers our log shapes ({ err }, { job: { data } }, ...).
const DEPTHS = ['', '*.', '*.*.', '*.*.*.'];

export const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((key) => DEPTHS.map((prefix) => `${prefix}${key}`)),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
];

export type LoggerSettings = { level?: string; service?: string; destination?: DestinationStream };

/**
 * JSON lines on stdout. Children carry `requestId`, `jobId` and `orgId` (see childLogger), so one
 * request or job can be followed across the api and the worker.
 */
export function createLogger({ level = 'info', service = 'sagesync-api', destination }: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type LogBindings = { requestId?: string; jobId?: string; orgId?: string; [key: string]: unknown };

export function childLogger(log: Logger, bindings: LogBindings): Logger {
  return log.child(bindings);
}
