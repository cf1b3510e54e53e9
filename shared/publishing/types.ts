// What the rest of the code needs from the message stream.

import type { AppEvent } from '../event/record';

export interface PublishOptions {
  /** Extra message properties (a replay marks its messages with `replay_id`). */
  properties?: Readonly<Record<string, string>>;
}

export interface Publisher {
  /** Publishes one record; rejects when every attempt failed. */
  publish(record: AppEvent, options?: PublishOptions): Promise<void>;
  /** Stops the producer (tests, scripts); a Lambda container keeps it. */
  close(): Promise<void>;
}
