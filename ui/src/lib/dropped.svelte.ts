// Files the user dropped on the window (anywhere) or picked on Import; the
// Import page shows what they are. Shared so a drop on another page lands
// on Import with its result.

import type { DroppedFile } from './files';

export const dropped = $state<{ files: DroppedFile[]; dragging: boolean }>({ files: [], dragging: false });
