// A stored record with every field at its plainest, for tests where only the id matters.

import { type AppEvent, completeRecord } from '../../shared/event/record';

export function plainRecord(id: number): AppEvent {
  return completeRecord(
    {
      app_name: 'a',
      aid: 0,
      zone_code: '',
      env: '',
      host_name: '',
      operator_type: 'user',
      user_name: '',
      uid: 0,
      operation: 'confgo_file_create',
      create_time: 1,
      source: 'confgo',
      metadata: '{}',
    },
    id,
  );
}
