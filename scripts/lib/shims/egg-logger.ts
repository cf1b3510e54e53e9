// Bundle stand-in for egg-logger: junoevent always hands the RocketMQ client its own logger, so
// the client's default file logger (which writes under ~/logs, read-only on Lambda) is never built.
export class EggLogger {
  constructor() {
    throw new Error('the RocketMQ client must be given a logger');
  }
}
