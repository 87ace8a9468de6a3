// Cases an earlier run left in the outbox (stopped, or the app closed or
// crashed mid-send), for the "N submissions were interrupted — Resume"
// banner on Invoices and Cases. Re-read on every page visit and after every
// send.

import { api } from './api';

class PendingSubmissions {
  count = $state(0);

  async refresh(read: () => Promise<number> = () => api.pendingSubmissions()): Promise<void> {
    try {
      this.count = await read();
    } catch {
      // Not knowing is no reason to block the page; the banner stays as it was.
    }
  }
}

export const pendingSubmissions = new PendingSubmissions();
