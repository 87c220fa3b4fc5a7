// The one logger shape every Stratus process writes through: a message with, if need
// be, the fields that give it context, and children bound to more context (a request
// id). Each process's main.ts alone builds the real one (pinoLogger, over pino);
// consoleLogger adapts console or a test's fake to it.
import { z } from "zod";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** STRATUS_LOG_LEVEL, as every process's configuration schema reads it. */
export const LogLevelSchema = z.enum(LOG_LEVELS).default("info");

export type LogFields = Record<string, unknown>;

/** Writes `msg`; `fields.err`, an Error, is written with its type, message and stack. */
export type LogFn = (msg: string, fields?: LogFields) => void;

export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  /** A logger whose every line carries `bindings` too. */
  child(bindings: LogFields): Logger;
  /**
   * Ask before building the fields of a line at a level that is often off (debug),
   * so that a hot path allocates nothing for it then.
   */
  isLevelEnabled(level: LogLevel): boolean;
}

/** What tests have always handed a process: console, or a fake with these methods. */
export type LogSink = Pick<Console, "info" | "warn" | "error">;

const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 99 };

/**
 * A Logger writing to `sink` (console by default) as console does: the message, then
 * the fields. Debug lines go to the sink's info, and only when `level` lets them.
 */
export function consoleLogger(sink: LogSink = console, level: LogLevel = "info", bindings?: LogFields): Logger {
  const write =
    (out: (...args: unknown[]) => void, at: LogLevel): LogFn =>
    (msg, fields) => {
      if (RANK[at] < RANK[level]) return;
      const all = bindings && fields ? { ...bindings, ...fields } : (fields ?? bindings);
      if (all) out(msg, all);
      else out(msg);
    };
  return {
    error: write(sink.error.bind(sink), "error"),
    warn: write(sink.warn.bind(sink), "warn"),
    info: write(sink.info.bind(sink), "info"),
    debug: write(sink.info.bind(sink), "debug"),
    child: (more) => consoleLogger(sink, level, { ...bindings, ...more }),
    isLevelEnabled: (at) => at !== "silent" && RANK[at] >= RANK[level],
  };
}

/** The part of a pino logger that pinoLogger uses (structural: shared does not depend on pino). */
export interface PinoLike {
  error(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  debug(fields: object, msg: string): void;
  child(bindings: LogFields): PinoLike;
  isLevelEnabled(level: string): boolean;
}

/** A Logger writing through `pino`: each process's main.ts makes one, and nothing else does. */
export function pinoLogger(pino: PinoLike): Logger {
  const none = {};
  return {
    error: (msg, fields) => pino.error(fields ?? none, msg),
    warn: (msg, fields) => pino.warn(fields ?? none, msg),
    info: (msg, fields) => pino.info(fields ?? none, msg),
    debug: (msg, fields) => pino.debug(fields ?? none, msg),
    child: (bindings) => pinoLogger(pino.child(bindings)),
    isLevelEnabled: (level) => pino.isLevelEnabled(level),
  };
}

/** `log` as a Logger: a Logger as it is, console or a fake through consoleLogger. */
export function toLogger(log: Logger | LogSink): Logger {
  return "child" in log && "isLevelEnabled" in log ? (log as Logger) : consoleLogger(log);
}
