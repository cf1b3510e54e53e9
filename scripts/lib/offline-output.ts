// Which lines of serverless-offline's output `npm start` passes on. Dropped: its route box and
// "Server ready" (npm start prints the routes itself, once they answer), the Lambda-invoke routes
// and function names it exposes for the AWS SDK (internal), the readiness check's own request, and,
// with publishing off, the scheduled redrive that has nothing to do.

export class OfflineOutput {
  /** False while npm start checks that its routes answer. */
  ready = false;
  publishing: boolean;
  #inFunctionList = false;

  constructor(options: { publishing: boolean }) {
    this.publishing = options.publishing;
  }

  /** True when the line should be shown. */
  keep(line: string): boolean {
    const text = line.trim();
    if (this.#inFunctionList) {
      if (/^\* [\w-]+: \S+$/.test(text)) return false;
      this.#inFunctionList = false;
    }
    if (text === '') return false;
    if (text.startsWith('Function names exposed for local invocation')) {
      this.#inFunctionList = true;
      return false;
    }
    if (/^[┌│└]/.test(text) || text.includes('/2015-03-31/functions/')) return false;
    if (text.startsWith('Server ready:') || text.startsWith('Offline [http for lambda] listening')) return false;
    if (!this.ready && isReadinessCheck(text)) return false;
    if (!this.publishing && isIdleRedrive(text)) return false;
    return true;
  }
}

/** The lines of the GET /events that npm start sends to see that its routes answer. */
function isReadinessCheck(text: string): boolean {
  return (
    text === 'GET /events (λ: events)' ||
    text.startsWith('(λ: events) RequestId:') ||
    (text.startsWith('{') && text.includes('"function":"events"'))
  );
}

/** The scheduled redrive's lines; with publishing off it only says that it skipped. */
function isIdleRedrive(text: string): boolean {
  return (
    text.startsWith('Scheduling [redrive]') ||
    text.startsWith('Successfully invoked scheduled function: [redrive]') ||
    text.startsWith('(λ: redrive)') ||
    (text.startsWith('{') && text.includes('"message":"redrive skipped'))
  );
}
