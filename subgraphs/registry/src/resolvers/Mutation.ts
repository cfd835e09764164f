import { deleteComponent } from '../mutations/deleteComponent';
import { recordUsage } from '../mutations/recordUsage';
import { registerComponent } from '../mutations/registerComponent';
import { updateComponent } from '../mutations/updateComponent';
import { validateComponent } from '../mutations/validateComponent';

/** Root mutation resolvers of the registry; each change commits with its events. */
export const Mutation = {
  registerComponent,
  updateComponent,
  deleteComponent,
  validateComponent,
  recordComponentUsage: recordUsage,
};
