// What the rest of the code needs from the message stream.

import type { AppEvent } from '../event/record';

export interface Publisher {
  /** Publishes one record; rejects when every attempt failed. */
  publish(record: AppEvent): Promise<void>;
  /** Stops the producer (tests, scripts); a Lambda container keeps it. */
  close(): Promise<void>;
}
